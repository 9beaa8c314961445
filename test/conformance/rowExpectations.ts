/**
 * Expected table contents, and a comparison that lists every difference column by column, so a
 * failure reads as "sqs_queues[123…/us-east-1/orders].delay_seconds: expected 5, got null".
 */

export type Cell = string | number | null;
export type StoredRow = Record<string, Cell>;

/** An expectation for one cell: an exact value or a rule. */
export type CellExpectation =
  | Cell
  | { kind: 'json'; value: unknown }
  /** JSON whose every expected field is present with the expected value (the endpoint may add defaults). */
  | { kind: 'jsonContaining'; value: unknown }
  /** An ISO-8601 UTC time (second precision or finer) inside a window. */
  | { kind: 'timeWithin'; start: Date; end: Date };

export type ExpectedRow = Record<string, CellExpectation>;

export interface TableExpectation {
  table: string;
  primaryKey: string[];
  /** Every column the table must have (bookkeeping columns aside), checked for every row. */
  columns: string[];
  rows: ExpectedRow[];
}

export const json = (value: unknown): CellExpectation => ({ kind: 'json', value });
export const jsonContaining = (value: unknown): CellExpectation => ({ kind: 'jsonContaining', value });
export const timeWithin = (start: Date, end: Date): CellExpectation => ({ kind: 'timeWithin', start, end });

/** Differences between the stored rows and the expectation, one readable line each. */
export function compareTable(expectation: TableExpectation, actualColumns: readonly string[], stored: readonly StoredRow[]): string[] {
  const problems: string[] = [];
  const { table } = expectation;
  const missingColumns = expectation.columns.filter((c) => !actualColumns.includes(c));
  const uncheckedColumns = actualColumns.filter((c) => !expectation.columns.includes(c));
  if (missingColumns.length > 0) problems.push(`${table}: columns missing from the table: ${missingColumns.join(', ')}`);
  if (uncheckedColumns.length > 0) problems.push(`${table}: columns the conformance test does not check yet (add them to the expectations): ${uncheckedColumns.join(', ')}`);

  const keyOf = (row: Record<string, unknown>) => expectation.primaryKey.map((k) => String(row[k])).join('/');
  const storedByKey = new Map(stored.map((row) => [keyOf(row), row]));
  const expectedKeys = new Set<string>();
  for (const expected of expectation.rows) {
    const key = keyOf(expected);
    expectedKeys.add(key);
    const actual = storedByKey.get(key);
    if (actual === undefined) {
      problems.push(`${table}[${key}]: row missing`);
      continue;
    }
    for (const column of expectation.columns) {
      if (!(column in expected)) {
        problems.push(`${table}[${key}].${column}: no expectation (test bug)`);
        continue;
      }
      const problem = compareCell(expected[column] ?? null, actual[column] ?? null);
      if (problem !== null) problems.push(`${table}[${key}].${column}: ${problem}`);
    }
  }
  for (const key of storedByKey.keys()) if (!expectedKeys.has(key)) problems.push(`${table}[${key}]: unexpected row ${JSON.stringify(storedByKey.get(key))}`);
  return problems;
}

function compareCell(expected: CellExpectation, actual: Cell): string | null {
  if (expected === null || typeof expected !== 'object') {
    return expected === actual ? null : `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  switch (expected.kind) {
    case 'json':
    case 'jsonContaining': {
      if (typeof actual !== 'string') return `expected JSON ${JSON.stringify(expected.value)}, got ${JSON.stringify(actual)}`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(actual);
      } catch {
        return `expected JSON, got text that does not parse: ${actual}`;
      }
      const equal = expected.kind === 'json' ? deepEqual(expected.value, parsed) : contains(parsed, expected.value);
      return equal ? null : `expected JSON ${expected.kind === 'json' ? '' : 'containing '}${JSON.stringify(expected.value)}, got ${actual}`;
    }
    case 'timeWithin': {
      if (typeof actual !== 'string') return `expected an ISO-8601 time, got ${JSON.stringify(actual)}`;
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(actual)) return `expected an ISO-8601 UTC time, got ${JSON.stringify(actual)}`;
      const time = Date.parse(actual);
      // Endpoints keep whole seconds; widen the window to the enclosing seconds.
      const start = Math.floor(expected.start.getTime() / 1000) * 1000;
      const end = Math.ceil(expected.end.getTime() / 1000) * 1000;
      return time >= start && time <= end ? null : `expected a time between ${expected.start.toISOString()} and ${expected.end.toISOString()}, got ${actual}`;
    }
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isObject(a) && isObject(b) && !Array.isArray(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** `actual` has every field of `expected` (recursively); arrays match item by item, same length. */
export function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => contains(actual[i], item));
  if (isObject(expected)) return isObject(actual) && !Array.isArray(actual) && Object.keys(expected).every((k) => contains(actual[k], expected[k]));
  return actual === expected;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
