/**
 * One inventory run: lock the output directory, authenticate, crawl, write SQLite and CSV.
 */
import { InventoryError } from '../errors/inventoryError.js';
import type { ExitCodeValue } from '../errors/inventoryError.js';
import type { Parameters } from '../parameters/schema.js';
import type { Logger } from '../log/logger.js';
import type { RunSummary } from '../sinks/store.js';

export interface RunOptions {
  params: Parameters;
  logger: Logger;
  /** Directory to record every HTTP exchange into (secrets scrubbed). */
  record?: string | null;
  /** One shard of a sharded crawl. */
  shard?: { index: number; count: number } | null;
  /** Progress display: `auto` (terminal ⇒ bar, else JSON lines), or none. */
  progress?: 'auto' | 'none';
  csvIncludeDeleted?: boolean;
  /** Overrides `<output_dir>/inventory.sqlite`. */
  sqlitePath?: string | null;
  /** Overrides `<output_dir>/csv`. */
  csvDir?: string | null;
}

export interface RunResult {
  exitCode: ExitCodeValue;
  summary: RunSummary;
  sqlitePath: string | null;
  csvDir: string | null;
  wallSeconds: number;
}

export async function runInventory(_options: RunOptions): Promise<RunResult> {
  throw new InventoryError('internal', 'The crawl is not built yet.');
}
