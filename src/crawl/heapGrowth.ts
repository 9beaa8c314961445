/**
 * How far V8 lets a heap grow before its next full collection, set for the whole process (the
 * main thread and the crawl workers).
 *
 * A crawl's live data stays small (rows stream to SQLite; a heap snapshot of the main thread in
 * benchmark (b) holds about 40 MB), but its requests leave a steady stream of objects that live a
 * few hundred milliseconds, long enough to reach the old generation. With its own heuristics V8
 * let that garbage pile up to three or four times the live data before collecting it: the main
 * thread's heap reached 130–160 MB, and (b) peaked at 268–344 MB of RSS, over its 300 MB
 * target in a third of the runs. Capping the growth at twice what the last full collection
 * kept: (b) 245–251 MB, (a) at concurrency 64 236–240 MB instead of 303–320 MB, (c) 162 MB
 * instead of 216 MB, for about 2% more CPU in (a) at 64 (more frequent full collections). Half that growth (50%) saved 30 MB more in (b)
 * but cost more full collections.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 100;

const FLAG = '--heap-growing-percent';
let applied = false;

/**
 * Applies `HEAP_GROWING_PERCENT`, once per process, unless node was started with its own
 * `--heap-growing-percent` (it cannot be given in NODE_OPTIONS, only on node's command line).
 * V8 reads this setting at each full collection, so setting it while the process runs takes
 * effect from the next one.
 */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv, set: (flags: string) => void = setFlagsFromString): boolean {
  if (applied) return false;
  applied = true;
  if (execArgv.some((arg) => arg === FLAG || arg.startsWith(`${FLAG}=`) || arg.startsWith('--heap_growing_percent'))) return false;
  set(`${FLAG}=${HEAP_GROWING_PERCENT}`);
  return true;
}

/** For tests: forget that the setting was applied. */
export function resetHeapGrowthForTests(): void {
  applied = false;
}
