/**
 * What the crawl engine writes to. The SQLite store (`sqlite/sqliteStore.ts`) is the system of
 * record; CSV files are exported from it when a run ends.
 */
import type { CrawlStatus } from '../crawl/context.js';
import type { Row, TableDeclaration } from '../crawl/table.js';

export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

export interface RunStart {
  /** ISO-8601 UTC. */
  startedAt: string;
  toolVersion: string;
  /** sha256 of the effective parameters with secrets removed. */
  parameterDigest: string;
  /** `K/N` when the run is one shard of a sharded crawl. */
  shard: string | null;
  /** The tables this run crawls; tables not listed keep their rows untouched. */
  tables: readonly TableDeclaration[];
}

/** The slice of a table one target owns: `{}` (organization), `{accountId}`, `{accountId, region}`. */
export interface ScopeKey {
  accountId?: string;
  region?: string;
}

export interface ErrorRow {
  accountId: string | null;
  region: string | null;
  /** `sts`, `organizations`, `sqs`, `s3`, … */
  service: string;
  /** AWS operation name, e.g. `GetBucketPolicy`. */
  operation: string;
  /** Resource the call was about (queue URL, bucket name, role ARN), if any. */
  resource: string | null;
  /** AWS's error name (`AccessDenied`), or the connector's (`RegionNotEnabled`). */
  errorCode: string;
  message: string;
}

export interface UpsertOptions {
  /**
   * Columns whose value could not be read in this run (a denied sub-call). An existing row keeps
   * its stored values for them; a new row gets null.
   */
  unknownColumns?: readonly string[];
}

export interface RunSummary {
  runId: number;
  status: Exclude<RunStatus, 'running'>;
  startedAt: string;
  finishedAt: string;
  /** Rows seen in this run, per table. */
  rows: Record<string, number>;
  /** Changes recorded in this run, per table and kind. */
  changes: Record<string, { added: number; modified: number; removed: number }>;
  errorCount: number;
}

export interface InventoryStore {
  /** Starts a run: marks runs left `running` by a killed process `failed`, creates tables. */
  beginRun(start: RunStart): number;
  readonly runId: number;
  setCallerArn(arn: string): void;
  /** Buffered; written in batched transactions. Records `added`/`modified` changes. */
  upsert(table: TableDeclaration, row: Row, options?: UpsertOptions): void;
  recordError(error: ErrorRow): void;
  /**
   * How this run's member crawl of an account ended. Every shard records the accounts it owns, so
   * `merge` can give `accounts.crawl_status` (written by shard 0 alone) the owning shard's answer.
   * Like `recordError`, never throws for a broken disk; `finishRun` reports the failure.
   */
  recordAccountCrawl(accountId: string, status: CrawlStatus): void;
  /**
   * The crawl of `table` for this slice finished without error: rows of the slice not seen in
   * this run are marked `deleted_run` (and a `removed` change) when the run finishes.
   */
  completeScope(table: TableDeclaration, key: ScopeKey): void;
  /**
   * The slices of `table` that still hold current rows. A crawl that enumerated every account
   * (no filters, no shard) can `completeScope` the slices of accounts no longer in the
   * organization, so their rows are marked deleted instead of staying current forever.
   */
  storedScopes?(table: TableDeclaration): ScopeKey[];
  /** Flushes, applies deletions, writes the run row. `failed` rolls nothing back that was committed. */
  finishRun(status: Exclude<RunStatus, 'running'>): RunSummary;
  close(): void;
}
