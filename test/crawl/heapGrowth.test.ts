import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from '../../src/crawl/heapGrowth.js';

describe('limitHeapGrowth', () => {
  it("sets V8's heap growth", () => {
    const set: string[] = [];
    expect(limitHeapGrowth([], (flags) => set.push(flags))).toBe(true);
    expect(set).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
  });

  it.each([['--heap-growing-percent=30'], ['--heap_growing_percent=30'], ['--heap-growing-percent']])('leaves node started with %s to its own setting', (arg) => {
    const set: string[] = [];
    expect(limitHeapGrowth(['--enable-source-maps', arg], (flags) => set.push(flags))).toBe(false);
    expect(set, 'the command line setting must win').toEqual([]);
  });

  it("is a flag of this Node's V8", () => {
    // V8 ignores an unknown flag without a word: a Node whose V8 dropped it would lose the cap silently.
    const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    expect(options, 'node --v8-options no longer lists --heap-growing-percent').toContain('--heap-growing-percent');
  });
});
