/**
 * The shape of parsed SDK answers: every field path with the types seen there, over many
 * answers of one operation, so two endpoints with different data can still be compared on field
 * names, types and error names.
 */

/** path → types seen (`string`, `number`, `boolean`, `Date`, `object`, `array`, `error:<Name>`). */
export type Shape = Map<string, Set<string>>;

export interface ShapeOptions {
  /** Paths whose keys are data (tag maps): their keys are replaced by `*`. */
  mapPaths?: readonly string[];
}

/** A call's outcome: its parsed output, or the error's name and HTTP status. */
export type Outcome = { output: unknown } | { error: string; status: number | undefined };

export function shapeOf(outcomes: readonly Outcome[], options: ShapeOptions = {}): Shape {
  const shape: Shape = new Map();
  for (const outcome of outcomes) {
    if ('error' in outcome) add(shape, '!error', `error:${outcome.error}/${outcome.status ?? '?'}`);
    else walk(shape, outcome.output, '', new Set(options.mapPaths ?? []));
  }
  return shape;
}

function add(shape: Shape, path: string, type: string): void {
  const types = shape.get(path) ?? new Set<string>();
  types.add(type);
  shape.set(path, types);
}

function walk(shape: Shape, value: unknown, path: string, mapPaths: ReadonlySet<string>): void {
  if (value === undefined) return;
  if (value === null) return add(shape, path, 'null');
  if (value instanceof Date) return add(shape, path, 'Date');
  if (Array.isArray(value)) {
    add(shape, path, 'array');
    for (const item of value) walk(shape, item, `${path}[]`, mapPaths);
    return;
  }
  if (typeof value === 'object') {
    if (path !== '') add(shape, path, 'object');
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (path === '' && key === '$metadata') continue;
      const childPath = mapPaths.has(path) ? `${path}.*` : path === '' ? key : `${path}.${key}`;
      walk(shape, child, childPath, mapPaths);
    }
    return;
  }
  add(shape, path, typeof value);
}

export interface ShapeDifference {
  path: string;
  kind: 'only-moto' | 'only-simulator' | 'types';
  moto: string[];
  simulator: string[];
}

/** Paths whose types differ, and paths one side never produced. Errors compare by the set of error names and statuses. */
export function diffShapes(moto: Shape, simulator: Shape): ShapeDifference[] {
  const out: ShapeDifference[] = [];
  const paths = [...new Set([...moto.keys(), ...simulator.keys()])].sort();
  for (const path of paths) {
    const m = [...(moto.get(path) ?? [])].sort();
    const s = [...(simulator.get(path) ?? [])].sort();
    if (m.length === 0) out.push({ path, kind: 'only-simulator', moto: m, simulator: s });
    else if (s.length === 0) out.push({ path, kind: 'only-moto', moto: m, simulator: s });
    else if (m.join() !== s.join()) out.push({ path, kind: 'types', moto: m, simulator: s });
  }
  return out;
}
