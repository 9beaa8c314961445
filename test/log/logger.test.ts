import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, resolveLogFormat } from '../../src/log/logger.js';
import { clearSecrets, registerSecret } from '../../src/log/redact.js';

afterEach(clearSecrets);

function collect() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => lines.push(line) } };
}

describe('logger', () => {
  it('writes JSON lines with level, time and message', () => {
    const { lines, destination } = collect();
    createLogger({ level: 'info', format: 'json', destination }).info({ account: '111111111111' }, 'crawled');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(record).toMatchObject({ level: 30, msg: 'crawled', account: '111111111111' });
    expect(typeof record.time).toBe('string');
  });

  it('scrubs registered secrets from messages, fields and errors', () => {
    registerSecret('logger-secret-value-1');
    const { lines, destination } = collect();
    const logger = createLogger({ level: 'debug', format: 'json', destination });
    logger.info('token logger-secret-value-1 in a message');
    logger.debug({ detail: { nested: 'has logger-secret-value-1' } }, 'object');
    logger.error({ err: new Error('failed with logger-secret-value-1') }, 'error');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toContain('logger-secret-value-1');
    expect(lines.join('')).toContain('***');
  });

  it('censors secret-named fields even when the value was never registered', () => {
    const { lines, destination } = collect();
    createLogger({ level: 'info', format: 'json', destination }).info({ credentials: { SecretAccessKey: 'unregistered-1', SessionToken: 'unregistered-2' } }, 'creds');
    expect(lines[0]).not.toMatch(/unregistered-/);
  });

  it('writes readable single lines in pretty format, scrubbed too', () => {
    registerSecret('pretty-secret-value-2');
    const { lines, destination } = collect();
    createLogger({ level: 'info', format: 'pretty', destination }).warn({ account: '111111111111' }, 'slow pretty-secret-value-2');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARN.*slow \*\*\*/);
    expect(lines[0]).not.toContain('pretty-secret-value-2');
    expect(() => JSON.parse(lines[0] ?? '')).toThrow();
  });

  it('respects the level', () => {
    const { lines, destination } = collect();
    const logger = createLogger({ level: 'warn', format: 'json', destination });
    logger.info('hidden');
    logger.warn('shown');
    expect(lines).toHaveLength(1);
  });

  it('chooses pretty on a terminal and JSON otherwise, unless told', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('auto', undefined)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
  });
});
