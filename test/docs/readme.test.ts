/**
 * The README is the user's manual: it stays short enough to read, and deep material goes into a
 * page under docs/ with a link from it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const README_LIMIT_BYTES = 35_000;

describe('README.md', () => {
  it(`stays under ${README_LIMIT_BYTES} bytes`, () => {
    const size = Buffer.byteLength(readFileSync('README.md', 'utf8'));
    expect(size, `README.md is ${size} bytes: move deep material into a page under docs/ and link it`).toBeLessThan(README_LIMIT_BYTES);
  });

  it('keeps the two quick-start commands', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toMatch(/^npm test\b/m);
  });
});
