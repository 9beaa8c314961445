/**
 * Command-line flags that override the parameter file, derived from the schema so that a new
 * parameter gets its flag without anyone writing it: `output_dir` ⇒ `--output-dir`. Credentials
 * get no flags (a command line is visible to every user of the machine), nor do nested objects.
 */
import type { Options } from 'yargs';
import { parameterDocs } from '../parameters/jsonSchema.js';
import type { JsonSchemaNode, ParameterDoc } from '../parameters/jsonSchema.js';

const NO_FLAG = new Set(['access_key_id', 'secret_access_key', 'session_token', 'mfa_token_code', 'log_level']);

type FlagKind = 'list' | 'number' | 'boolean' | 'string';

export interface ParameterFlag {
  parameter: string;
  flag: string;
  kind: FlagKind;
  nullable: boolean;
  acceptsFalse: boolean;
  acceptsAll: boolean;
  doc: ParameterDoc;
}

function branches(node: JsonSchemaNode): JsonSchemaNode[] {
  if (node.anyOf !== undefined) return node.anyOf.flatMap(branches);
  const types = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type];
  return types.length > 1 ? types.map((type) => ({ ...node, type })) : [node];
}

function flagOf(doc: ParameterDoc): ParameterFlag | null {
  if (doc.name.includes('.') || NO_FLAG.has(doc.name)) return null;
  const shapes = branches(doc.node);
  const has = (type: string) => shapes.some((shape) => shape.type === type && !('const' in shape));
  if (has('object')) return null;
  const kind: FlagKind = has('array') && !has('string') ? 'list' : has('integer') || has('number') ? 'number' : has('boolean') && !has('string') ? 'boolean' : 'string';
  return {
    parameter: doc.name,
    flag: doc.name.replace(/_/g, '-'),
    kind,
    nullable: has('null'),
    acceptsFalse: shapes.some((shape) => shape.const === false),
    acceptsAll: shapes.some((shape) => shape.const === 'all'),
    doc,
  };
}

let flags: readonly ParameterFlag[] | null = null;

/** Every parameter flag; computed on first use, since most invocations never build a parameter command. */
export function parameterFlags(): readonly ParameterFlag[] {
  flags ??= parameterDocs()
    .map(flagOf)
    .filter((flag): flag is ParameterFlag => flag !== null);
  return flags;
}

/** The yargs options for every parameter flag, to add to a command's builder. */
export function parameterFlagOptions(): Record<string, Options> {
  const options: Record<string, Options> = {};
  for (const flag of parameterFlags()) {
    const extra = flag.kind === 'list' ? ' (comma-separated)' : flag.nullable && flag.kind !== 'boolean' ? ' ("null" to unset)' : '';
    const choices = flag.doc.node.enum?.filter((value): value is string => typeof value === 'string');
    options[flag.flag] = {
      type: flag.kind === 'boolean' ? 'boolean' : 'string',
      describe: `${flag.doc.description}${extra} [overrides ${flag.parameter}]`,
      group: 'Parameter overrides (win over the parameter file):',
      requiresArg: flag.kind !== 'boolean',
      ...(choices === undefined ? {} : { choices }),
    };
  }
  return options;
}

function convert(flag: ParameterFlag, raw: unknown): unknown {
  if (flag.kind === 'boolean') return raw;
  const values = (Array.isArray(raw) ? raw : [raw]).map(String);
  const text = values.join(',');
  if (flag.nullable && text === 'null') return null;
  if (flag.acceptsFalse && text === 'false') return false;
  if (flag.acceptsAll && text === 'all') return 'all';
  if (flag.kind === 'list') {
    return values
      .flatMap((value) => value.split(','))
      .map((value) => value.trim())
      .filter((value) => value.length > 0);
  }
  // A number the parser cannot read stays a string, so validation names the flag's value.
  if (flag.kind === 'number') return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
  return text;
}

/** Parameter overrides from parsed arguments: only the flags that were given. */
export function parameterOverrides(argv: Record<string, unknown>): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const flag of parameterFlags()) {
    const raw = argv[flag.flag];
    if (raw !== undefined) overrides[flag.parameter] = convert(flag, raw);
  }
  return overrides;
}
