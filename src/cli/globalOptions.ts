/**
 * Flags every command accepts, and what the commands build from them: the parameters (file plus
 * overrides) and the logger.
 */
import type { Options } from 'yargs';
import { configError } from '../errors/inventoryError.js';
import { createLogger } from '../log/logger.js';
import type { Logger } from '../log/logger.js';
import { loadParameters } from '../parameters/load.js';
import { LOG_LEVELS } from '../parameters/schema.js';
import type { Parameters } from '../parameters/schema.js';
import { parameterOverrides } from './parameterFlags.js';

export interface GlobalArgs {
  params?: string;
  'log-level'?: string;
  'log-format': 'auto' | 'json' | 'pretty';
  debug: boolean;
  quiet: boolean;
  [flag: string]: unknown;
}

export const GLOBAL_OPTIONS: Record<string, Options> = {
  params: {
    alias: 'p',
    type: 'string',
    describe: 'parameter file (JSON); see parameters/example.json',
    requiresArg: true,
  },
  'log-level': {
    type: 'string',
    choices: [...LOG_LEVELS],
    describe: 'log level; wins over log_level in the parameter file',
    requiresArg: true,
  },
  'log-format': {
    type: 'string',
    choices: ['auto', 'json', 'pretty'],
    default: 'auto',
    describe: 'log lines on stderr: JSON lines, or human-readable; auto ⇒ human-readable on a terminal, JSON otherwise',
  },
  debug: { type: 'boolean', default: false, describe: 'debug logging, and stack traces with errors' },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'only warnings and errors; no progress display' },
};

export function requireParamsFile(argv: GlobalArgs): string {
  if (argv.params === undefined || argv.params === '') {
    throw configError('--params', 'no parameter file given.', 'Pass --params FILE; parameters/example.json runs against the bundled simulated organization.');
  }
  return argv.params;
}

/** The effective parameters: the file, with the command line's parameter flags winning. */
export function parametersFromArgs(argv: GlobalArgs): Parameters {
  return loadParameters({ file: requireParamsFile(argv), overrides: parameterOverrides(argv) });
}

export function logLevelFor(argv: GlobalArgs, fileLevel: string): string {
  if (argv['log-level'] !== undefined) return argv['log-level'];
  if (argv.debug) return 'debug';
  if (argv.quiet) return 'warn';
  return fileLevel;
}

export function loggerFor(argv: GlobalArgs, fileLevel = 'info'): Logger {
  return createLogger({ level: logLevelFor(argv, fileLevel), format: argv['log-format'] });
}
