import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, containsSecret, registerSecret, scrub } from '../../src/log/redact.js';

afterEach(clearSecrets);

describe('redact', () => {
  it('replaces a registered secret wherever it appears, and in its URL- and JSON-escaped forms', () => {
    registerSecret('abc/def+ghi"jkl');
    expect(scrub('key=abc/def+ghi"jkl;')).toBe('key=***;');
    expect(scrub(`url?k=${encodeURIComponent('abc/def+ghi"jkl')}`)).toBe('url?k=***');
    expect(scrub(JSON.stringify({ k: 'abc/def+ghi"jkl' }))).toBe('{"k":"***"}');
  });

  it('removes secrets that contain or overlap one another whole', () => {
    registerSecret('long-secret-number-one');
    registerSecret('long-secret-number-one-and-more');
    registerSecret('prefix-and-long-secret-number-one');
    expect(scrub('x long-secret-number-one-and-more y long-secret-number-one z prefix-and-long-secret-number-one.')).toBe('x *** y *** z ***.');
    registerSecret('AAAAAAAAAAAAAAAABBBBBBBB');
    registerSecret('BBBBBBBBCCCCCCCCCCCCCCCC');
    expect(scrub('<AAAAAAAAAAAAAAAABBBBBBBBCCCCCCCCCCCCCCCC>')).toBe('<***>');
  });

  it('tells apart session tokens that begin alike', () => {
    registerSecret('IQoJb3JpZ2luX2VjEXAMPLEtokenNumberOne111');
    expect(scrub('IQoJb3JpZ2luX2VjEXAMPLEtokenNumberTwo222 IQoJb3JpZ2luX2VjEXAMPLEtokenNumberOne111')).toBe('IQoJb3JpZ2luX2VjEXAMPLEtokenNumberTwo222 ***');
  });

  it('matches a short secret only as a whole word, so account ids survive', () => {
    registerSecret('123456');
    expect(scrub('code 123456 used by 123456789012')).toBe('code *** used by 123456789012');
  });

  it('ignores empty, missing and too-short values', () => {
    registerSecret('');
    registerSecret(null);
    registerSecret(undefined);
    registerSecret('ab');
    expect(scrub('ab cd')).toBe('ab cd');
    expect(containsSecret('anything')).toBe(false);
  });
});

describe('redact at scale', () => {
  it('scrubs a log line quickly with thousands of registered session credentials', () => {
    // Like AWS's: a common beginning, random after it.
    const tokens = Array.from({ length: 4000 }, () => `IQoJb3JpZ2luX2Vj${randomBytes(120).toString('base64')}`);
    const started0 = performance.now();
    for (const token of tokens) registerSecret(token);
    expect(performance.now() - started0).toBeLessThan(2000);
    const leaked = tokens[3999] ?? '';
    const line = JSON.stringify({ level: 30, account: '123456789012', msg: 'listed queues '.repeat(20), leaked });
    const started = performance.now();
    let scrubbed = '';
    for (let i = 0; i < 1000; i++) scrubbed = scrub(line);
    const perLineMs = (performance.now() - started) / 1000;
    expect(scrubbed).not.toContain(leaked.slice(20, 60));
    expect(scrubbed).toContain('"leaked":"***"');
    // One lookup per character: far below a millisecond even on a loaded machine.
    expect(perLineMs).toBeLessThan(2);
  });
});
