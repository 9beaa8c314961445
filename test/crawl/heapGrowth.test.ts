import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, limitHeapGrowth, resetHeapGrowthForTests } from '../../src/crawl/heapGrowth.js';

describe('limitHeapGrowth', () => {
  afterEach(() => resetHeapGrowthForTests());

  it('sets V8 heap growth once per process', () => {
    resetHeapGrowthForTests();
    const set: string[] = [];
    expect(limitHeapGrowth([], (flags) => set.push(flags))).toBe(true);
    expect(limitHeapGrowth([], (flags) => set.push(flags)), 'a second run in the same process must not set it again').toBe(false);
    expect(set).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
  });

  it.each([['--heap-growing-percent=30'], ['--heap_growing_percent=30'], ['--heap-growing-percent']])('leaves node started with %s to its own setting', (arg) => {
    resetHeapGrowthForTests();
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
