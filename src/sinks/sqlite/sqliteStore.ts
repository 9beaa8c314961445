/**
 * The system of record: an `InventoryStore` on SQLite. Rows are buffered and written in batched
 * transactions (one per `batchSize` rows), each compared with the stored row to record
 * `added`/`modified` changes; deletions are decided when the run finishes, only for the slices
 * the crawl completed. Every committed batch survives a crash; a run left `running` by a killed
 * process is marked `failed` by the next one.
 *
 * @example
 *   const store = openSqliteStore('output/inventory.sqlite');
 *   store.beginRun({ startedAt, toolVersion, parameterDigest, shard: null, tables });
 *   store.upsert(queues, row);
 *   store.completeScope(queues, { accountId, region });
 *   const summary = store.finishRun('succeeded');
 *   store.close();
 */
import type Database from 'better-sqlite3';
import type { CrawlStatus } from '../../crawl/context.js';
import type { Row, TableDeclaration } from '../../crawl/table.js';
import { scopeColumns } from '../../crawl/table.js';
import { InventoryError } from '../../errors/inventoryError.js';
import { OutboxWriter } from '../../publish/outboxWriter.js';
import type { OutboxWriterOptions } from '../../publish/outboxWriter.js';
import type { ErrorRow, InventoryStore, RunStart, RunStatus, RunSummary, ScopeKey, UpsertOptions } from '../store.js';
import { openDatabase } from './openDatabase.js';
import { ensureBaseSchema, ensureResourceTable, readShapes } from './schema.js';
import { storageError } from './storageError.js';
import { TableWriter } from './tableWriter.js';
import { quoteIdent, shapeOf } from './tableShape.js';
import { createViews } from './views.js';

export interface SqliteStoreOptions {
  /** Rows (and error rows) per write transaction. Defaults to 500. */
  batchSize?: number;
  /** How long a write waits for another connection's lock, in milliseconds. */
  busyTimeoutMs?: number;
  /** Clock for `finished_at`; tests pass a fixed one. */
  now?: () => Date;
  /**
   * Events to put in the `outbox` table with the changes that cause them (`publish` is set):
   * `changes` writes one per recorded change, `run` one when the run finishes.
   */
  outbox?: Pick<OutboxWriterOptions, 'events'> | null;
}

export interface SqliteStore extends InventoryStore {
  readonly path: string;
  /** The open connection, for exports and queries (`exportCsv`, `merge`). */
  readonly database: Database.Database;
  /** Writes the buffered rows now. */
  flush(): void;
  /** The slices of a table that hold current rows, for retiring accounts that left. */
  storedScopes(table: TableDeclaration): ScopeKey[];
  /**
   * Errors found after the last run finished (publishing its events): written to `errors` for
   * that run, which becomes `partial` if it had succeeded. Returns the run's status and error count.
   */
  recordErrorsAfterFinish(errors: readonly ErrorRow[]): { status: FinishedStatus; errorCount: number };
}

type Pending =
  | { kind: 'row'; writer: TableWriter; row: Row; unknownColumns: readonly string[] | undefined }
  | { kind: 'error'; error: ErrorRow }
  | { kind: 'account'; accountId: string; status: CrawlStatus };

interface ActiveRun {
  id: number;
  start: RunStart;
  writers: Map<string, TableWriter>;
  completed: Map<string, Map<string, ScopeKey>>;
  /** The first write failure of this run; later writes are refused with it and the run fails. */
  failure: InventoryError | null;
}

type FinishedStatus = Exclude<RunStatus, 'running'>;

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const db = openDatabase(path, { busyTimeoutMs: options.busyTimeoutMs });
  try {
    db.transaction(() => ensureBaseSchema(db, path)).immediate();
  } catch (error) {
    db.close();
    throw storageError(error, path, 'prepare the database');
  }
  return new SqliteInventoryStore(path, db, options);
}

class SqliteInventoryStore implements SqliteStore {
  readonly path: string;
  readonly database: Database.Database;
  private readonly batchSize: number;
  private readonly now: () => Date;
  private run: ActiveRun | null = null;
  private lastRunId: number | null = null;
  private pending: Pending[] = [];
  private readonly insertChange: Database.Statement<unknown[]>;
  private readonly insertError: Database.Statement<unknown[]>;
  private readonly insertAccountCrawl: Database.Statement<unknown[]>;
  private readonly outbox: OutboxWriter | null;

  constructor(path: string, db: Database.Database, options: SqliteStoreOptions) {
    this.path = path;
    this.database = db;
    this.batchSize = Math.max(1, options.batchSize ?? 500);
    this.now = options.now ?? (() => new Date());
    this.insertChange = db.prepare('INSERT INTO changes (run_id, shard, table_name, primary_key, change, changed_columns, previous_values) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.insertError = db.prepare(
      'INSERT INTO errors (run_id, shard, account_id, region, service, operation, resource, error_code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertAccountCrawl = db.prepare(
      'INSERT INTO account_crawls (run_id, account_id, crawl_status) VALUES (?, ?, ?) ON CONFLICT (run_id, account_id) DO UPDATE SET crawl_status = excluded.crawl_status',
    );
    this.outbox = options.outbox ? new OutboxWriter(db, { events: options.outbox.events, now: this.now }) : null;
  }

  get runId(): number {
    const id = this.run?.id ?? this.lastRunId;
    if (id === null) throw new InventoryError('internal', 'No run has begun on this store: call beginRun first.');
    return id;
  }

  beginRun(start: RunStart): number {
    if (this.run !== null) throw new InventoryError('internal', `Run ${this.run.id} is still open on ${this.path}: finish it before beginning another.`);
    const shapes = start.tables.map(shapeOf);
    const names = new Set<string>();
    for (const shape of shapes) {
      if (names.has(shape.name)) throw new InventoryError('internal', `Table ${shape.name} is declared twice.`);
      names.add(shape.name);
    }
    const db = this.database;
    let id: number;
    try {
      id = db
        .transaction(() => {
          for (const shape of shapes) ensureResourceTable(db, shape);
          createViews(db, readShapes(db));
          // A run still `running` here was killed (SIGKILL, power loss) before it could finish.
          db.prepare("UPDATE runs SET status = 'failed' WHERE status = 'running'").run();
          this.outbox?.beginRun(start.startedAt);
          const result = db
            .prepare("INSERT INTO runs (started_at, status, tool_version, parameter_digest, shard, error_count) VALUES (?, 'running', ?, ?, ?, 0)")
            .run(start.startedAt, start.toolVersion, start.parameterDigest, start.shard);
          return Number(result.lastInsertRowid);
        })
        .immediate();
    } catch (error) {
      throw storageError(error, this.path, 'begin a run in');
    }
    this.run = {
      id,
      start,
      writers: new Map(shapes.map((shape) => [shape.name, new TableWriter(db, shape)])),
      completed: new Map(),
      failure: null,
    };
    this.lastRunId = id;
    return id;
  }

  setCallerArn(arn: string): void {
    const run = this.requireRun();
    try {
      this.database.prepare('UPDATE runs SET caller_arn = ? WHERE run_id = ?').run(arn, run.id);
    } catch (error) {
      throw storageError(error, this.path, 'write to');
    }
  }

  upsert(table: TableDeclaration, row: Row, options: UpsertOptions = {}): void {
    const failure = this.requireRun().failure;
    if (failure !== null) throw failure;
    const writer = this.writerFor(table);
    writer.check(row);
    this.pending.push({ kind: 'row', writer, row: { ...row }, unknownColumns: options.unknownColumns });
    if (this.pending.length >= this.batchSize) this.flush();
  }

  recordError(error: ErrorRow): void {
    // Never throws for a broken disk: callers record errors from their own error handlers, and
    // finishRun reports the failure.
    if (this.requireRun().failure !== null) return;
    this.pending.push({ kind: 'error', error: { ...error } });
    if (this.pending.length < this.batchSize) return;
    try {
      this.flush();
    } catch {
      // Kept in run.failure; finishRun throws it.
    }
  }

  recordAccountCrawl(accountId: string, status: CrawlStatus): void {
    if (this.requireRun().failure !== null) return;
    this.pending.push({ kind: 'account', accountId, status });
    if (this.pending.length < this.batchSize) return;
    try {
      this.flush();
    } catch {
      // Kept in run.failure; finishRun throws it.
    }
  }

  completeScope(table: TableDeclaration, key: ScopeKey): void {
    const run = this.requireRun();
    this.writerFor(table);
    const slice: ScopeKey = {};
    for (const column of scopeColumns(table.scope)) {
      const value = column === 'account_id' ? key.accountId : key.region;
      if (value === undefined) throw new InventoryError('internal', `completeScope(${table.name}) needs ${column} for a ${table.scope} table.`);
      if (column === 'account_id') slice.accountId = value;
      else slice.region = value;
    }
    let slices = run.completed.get(table.name);
    if (slices === undefined) run.completed.set(table.name, (slices = new Map()));
    slices.set(JSON.stringify(slice), slice);
  }

  flush(): void {
    const run = this.requireRun();
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.database.transaction(() => {
        for (const item of batch) {
          if (item.kind === 'row') {
            const outcome = item.writer.write(item.row, run.id, item.unknownColumns);
            if (outcome === null) continue;
            const changed = outcome.change === 'modified' ? JSON.stringify(outcome.changedColumns) : null;
            const previous = outcome.change === 'modified' ? JSON.stringify(outcome.previous) : null;
            const primaryKey = item.writer.primaryKeyJson(item.row);
            this.insertChange.run(run.id, run.start.shard, item.writer.shape.name, primaryKey, outcome.change, changed, previous);
            this.outbox?.change(item.writer.shape, run.id, run.start.shard, primaryKey, outcome.change, outcome.change === 'modified' ? outcome.changedColumns : null);
          } else if (item.kind === 'account') {
            this.insertAccountCrawl.run(run.id, item.accountId, item.status);
          } else {
            const e = item.error;
            this.insertError.run(run.id, run.start.shard, e.accountId, e.region, e.service, e.operation, e.resource, e.errorCode, e.message);
          }
        }
      })();
    } catch (error) {
      // Rows of this batch are lost, so "not seen" no longer means "gone": the run can only fail.
      run.failure = storageError(error, this.path, 'write rows to');
      throw run.failure;
    }
  }

  finishRun(status: FinishedStatus): RunSummary {
    const run = this.requireRun();
    try {
      if (run.failure !== null) throw run.failure;
      this.flush();
    } catch (error) {
      this.abandon(run);
      throw error;
    }
    const finishedAt = this.now().toISOString();
    const db = this.database;
    let summary: RunSummary;
    try {
      summary = db
        .transaction(() => {
          if (status !== 'failed') {
            for (const [tableName, slices] of run.completed) {
              const writer = run.writers.get(tableName);
              if (writer === undefined) continue;
              for (const key of slices.values()) {
                for (const primaryKey of writer.removeUnseen(run.id, key)) {
                  this.insertChange.run(run.id, run.start.shard, tableName, primaryKey, 'removed', null, null);
                  this.outbox?.change(writer.shape, run.id, run.start.shard, primaryKey, 'removed', null);
                }
              }
            }
          }
          const finished = this.summarize(run, status, finishedAt);
          this.outbox?.runCompleted(finished, run.start);
          return finished;
        })
        .immediate();
    } catch (error) {
      this.abandon(run);
      throw storageError(error, this.path, 'finish the run in');
    }
    this.run = null;
    return summary;
  }

  storedScopes(table: TableDeclaration): ScopeKey[] {
    const columns = scopeColumns(table.scope);
    if (columns.length === 0) return [{}];
    const exists = this.database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table.name);
    if (exists === undefined) return [];
    const list = columns.map(quoteIdent).join(', ');
    const rows = this.database
      .prepare(`SELECT DISTINCT ${list} FROM ${quoteIdent(table.name)} WHERE deleted_run IS NULL ORDER BY ${list}`)
      .all() as Array<{ account_id: string; region?: string }>;
    return rows.map((r) => (r.region === undefined ? { accountId: r.account_id } : { accountId: r.account_id, region: r.region }));
  }

  recordErrorsAfterFinish(errors: readonly ErrorRow[]): { status: FinishedStatus; errorCount: number } {
    if (this.run !== null) throw new InventoryError('internal', `Run ${this.run.id} is still open on ${this.path}: record its errors with recordError.`);
    const runId = this.runId;
    const db = this.database;
    try {
      return db
        .transaction(() => {
          const shard = db.prepare('SELECT shard FROM runs WHERE run_id = ?').pluck().get(runId) as string | null;
          for (const e of errors) this.insertError.run(runId, shard, e.accountId, e.region, e.service, e.operation, e.resource, e.errorCode, e.message);
          const errorCount = Number(db.prepare('SELECT count(*) FROM errors WHERE run_id = ?').pluck().get(runId));
          db.prepare("UPDATE runs SET error_count = ?, status = CASE WHEN status = 'succeeded' AND ? > 0 THEN 'partial' ELSE status END WHERE run_id = ?").run(errorCount, errors.length, runId);
          const status = db.prepare('SELECT status FROM runs WHERE run_id = ?').pluck().get(runId) as FinishedStatus;
          return { status, errorCount };
        })
        .immediate();
    } catch (error) {
      throw storageError(error, this.path, 'record errors in');
    }
  }

  close(): void {
    // A run not finished stays `running`; the next run marks it `failed`.
    this.pending = [];
    this.run = null;
    if (this.database.open) this.database.close();
  }

  private summarize(run: ActiveRun, status: FinishedStatus, finishedAt: string): RunSummary {
    const db = this.database;
    const rows: Record<string, number> = {};
    const changes: RunSummary['changes'] = {};
    for (const name of run.writers.keys()) {
      rows[name] = Number(db.prepare(`SELECT count(*) FROM ${quoteIdent(name)} WHERE last_seen_run = ?`).pluck().get(run.id));
      changes[name] = { added: 0, modified: 0, removed: 0 };
    }
    const counted = db
      .prepare('SELECT table_name, change, count(*) AS n FROM changes WHERE run_id = ? GROUP BY table_name, change')
      .all(run.id) as Array<{ table_name: string; change: 'added' | 'modified' | 'removed'; n: number }>;
    for (const c of counted) {
      const entry = (changes[c.table_name] ??= { added: 0, modified: 0, removed: 0 });
      entry[c.change] = c.n;
    }
    const errorCount = Number(db.prepare('SELECT count(*) FROM errors WHERE run_id = ?').pluck().get(run.id));
    db.prepare('UPDATE runs SET finished_at = ?, status = ?, rows_per_table = ?, changes_per_table = ?, error_count = ? WHERE run_id = ?').run(
      finishedAt,
      status,
      JSON.stringify(rows),
      JSON.stringify(changes),
      errorCount,
      run.id,
    );
    return { runId: run.id, status, startedAt: run.start.startedAt, finishedAt, rows, changes, errorCount };
  }

  /** After a write failure: try to record the run as failed; the disk may refuse that too. */
  private abandon(run: ActiveRun): void {
    this.pending = [];
    this.run = null;
    try {
      this.database.prepare("UPDATE runs SET status = 'failed', finished_at = ? WHERE run_id = ?").run(this.now().toISOString(), run.id);
    } catch {
      // Left `running`: the next run marks it failed.
    }
  }

  private requireRun(): ActiveRun {
    if (this.run === null) throw new InventoryError('internal', `No run is open on ${this.path}: call beginRun first.`);
    return this.run;
  }

  private writerFor(table: TableDeclaration): TableWriter {
    const writer = this.requireRun().writers.get(table.name);
    if (writer === undefined) throw new InventoryError('internal', `Table ${table.name} is not among the tables this run began with.`);
    return writer;
  }
}
