/**
 * How far V8 lets a heap grow before its next full collection, set for the whole process (the
 * main thread and the crawl workers).
 *
 * A crawl's live data stays small (rows stream to SQLite; a heap snapshot of the main thread in
 * benchmark (b) holds about 40 MB), but its requests leave a steady stream of objects that live a
 * few hundred milliseconds, long enough to reach the old generation. With its own heuristics V8
 * let that garbage pile up to three or four times the live data before collecting it: the main
 * thread's heap reached 130–160 MB, and (b) peaked at 268–344 MB of RSS, over its 300 MB target
 * in a third of the runs. Capping the growth at twice what the last full collection kept: (b)
 * 243–251 MB, (a) at concurrency 64 236–240 MB instead of 303–320 MB, (c) 162 MB instead of
 * 216 MB, for about 2% more CPU in (a) at 64 (more frequent full collections). A growth of 50%
 * saved 30 MB more in (b), with still more frequent full collections.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 100;

const FLAG = '--heap-growing-percent';

/**
 * Applies `HEAP_GROWING_PERCENT` unless node was started with its own `--heap-growing-percent`
 * (a V8 option NODE_OPTIONS does not take: only node's command line). V8 reads it at each full
 * collection, so setting it while the process runs takes effect from the next one; setting it
 * again is harmless. Returns whether it was set.
 */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv, set: (flags: string) => void = setFlagsFromString): boolean {
  if (execArgv.some((arg) => arg === FLAG || arg.startsWith(`${FLAG}=`) || arg.startsWith('--heap_growing_percent'))) return false;
  set(`${FLAG}=${HEAP_GROWING_PERCENT}`);
  return true;
}
