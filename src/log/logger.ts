import pino from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  level: string;
  format: 'json' | 'pretty';
}

/** Placeholder until the logging module lands: JSON lines on stderr. */
export function createLogger(options: LoggerOptions): Logger {
  return pino({ level: options.level }, pino.destination(2));
}
