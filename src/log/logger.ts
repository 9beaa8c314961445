/**
 * The one logger: pino writing to stderr (stdout belongs to command output such as `validate`'s
 * configuration or `test-connection --json`). JSON lines for machines, human-readable lines on a
 * terminal. Every line passes through `scrub` after serialization, so a registered secret cannot
 * reach the log whatever object or message carried it.
 */
import { createRequire } from 'node:module';
import pino from 'pino';
import type { PrettyOptions } from 'pino-pretty';
import { REDACTED, scrub } from './redact.js';

export type Logger = pino.Logger;

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level: string;
  /** `auto`: pretty on a terminal, JSON lines otherwise. */
  format: LogFormat | 'auto';
  /** Where finished lines go; stderr when absent. Tests pass a collector. */
  destination?: LineSink;
}

export interface LineSink {
  write(line: string): unknown;
}

/**
 * Field names that hold secrets in the objects the program logs (parameters, SDK credentials).
 * Values registered with `registerSecret` are scrubbed anyway; this also covers a secret nobody
 * registered.
 */
const REDACTED_PATHS = [
  'secret_access_key',
  'session_token',
  'mfa_token_code',
  'secretAccessKey',
  'sessionToken',
  'SecretAccessKey',
  'SessionToken',
  '*.secret_access_key',
  '*.session_token',
  '*.mfa_token_code',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.SecretAccessKey',
  '*.SessionToken',
  'headers.authorization',
  'headers["x-amz-security-token"]',
];

export function resolveLogFormat(format: LogFormat | 'auto', isTTY: boolean | undefined): LogFormat {
  if (format !== 'auto') return format;
  return isTTY === true ? 'pretty' : 'json';
}

type PrettyFactory = (options: PrettyOptions) => (line: string) => string;

/** pino-pretty loads only when a terminal wants it; JSON logging (every scheduled run) skips it. */
function loadPrettyFactory(): PrettyFactory {
  const required = createRequire(import.meta.url)('pino-pretty') as { prettyFactory: PrettyFactory };
  return required.prettyFactory;
}

function stderrSink(): LineSink {
  // Synchronous so that the last lines before process.exit are not lost.
  return pino.destination({ dest: 2, sync: true });
}

/**
 * While a progress bar owns the terminal, finished log lines go through it (printed above the
 * bar) rather than straight to stderr, so the two never garble each other.
 */
let interceptor: ((line: string) => void) | null = null;

export function setLogInterceptor(fn: ((line: string) => void) | null): void {
  interceptor = fn;
}

export function createLogger(options: LoggerOptions): Logger {
  const format = resolveLogFormat(options.format, process.stderr.isTTY);
  const sink = options.destination ?? stderrSink();
  const prettify =
    format === 'pretty'
      ? loadPrettyFactory()({
          colorize: options.destination === undefined && process.stderr.isTTY === true,
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname',
          singleLine: true,
        })
      : null;
  const stream: LineSink = {
    write(line: string) {
      const clean = scrub(line);
      const out = prettify === null ? clean : scrub(prettify(clean));
      if (interceptor !== null && options.destination === undefined) interceptor(out);
      else sink.write(out);
    },
  };
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: REDACTED },
    },
    stream,
  );
}
