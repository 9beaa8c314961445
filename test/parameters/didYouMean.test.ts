import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/parameters/didYouMean.js';

const KNOWN = ['access_key_id', 'secret_access_key', 'session_token', 'region', 'regions', 'output_dir', 'master_assume_role_arn_chain', 'concurrency'];

describe('didYouMean', () => {
  it('computes the Levenshtein distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it.each([
    ['secret_key', 'secret_access_key'],
    ['secretAccessKey', 'secret_access_key'],
    ['Region', 'region'],
    ['regoins', 'regions'],
    ['output-dir', 'output_dir'],
    ['assume_role_arn_chain', 'master_assume_role_arn_chain'],
    ['concurency', 'concurrency'],
  ])('suggests %s ⇒ %s', (name, expected) => {
    expect(didYouMean(name, KNOWN)).toBe(expected);
  });

  it('suggests nothing for an unrelated name', () => {
    expect(didYouMean('colour', KNOWN)).toBeNull();
    expect(didYouMean('x', KNOWN)).toBeNull();
  });
});
