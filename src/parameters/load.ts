/**
 * The parameter loader: file ⇒ environment references ⇒ command-line overrides ⇒ validation ⇒
 * normalised `Parameters`.
 *
 * Precedence, lowest first: the schema's defaults, the parameter file, command-line flags. An
 * `env:NAME` value (in the file or in a flag) is replaced by the environment variable NAME.
 * Every secret the loader sees is registered with the redactor before anything can print it.
 */
import { registerSecret } from '../log/redact.js';
import { resolveEnvReferences } from './envReferences.js';
import { normalizeParameters } from './normalize.js';
import { ProblemList } from './parameterError.js';
import { readParameterFile } from './readParameterFile.js';
import { parametersSchema, SECRET_FIELDS } from './schema.js';
import type { Parameters } from './schema.js';
import { addUnknownTopLevelKeys, addZodProblems, suggestKnownKey } from './zodProblems.js';

export { checkOutputDir } from './checkOutputDir.js';

export interface LoadParametersOptions {
  /** Path of the JSON parameter file. */
  file: string;
  /** Values that win over the file's (command-line flags), by parameter name; undefined entries are ignored. */
  overrides?: Record<string, unknown>;
  /** Where `env:NAME` is looked up; process.env when absent. */
  env?: NodeJS.ProcessEnv;
}

const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set(SECRET_FIELDS);

function isSecretField(name: string): boolean {
  return SECRET_FIELD_NAMES.has(name);
}

/** Register every value that is, or was probably meant to be, a secret: before any message can quote it. */
function registerSecretsOf(input: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(input)) {
    // An env: reference names a variable; its value is registered once it is resolved.
    if (typeof value !== 'string' || value.startsWith('env:')) continue;
    const meantAs = isSecretField(key) ? key : suggestKnownKey(key);
    if (meantAs !== null && isSecretField(meantAs)) registerSecret(value);
  }
}

function definedEntries(overrides: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(overrides ?? {}).filter(([, value]) => value !== undefined));
}

/** Read, check and normalise a parameter file. Throws a `ParameterError` (exit 2) listing every problem. */
export function loadParameters(options: LoadParametersOptions): Parameters {
  const env = options.env ?? process.env;
  const problems = new ProblemList(options.file);

  const fromFile = readParameterFile(options.file);
  // `$schema` only points an editor at parameters/schema.json.
  delete fromFile.$schema;
  const merged = { ...fromFile, ...definedEntries(options.overrides) };
  registerSecretsOf(merged);

  addUnknownTopLevelKeys(merged, problems);
  problems.throwIfAny();

  const resolved = resolveEnvReferences(merged, env, problems);
  const input = resolved.value as Record<string, unknown>;
  registerSecretsOf(input);
  problems.throwIfAny();

  const parsed = parametersSchema.safeParse(input);
  if (!parsed.success) {
    addZodProblems(parsed.error.issues, input, problems);
    problems.throwIfAny();
    throw new Error('zod rejected the parameters without an issue');
  }
  const parameters = normalizeParameters(parsed.data, problems);
  problems.throwIfAny();
  return parameters;
}
