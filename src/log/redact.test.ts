import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, containsSecret, registerSecret, scrub } from './redact.js';

afterEach(clearSecrets);

describe('redact', () => {
  it('replaces a registered secret wherever it appears, and in its URL- and JSON-escaped forms', () => {
    registerSecret('abc/def+ghi"jkl');
    expect(scrub('key=abc/def+ghi"jkl;')).toBe('key=***;');
    expect(scrub(`url?k=${encodeURIComponent('abc/def+ghi"jkl')}`)).toBe('url?k=***');
    expect(scrub(JSON.stringify({ k: 'abc/def+ghi"jkl' }))).toBe('{"k":"***"}');
  });

  it('removes the longer of two overlapping secrets whole', () => {
    registerSecret('secret-one');
    registerSecret('secret-one-and-more');
    expect(scrub('x secret-one-and-more y secret-one')).toBe('x *** y ***');
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
