/**
 * One inventory run: check the output directory, authenticate (nothing is written before the
 * chain works), take the lock, crawl into SQLite, export CSV, then publish the run's events when
 * `publish` is set. Publishing comes last so that a slow or missing queue never delays or spoils
 * the inventory files; its failure makes the run partial (exit 1) and never rolls anything back.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HttpHandler } from '@smithy/protocol-http';
import { buildCredentialChain } from '../auth/assumeRoleChain.js';
import type { CredentialChain } from '../auth/assumeRoleChain.js';
import { openCredentialCache } from '../auth/credentialCache.js';
import { ClientFactory } from '../aws/clientFactory.js';
import { defaultRequestHandler } from '../aws/httpHandler.js';
import { toolVersion } from '../version.js';
import { ExitCode } from '../errors/inventoryError.js';
import type { ExitCodeValue } from '../errors/inventoryError.js';
import { createRecorder } from '../fixtures/recorder.js';
import type { Recorder } from '../fixtures/recorder.js';
import type { Logger } from '../log/logger.js';
import { checkOutputDir } from '../parameters/load.js';
import type { Parameters } from '../parameters/schema.js';
import { publishEvents } from '../publish/publishEvents.js';
import type { PublishReport } from '../publish/publishEvents.js';
import { SECRET_FIELDS } from '../parameters/schema.js';
import { openSqliteStore } from '../sinks/sqlite/sqliteStore.js';
import type { RunSummary } from '../sinks/store.js';
import { exportCsv } from '../sinks/csv/writeCsv.js';
import { acquireLock } from '../sinks/lock.js';
import { TABLES, tablesFor } from '../tables/index.js';
import { sqliteReaderFor } from '../report/sqliteReader.js';
import { REPORT_FILE, writeReport } from '../report/writeReport.js';
import { describeErrorGroup, groupErrors } from '../errors/errorCauses.js';
import type { ErrorRecord } from '../errors/errorCauses.js';
import { accountOfArn } from '../errors/errorCauses.js';
import type { SqliteStore } from '../sinks/sqlite/sqliteStore.js';
import type { CallerIdentity, CrawlOutcome, CrawlProgress, Shard } from './engine.js';
import { authenticate, crawl } from './engine.js';
import { limitHeapGrowth } from './heapGrowth.js';
import { progressReporter } from './progress.js';
import { Scheduler, reservedSlots } from './scheduler.js';
import { SharedSlots } from './workers/sharedSlots.js';
import { WorkerPool, resolveWorkerCount } from './workers/workerPool.js';

export interface RunOptions {
  params: Parameters;
  logger: Logger;
  /** Directory to record every HTTP exchange into (secrets scrubbed). */
  record?: string | null;
  /** One shard of a sharded crawl. */
  shard?: Shard | null;
  /** Progress display: `auto` (terminal ⇒ bar, else JSON lines), or none. */
  progress?: 'auto' | 'none';
  csvIncludeDeleted?: boolean;
  /** Overrides `<output_dir>/inventory.sqlite`. */
  sqlitePath?: string | null;
  /** Overrides `<output_dir>/csv`. */
  csvDir?: string | null;
  /** Replaces the HTTP handler (tests wrap it to count or break requests). */
  requestHandler?: HttpHandler;
  /** Live counters for a progress display. */
  onProgress?: (progress: CrawlProgress, scheduler: Scheduler) => void;
  /** Backoff between publishing attempts (tests pass a quick one). */
  publishSleep?: (ms: number) => Promise<void>;
  /** The crawl worker module (tests, which run from the TypeScript sources, pass a compiled one). */
  workerEntry?: URL;
}

export interface RunResult {
  exitCode: ExitCodeValue;
  summary: RunSummary;
  outcome: CrawlOutcome;
  sqlitePath: string | null;
  csvDir: string | null;
  /** `report.html`, when the html format is asked for. */
  reportPath: string | null;
  /** What publishing events did, when `publish` is set. */
  publish: PublishReport | null;
  wallSeconds: number;
  /** Requests by `service:Operation`, AssumeRole calls, retries. */
  requests: { total: number; byOperation: Record<string, number>; retries: number; throttled: number; expiredRenewals: number; assumeRoleCalls: number };
}

/** sha256 of the effective parameters without secrets: equal digests, equal configurations. */
export function parameterDigest(params: Parameters): string {
  const copy: Record<string, unknown> = { ...params };
  for (const field of SECRET_FIELDS) delete copy[field];
  return createHash('sha256').update(JSON.stringify(copy, Object.keys(copy).sort())).digest('hex');
}

export async function runInventory(options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  limitHeapGrowth();
  const { params, logger } = options;
  const writesSqlite = params.formats.includes('sqlite');
  const writesCsv = params.formats.includes('csv');
  const reportPath = params.formats.includes('html') ? path.join(params.output_dir, REPORT_FILE) : null;

  checkOutputDir(params.output_dir);
  const sqlitePath = writesSqlite ? (options.sqlitePath ?? path.join(params.output_dir, 'inventory.sqlite')) : null;
  const csvDir = writesCsv ? (options.csvDir ?? path.join(params.output_dir, 'csv')) : null;
  if (sqlitePath !== null) checkOutputDir(path.dirname(sqlitePath), { field: '--sqlite-path' });
  // The CSV directory itself is created when the CSV is written, after a successful crawl.
  if (csvDir !== null) checkOutputDir(path.dirname(path.resolve(csvDir)), { field: '--csv-dir' });
  // The recording is written at the end: a directory it cannot be written to fails now, not then.
  if (options.record) checkOutputDir(options.record, { field: '--record' });

  const baseHandler = options.requestHandler ?? defaultRequestHandler(params);
  let recorder: Recorder | null = null;
  if (options.record) {
    recorder = createRecorder(options.record);
  }
  const requestHandler = recorder ? recorder.wrap(baseHandler) : baseHandler;

  const cache = params.credential_cache === false ? undefined : openCredentialCache(params.credential_cache, logger);
  const chain = buildCredentialChain({ params, logger, requestHandler, ...(cache ? { cache } : {}) });
  const clients = new ClientFactory(params, requestHandler);
  // Organizations allows a handful of requests per second per account: two in flight at most.
  const serviceLimits = { organizations: 2 };
  // Recording and tests' request handlers see every request only when all of them are sent here.
  const workerCount = options.requestHandler !== undefined || recorder !== null ? 0 : resolveWorkerCount(params.workers);
  const slots = workerCount > 0 ? SharedSlots.create(params.concurrency - reservedSlots(params.concurrency, serviceLimits)) : undefined;
  const scheduler = new Scheduler({ concurrency: params.concurrency, maxAttempts: params.max_attempts, serviceLimits, ...(slots ? { sharedSlots: slots } : {}) });
  const workers =
    slots === undefined
      ? null
      : new WorkerPool({
          params,
          count: workerCount,
          slots,
          scheduler,
          logger,
          partition: chain.partition,
          tables: TABLES,
          adaptive: params.workers === 'auto',
          ...(options.workerEntry ? { entry: options.workerEntry } : {}),
        });

  let crawlFailed = false;
  try {
    const caller = await authenticate(chain, clients, scheduler, params.region);
    logger.info({ callerArn: caller.arn }, `authenticated as ${caller.arn}`);
    const lock = await acquireLock(params.output_dir, { logger });
    try {
      return await crawlIntoStore({ ...options, sqlitePath, csvDir, reportPath }, { chain, clients, scheduler, workers, caller, started, publishHandler: baseHandler });
    } finally {
      lock.release();
    }
  } catch (error) {
    crawlFailed = true;
    throw error;
  } finally {
    // The credentials this run obtained are written once, not once per role assumed.
    cache?.close();
    await workers?.close();
    // A recording that cannot be written fails the run, unless the run failed already: then the
    // run's own error is the one to report.
    await recorder?.close().catch((error: unknown) => {
      if (!crawlFailed) throw error;
      logger.error({ err: error }, `the recording was not written: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}

interface Prepared {
  chain: CredentialChain;
  clients: ClientFactory;
  scheduler: Scheduler;
  workers: WorkerPool | null;
  caller: CallerIdentity;
  started: number;
  /** Publishing is not recorded: a recording is of the crawl, and event bodies carry times. */
  publishHandler: HttpHandler;
}

async function crawlIntoStore(options: RunOptions & { sqlitePath: string | null; csvDir: string | null; reportPath: string | null }, prepared: Prepared): Promise<RunResult> {
  const { params, logger, sqlitePath, csvDir, reportPath } = options;
  const { chain, clients, scheduler, workers, caller, started } = prepared;
  const tables = tablesFor(params.resources);
  // Without the sqlite format the database is a scratch file the CSV is exported from.
  const scratch = sqlitePath === null ? mkdtempSync(path.join(tmpdir(), 'aws-org-inventory-')) : null;
  const store = openSqliteStore(sqlitePath ?? path.join(scratch ?? '', 'inventory.sqlite'), { outbox: params.publish === null ? null : { events: params.publish.events } });
  try {
    store.beginRun({
      startedAt: new Date(started).toISOString(),
      toolVersion,
      parameterDigest: parameterDigest(params),
      shard: options.shard ? `${options.shard.index}/${options.shard.count}` : null,
      tables,
    });
    const progress: CrawlProgress = { startedAt: started, accountsTotal: 0, accountsDone: 0, errors: 0, rows: 0 };
    const reporter = options.onProgress === undefined && options.progress !== 'none' ? progressReporter(logger) : null;
    const report = (p: CrawlProgress, s: Scheduler) => (options.onProgress ?? reporter?.update)?.(p, s);
    const ticker = options.onProgress !== undefined || reporter !== null ? setInterval(() => report(progress, scheduler), 1000) : null;
    let outcome: CrawlOutcome;
    try {
      outcome = await crawl({ params, chain, clients, scheduler, workers, store, tables, logger, shard: options.shard ?? null, caller, progress });
    } catch (error) {
      // Workers still crawling must not write into the run being closed.
      await workers?.abort();
      store.finishRun('failed');
      throw error;
    } finally {
      if (ticker) clearInterval(ticker);
      report(progress, scheduler);
      reporter?.stop();
    }
    let summary = store.finishRun(outcome.errorCount > 0 ? 'partial' : 'succeeded');
    // Every declared table, crawled this run or not: the CSV mirrors the database's current rows.
    if (csvDir !== null) await exportCsv(store, TABLES, csvDir, { includeDeleted: options.csvIncludeDeleted ?? false });
    let publish: PublishReport | null = null;
    if (params.publish !== null) {
      publish = await publishEvents({
        params,
        publish: params.publish,
        db: store.database,
        runId: summary.runId,
        chain,
        logger,
        requestHandler: prepared.publishHandler,
        ...(options.publishSleep ? { sleep: options.publishSleep } : {}),
      });
      if (publish.errors.length > 0) summary = { ...summary, ...store.recordErrorsAfterFinish(publish.errors) };
    }
    if (summary.errorCount > 0) logErrorCauses(store, summary.runId, caller.arn, logger);
    // Last, so that the page shows the run as it ended, publishing errors included.
    if (reportPath !== null) {
      const report = await writeReport(sqliteReaderFor(store.database, store.path), reportPath, { runId: summary.runId, toolVersion });
      logger.info({ report: report.path, bytes: report.bytes }, `wrote ${report.path}`);
    }
    return {
      exitCode: summary.status === 'succeeded' ? ExitCode.succeeded : ExitCode.partial,
      summary,
      outcome,
      sqlitePath,
      csvDir,
      reportPath,
      publish,
      wallSeconds: (Date.now() - started) / 1000,
      requests: {
        total: scheduler.stats.requests,
        byOperation: { ...scheduler.stats.byOperation },
        retries: scheduler.stats.retries,
        throttled: scheduler.stats.throttled,
        expiredRenewals: scheduler.stats.expiredRenewals,
        assumeRoleCalls: chain.assumeRoleCalls(),
      },
    };
  } finally {
    store.close();
    if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Causes of a run's errors shown on the command line, each with its fix (the report lists them too). */
const CAUSES_LOGGED = 10;

/** One warning per cause of the run's errors, most frequent first, with what to do about it. */
function logErrorCauses(store: SqliteStore, runId: number, callerArn: string, logger: Logger): void {
  const rows = store.database
    .prepare('SELECT account_id AS accountId, region, service, operation, resource, error_code AS errorCode, message FROM errors WHERE run_id = ?')
    .iterate(runId) as IterableIterator<ErrorRecord>;
  const groups = groupErrors(rows, accountOfArn(callerArn), 0);
  for (const group of groups.slice(0, CAUSES_LOGGED)) {
    logger.warn({ errorCode: group.errorCode, call: `${group.service}:${group.operation}`, count: group.count, accounts: group.accounts.length, fix: group.fix }, describeErrorGroup(group));
  }
  if (groups.length > CAUSES_LOGGED) logger.warn(`${groups.length - CAUSES_LOGGED} more causes of errors: see the errors table, errors.csv or report.html`);
}
