/**
 * Turns zod's issues into the loader's problems: one per issue, naming the field path
 * (`master_assume_role_arn_chain[1]`), what is wrong with the value, and what the field accepts.
 */
import type { z } from 'zod';
import { didYouMean } from './didYouMean.js';
import { parameterDocs } from './jsonSchema.js';
import type { ParameterDoc } from './jsonSchema.js';
import { formatFieldPath } from './parameterError.js';
import type { ProblemList } from './parameterError.js';
import { SECRET_FIELDS } from './schema.js';

const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set(SECRET_FIELDS);

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return `a ${typeof value}`;
}

/** A short echo of the offending value, never for a secret field. */
function shown(path: readonly PropertyKey[], value: unknown): string {
  if (path.some((part) => typeof part === 'string' && SECRET_FIELD_NAMES.has(part))) return '';
  if (typeof value === 'string') return ` (got ${JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value)})`;
  if (typeof value === 'number' || typeof value === 'boolean') return ` (got ${String(value)})`;
  return '';
}

/** The documented name of a field at `path`: array positions dropped. */
function docName(path: readonly PropertyKey[]): string {
  return path.filter((part) => typeof part === 'string').join('.');
}

let docsByNameMemo: Map<string, ParameterDoc> | null = null;

function docsByName(): Map<string, ParameterDoc> {
  docsByNameMemo ??= new Map(parameterDocs().map((doc) => [doc.name, doc]));
  return docsByNameMemo;
}

function knownKeysAt(path: readonly PropertyKey[]): string[] {
  const prefix = docName(path);
  return [...docsByName().keys()]
    .filter((name) => (prefix === '' ? !name.includes('.') : name.startsWith(`${prefix}.`) && !name.slice(prefix.length + 1).includes('.')))
    .map((name) => (prefix === '' ? name : name.slice(prefix.length + 1)));
}

function expectedHint(path: readonly PropertyKey[]): string | undefined {
  const doc = docsByName().get(docName(path));
  if (doc === undefined) return undefined;
  const isEntry = typeof path[path.length - 1] === 'number';
  const type = isEntry && doc.node.items !== undefined ? `each entry ${doc.type.replace(/^(non-empty )?array of /, '')}` : doc.type;
  const defaultText = doc.default === '—' || doc.default === 'required' ? '' : `, default ${doc.default}`;
  return `Expected ${type}${defaultText}: ${doc.description}.`;
}

function expectedName(expected: string): string {
  switch (expected) {
    case 'number':
    case 'int':
      return 'a number (without quotes)';
    case 'boolean':
      return 'true or false (without quotes)';
    case 'string':
      return 'a string in double quotes';
    case 'array':
      return 'an array [...]';
    case 'object':
      return 'an object {...}';
    default:
      return expected;
  }
}

function unknownKeyProblems(issue: z.core.$ZodIssueUnrecognizedKeys, problems: ProblemList): void {
  const known = knownKeysAt(issue.path);
  for (const key of issue.keys) {
    const field = formatFieldPath([...issue.path, key]);
    const suggestion = didYouMean(key, known);
    problems.add(
      field,
      'is not a known parameter.',
      suggestion === null ? 'Remove it; the README lists every parameter.' : `Did you mean "${suggestion}"?`,
    );
  }
}

function messageFor(issue: z.core.$ZodIssue, value: unknown): string {
  // Messages written in schema.ts already say what the value must be.
  if (issue.message.startsWith('must ')) return `${issue.message}${shown(issue.path, value)}.`;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required.';
      if (issue.expected === 'int') return `must be a whole number${shown(issue.path, value)}.`;
      return `must be ${expectedName(issue.expected)}, not ${describeValue(value)}${shown(issue.path, value)}.`;
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty.' : `must be at least ${String(issue.minimum)} characters long.`;
      if (issue.origin === 'array') return `must have at least ${String(issue.minimum)} entr${issue.minimum === 1 ? 'y' : 'ies'}.`;
      return `must be at least ${String(issue.minimum)}${shown(issue.path, value)}.`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters long.`;
      if (issue.origin === 'array') return `must have at most ${String(issue.maximum)} entries.`;
      return `must be at most ${String(issue.maximum)}${shown(issue.path, value)}.`;
    case 'invalid_format':
      return `${issue.format === 'url' ? 'must be an absolute URL' : 'has the wrong format'}${shown(issue.path, value)}.`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${shown(issue.path, value)}.`;
    case 'invalid_union':
      return `has the wrong type: ${describeValue(value)}${shown(issue.path, value)}.`;
    default:
      return `${issue.message}${shown(issue.path, value)}.`;
  }
}

/** Add one problem per zod issue (one per unknown key) to `problems`. */
export function addZodProblems(issues: readonly z.core.$ZodIssue[], input: unknown, problems: ProblemList): void {
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      unknownKeyProblems(issue, problems);
      continue;
    }
    const value = valueAt(input, issue.path);
    problems.add(formatFieldPath(issue.path), messageFor(issue, value), expectedHint(issue.path));
  }
}

/** The top-level keys of `input` that are not parameters, each with a did-you-mean. */
export function addUnknownTopLevelKeys(input: Record<string, unknown>, problems: ProblemList): void {
  const known = new Set(knownKeysAt([]));
  const unknown = Object.keys(input).filter((key) => !known.has(key));
  if (unknown.length > 0) unknownKeyProblems({ code: 'unrecognized_keys', keys: unknown, path: [], message: '', input }, problems);
}

/** The suggestion for an unknown key, for callers that act on it (the loader scrubs values meant for secret fields). */
export function suggestKnownKey(key: string): string | null {
  return didYouMean(key, knownKeysAt([]));
}
