/**
 * Reads a parameter file into a plain object, with a message for each way that can fail: no such
 * file, not readable, not JSON (with line and column), JSON that is not an object.
 */
import { readFileSync } from 'node:fs';
import { ParameterError } from './parameterError.js';
import { locateJsonError } from './locateJsonError.js';

const EXAMPLE_HINT = 'Pass --params with the path of a parameter file; parameters/example.json and parameters/minimal.json are examples.';

function fail(file: string, message: string, hint: string): never {
  throw new ParameterError([{ field: file, message, hint }]);
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

export function readParameterFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail(file, 'parameter file not found.', EXAMPLE_HINT);
    if (code === 'EISDIR') fail(file, 'is a directory, not a parameter file.', EXAMPLE_HINT);
    if (code === 'EACCES' || code === 'EPERM') fail(file, 'parameter file is not readable by this user.', 'Fix its permissions (chmod 600 keeps it private and readable).');
    fail(file, `cannot read the parameter file (${code ?? 'unknown error'}).`, EXAMPLE_HINT);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const located = locateJsonError(text);
    const where = located === null ? '' : ` at line ${located.line}, column ${located.column}`;
    const problem = located === null ? 'invalid JSON' : located.problem;
    fail(`${file}`, `is not valid JSON${where}: ${problem}.`, 'The parameter file is one JSON object; JSON allows no comments and no trailing commas.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(file, `must hold one JSON object, but holds ${describeJsonType(value)}.`, 'Write the parameters as {"name": value, ...}; see parameters/minimal.json.');
  }
  return value as Record<string, unknown>;
}
