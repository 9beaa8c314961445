/**
 * `env:NAME` in any string value of the parameter file stands for the environment variable NAME,
 * so that secrets can stay out of the file.
 */
import { formatFieldPath } from './parameterError.js';
import type { ProblemList } from './parameterError.js';

const PREFIX = 'env:';
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface EnvResolution {
  value: unknown;
  /** Field paths (as `formatFieldPath` writes them) whose value came from the environment. */
  fromEnv: string[];
}

/** Replace every `env:NAME` string in `value` (recursively); missing variables go to `problems`. */
export function resolveEnvReferences(value: unknown, env: NodeJS.ProcessEnv, problems: ProblemList): EnvResolution {
  const fromEnv: string[] = [];

  function visit(node: unknown, path: PropertyKey[]): unknown {
    if (typeof node === 'string') {
      if (!node.startsWith(PREFIX)) return node;
      const field = formatFieldPath(path);
      const name = node.slice(PREFIX.length);
      if (!NAME_PATTERN.test(name)) {
        problems.add(field, `"${node}" does not name an environment variable.`, 'Write env:NAME with NAME made of letters, digits and underscores, e.g. env:AWS_SECRET_ACCESS_KEY.');
        return node;
      }
      const resolved = env[name];
      if (resolved === undefined) {
        problems.add(field, `environment variable ${name} is not set (the file says "${node}").`, `Export ${name} before running, or write the value in the parameter file.`);
        return node;
      }
      if (resolved === '') {
        problems.add(field, `environment variable ${name} is set but empty (the file says "${node}").`, `Give ${name} a value, or remove ${field} from the parameter file.`);
        return node;
      }
      fromEnv.push(field);
      return resolved;
    }
    if (Array.isArray(node)) return node.map((item, index) => visit(item, [...path, index]));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, visit(item, [...path, key])]));
    }
    return node;
  }

  return { value: visit(value, []), fromEnv };
}
