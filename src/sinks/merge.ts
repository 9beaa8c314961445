/**
 * Combines the databases of a sharded crawl (`run --shard K/N`) into one whose resource tables
 * equal an unsharded run's. Shards are expected to run in step (run n of every shard is night
 * n), so run ids line up: run n of the merged database stands for run n of every shard.
 *
 * - account and account-region tables: the union of the shards' rows. If an account appears in
 *   two shards (the shard count changed), the row seen most recently wins.
 * - organization tables: from the first shard (by shard index) that holds rows of them; shard 0
 *   crawls them. `accounts.crawl_status` there says `other-shard` for the accounts other shards
 *   own; each shard records its own accounts' statuses in `account_crawls`, and the merged row takes
 *   the owning shard's latest status (from an earlier run when the owner missed the last one, like
 *   the account's resource rows).
 * - `runs`: one row per run id summing the shards' counts (status: failed if any shard failed or
 *   never finished, partial if any was partial or a shard is missing); every shard's own run row
 *   is kept in `run_shards`. `errors` and `changes` are carried over with their shard, except
 *   that the `crawl_status` part of the `accounts` changes follows the owners' statuses.
 * - run n of every shard is taken to be the same scheduled run. A shard out of step (it skipped
 *   a run or opened an extra one, so its run n is everyone else's run n+1) or missing from the
 *   last run is reported in `warnings`: current rows and statuses stay right, but the history
 *   (`runs`, `changes`, the run columns) numbers that shard's runs as it did.
 *
 * - `outbox`: left empty. Each shard publishes its own events from its own database (every event
 *   names its shard), and unsent ones go first on that shard's next run. Copies in the merged
 *   database could only be sent a second time, or mistaken for what waits; the merge warns
 *   instead when a shard still has unsent events.
 *
 * The result is written to a temporary file beside `into` and renamed over it; the shard files
 * are opened read-only and never changed.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { InventoryError } from '../errors/inventoryError.js';
import { checkExistingDatabase, openDatabase } from './sqlite/openDatabase.js';
import { SCHEMA_VERSION, ensureBaseSchema, ensureResourceTable, readSchemaVersion, readShapes } from './sqlite/schema.js';
import { storageError } from './sqlite/storageError.js';
import { BOOKKEEPING_COLUMNS, quoteIdent } from './sqlite/tableShape.js';
import type { ColumnShape, TableShape } from './sqlite/tableShape.js';
import { createViews } from './sqlite/views.js';
import type { RunStatus } from './store.js';

export interface MergeResult {
  into: string;
  /** The sources in the order they were taken (by shard index). */
  sources: Array<{ path: string; shard: string | null }>;
  /** Rows per resource table in the merged database, current and deleted. */
  rows: Record<string, number>;
  runs: number;
  /** Problems the merge went on with: missing shards, shards whose run ids are out of step. */
  warnings: string[];
}

interface Source {
  path: string;
  db: Database.Database;
  shard: string | null;
  shapes: Map<string, TableShape>;
}

interface RunRow {
  run_id: number;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  tool_version: string | null;
  parameter_digest: string | null;
  caller_arn: string | null;
  shard: string | null;
  rows_per_table: string | null;
  changes_per_table: string | null;
  error_count: number;
}

const RUN_SHARDS_DDL = `CREATE TABLE IF NOT EXISTS run_shards (
  run_id INTEGER NOT NULL,
  shard TEXT,
  source TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,
  tool_version TEXT,
  parameter_digest TEXT,
  caller_arn TEXT,
  rows_per_table TEXT,
  changes_per_table TEXT,
  error_count INTEGER NOT NULL DEFAULT 0
)`;

function shardIndex(shard: string | null): number {
  const match = shard === null ? null : /^(\d+)\/\d+$/.exec(shard);
  return match?.[1] === undefined ? Number.MAX_SAFE_INTEGER : Number(match[1]);
}

function openSource(path: string): Source {
  if (checkExistingDatabase(path) !== 'database') {
    throw new InventoryError('config', `${path} is not an inventory database (it is missing or empty).`, {
      field: path,
      hint: 'Pass the sqlite files the shard runs wrote (their --sqlite-path or <output_dir>/inventory.sqlite).',
    });
  }
  const db = openDatabase(path, { readonly: true });
  const version = readSchemaVersion(db);
  if (version !== SCHEMA_VERSION) {
    db.close();
    throw new InventoryError('config', `${path} has schema version ${version}; this version merges version ${SCHEMA_VERSION}.`, {
      field: path,
      hint: 'Run every shard with the same version of aws-org-inventory before merging.',
    });
  }
  const shard = (db.prepare('SELECT shard FROM runs ORDER BY run_id DESC LIMIT 1').pluck().get() as string | null | undefined) ?? null;
  return { path, db, shard, shapes: readShapes(db) };
}

/** One shape per table across the sources: the union of their columns, in first-seen order. */
function unionShapes(sources: readonly Source[]): Map<string, TableShape> {
  const union = new Map<string, TableShape>();
  for (const source of sources) {
    for (const shape of source.shapes.values()) {
      const known = union.get(shape.name);
      if (known === undefined) {
        union.set(shape.name, { ...shape, columns: [...shape.columns] });
        continue;
      }
      if (known.scope !== shape.scope || known.primaryKey.join(',') !== shape.primaryKey.join(',')) {
        throw new InventoryError('config', `Table ${shape.name} has a different scope or primary key in ${source.path} than in another shard.`, {
          field: source.path,
          hint: 'Run every shard with the same version of aws-org-inventory before merging.',
        });
      }
      const columns = known.columns as ColumnShape[];
      for (const column of shape.columns) if (!columns.some((c) => c.name === column.name)) columns.push(column);
    }
  }
  return union;
}

function hasRows(source: Source, table: string): boolean {
  return source.shapes.has(table) && source.db.prepare(`SELECT 1 FROM ${quoteIdent(table)} LIMIT 1`).get() !== undefined;
}

/** Copies a table's rows; on a key conflict the row seen in the later run wins. */
function copyRows(target: Database.Database, source: Source, shape: TableShape): void {
  const stored = new Set((source.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(shape.name) as string[]));
  const columns = [...shape.columns.map((c) => c.name), ...BOOKKEEPING_COLUMNS].filter((c) => stored.has(c));
  const updates = columns.filter((c) => !shape.primaryKey.includes(c)).map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`);
  const table = quoteIdent(shape.name);
  const insert = target.prepare(
    `INSERT INTO ${table} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
     ON CONFLICT (${shape.primaryKey.map(quoteIdent).join(', ')}) DO UPDATE SET ${updates.join(', ')}
     WHERE excluded.last_seen_run > ${table}.last_seen_run`,
  );
  const rows = source.db.prepare(`SELECT ${columns.map(quoteIdent).join(', ')} FROM ${table}`).raw(true).iterate() as IterableIterator<unknown[]>;
  for (const row of rows) insert.run(...row);
}

function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function copyAccountCrawls(target: Database.Database, source: Source): void {
  if (!hasTable(source.db, 'account_crawls')) return;
  // Shards that all decided the same status (filtered, not-crawled) agree; the first one is kept.
  const insert = target.prepare('INSERT INTO account_crawls (run_id, account_id, crawl_status) VALUES (?, ?, ?) ON CONFLICT (run_id, account_id) DO NOTHING');
  for (const row of source.db.prepare('SELECT run_id, account_id, crawl_status FROM account_crawls').raw(true).iterate() as IterableIterator<unknown[]>) {
    insert.run(...row);
  }
}

/**
 * Replaces shard 0's `other-shard` with the status of the owning shard's latest crawl of the
 * account. The latest rather than the one numbered like the row's `last_seen_run`: a shard whose
 * run ids fell out of step still speaks for its accounts.
 */
function settleAccountStatuses(target: Database.Database, shapes: ReadonlyMap<string, TableShape>): void {
  const accounts = shapes.get('accounts');
  if (accounts === undefined || !accounts.columns.some((c) => c.name === 'crawl_status')) return;
  const latest = 'FROM account_crawls c WHERE c.account_id = accounts.id ORDER BY c.run_id DESC LIMIT 1';
  target.prepare(`UPDATE accounts SET crawl_status = (SELECT c.crawl_status ${latest}) WHERE crawl_status = 'other-shard' AND EXISTS (SELECT 1 ${latest})`).run();
}

interface StatusStep {
  run_id: number;
  account_id: string;
  crawl_status: string;
  before: string;
}

/**
 * Shard 0 saw `other-shard` where an unsharded run sees the owner's status, so its `accounts`
 * changes miss the owners' status changes (and show flips to and from `other-shard` that are
 * none). Rewrites the `crawl_status` part of the `accounts` changes from the owners' statuses.
 */
function settleAccountStatusChanges(target: Database.Database, shape: TableShape | undefined, ownerPath: string | undefined): void {
  if (shape === undefined || ownerPath === undefined || shape.primaryKey.join(',') !== 'id') return;
  const order = shape.columns.map((c) => c.name);
  const steps = target
    .prepare(
      `SELECT run_id, account_id, crawl_status, before FROM (
         SELECT run_id, account_id, crawl_status, LAG(crawl_status) OVER (PARTITION BY account_id ORDER BY run_id) AS before FROM account_crawls
       ) WHERE before IS NOT NULL ORDER BY run_id, account_id`,
    )
    .all() as StatusStep[];
  const find = target.prepare("SELECT rowid, change, changed_columns, previous_values FROM changes WHERE run_id = ? AND table_name = 'accounts' AND primary_key = ?");
  const update = target.prepare('UPDATE changes SET changed_columns = ?, previous_values = ? WHERE rowid = ?');
  const remove = target.prepare('DELETE FROM changes WHERE rowid = ?');
  const shardOfRun = target.prepare('SELECT shard FROM run_shards WHERE run_id = ? AND source = ?').pluck();
  const insert = target.prepare("INSERT INTO changes (run_id, shard, table_name, primary_key, change, changed_columns, previous_values) VALUES (?, ?, 'accounts', ?, 'modified', ?, ?)");
  const touched = new Set<number>();
  for (const step of steps) {
    const key = JSON.stringify({ id: step.account_id });
    const changed = step.crawl_status !== step.before;
    const row = find.get(step.run_id, key) as { rowid: number; change: string; changed_columns: string | null; previous_values: string | null } | undefined;
    if (row !== undefined && row.change !== 'modified') continue;
    const columns = row?.changed_columns ? (JSON.parse(row.changed_columns) as string[]) : [];
    // A change recorded before previous values were kept stays without them.
    const previous = row === undefined ? {} : row.previous_values === null ? null : (JSON.parse(row.previous_values) as Record<string, unknown>);
    // Shard 0's previous status was `other-shard`; the owner's is the one before this run.
    const previousRight = previous === null || (changed ? previous.crawl_status === step.before : !('crawl_status' in previous));
    if (changed === columns.includes('crawl_status') && previousRight) continue;
    const next = changed ? [...new Set([...columns, 'crawl_status'])].sort((a, b) => order.indexOf(a) - order.indexOf(b)) : columns.filter((c) => c !== 'crawl_status');
    if (previous !== null) previous.crawl_status = step.before;
    // In the order of the changed columns, as the store writes them.
    const previousJson = previous === null ? null : JSON.stringify(Object.fromEntries(next.map((c) => [c, previous[c] ?? null])));
    if (row === undefined) insert.run(step.run_id, (shardOfRun.get(step.run_id, ownerPath) as string | null | undefined) ?? null, key, JSON.stringify(next), previousJson);
    else if (next.length === 0) remove.run(row.rowid);
    else update.run(JSON.stringify(next), previousJson, row.rowid);
    touched.add(step.run_id);
  }
  const counts = target.prepare("SELECT change, count(*) AS n FROM changes WHERE run_id = ? AND table_name = 'accounts' GROUP BY change");
  const readRun = target.prepare('SELECT changes_per_table FROM runs WHERE run_id = ?').pluck();
  const writeRun = target.prepare('UPDATE runs SET changes_per_table = ? WHERE run_id = ?');
  for (const runId of touched) {
    const perTable = JSON.parse((readRun.get(runId) as string | null | undefined) ?? '{}') as Record<string, Record<string, number>>;
    const entry: Record<string, number> = { added: 0, modified: 0, removed: 0 };
    for (const c of counts.all(runId) as Array<{ change: string; n: number }>) entry[c.change] = c.n;
    perTable.accounts = entry;
    writeRun.run(JSON.stringify(perTable), runId);
  }
}

/**
 * Run n of every shard must be the same scheduled crawl, so every shard's run n ends before any
 * shard's run n+1 begins. A shard that skipped a schedule (it failed before opening its run)
 * numbers the next crawl n while the others number it n+1; a shard retried within one schedule
 * opens run n+1 while the others are still in run n. Either way two runs overlap.
 */
function runWarnings(sources: readonly Source[]): string[] {
  const warnings: string[] = [];
  const shards = sources.map((source) => ({
    label: `${source.path} (shard ${source.shard ?? 'none'})`,
    runs: new Map(
      (source.db.prepare('SELECT run_id, started_at, finished_at FROM runs').all() as Array<{ run_id: number; started_at: string; finished_at: string | null }>).map((r) => [
        r.run_id,
        { started: r.started_at, ended: r.finished_at ?? r.started_at },
      ]),
    ),
  }));
  const ids = [...new Set(shards.flatMap((s) => [...s.runs.keys()]))].sort((a, b) => a - b);
  outOfStep: for (let i = 0; i + 1 < ids.length; i++) {
    const n = ids[i] ?? 0;
    const next = ids[i + 1] ?? 0;
    for (const a of shards) {
      const run = a.runs.get(n);
      if (run === undefined) continue;
      for (const b of shards) {
        const later = b.runs.get(next);
        if (later === undefined || a === b || Date.parse(run.ended) <= Date.parse(later.started)) continue;
        warnings.push(
          `Run ids are out of step: ${a.label} was still in its run ${n} (${run.started} to ${run.ended}) when ${b.label} began its run ${next} at ${later.started}. ` +
            'A shard missed a scheduled run or ran twice in one, so from here on merged runs mix different scheduled runs (current rows and crawl statuses are still right). ' +
            'Start the shards into fresh databases to line the run ids up again.',
        );
        break outOfStep;
      }
    }
  }
  const latest = ids.at(-1);
  if (latest === undefined) return warnings;
  const labels = sources.map((s) => (s.db.prepare('SELECT shard FROM runs WHERE run_id = ?').pluck().get(latest) as string | null | undefined) ?? null);
  const counts = new Set(labels.map((l) => /^\d+\/(\d+)$/.exec(l ?? '')?.[1]).filter((n): n is string => n !== undefined));
  if (counts.size > 1) {
    warnings.push(`Run ${latest} mixes shard counts (${[...counts].map((n) => `of ${n}`).join(', ')}): accounts that no merged shard owned are missing from it.`);
  }
  if (counts.size === 1) {
    const count = Number([...counts][0]);
    const present = new Set(labels.map((l) => shardIndex(l)));
    const missing = Array.from({ length: count }, (_, k) => k).filter((k) => !present.has(k));
    if (missing.length > 0) {
      warnings.push(
        `Run ${latest} has no run from shard ${missing.map((k) => `${k}/${count}`).join(', ')}: the merged run is partial, and the missing shards' accounts keep the rows they had.`,
      );
    }
  }
  return warnings;
}

/** `text` as one word of a POSIX shell command line. */
function shellQuote(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A shard with events not yet published: they stay in that shard's outbox, not the merged one. */
function outboxWarnings(sources: readonly Source[]): string[] {
  const warnings: string[] = [];
  for (const source of sources) {
    if (!hasTable(source.db, 'outbox')) continue;
    const unsent = Number(source.db.prepare('SELECT count(*) FROM outbox WHERE sent_at IS NULL').pluck().get());
    if (unsent === 0) continue;
    warnings.push(
      `${source.path} (shard ${source.shard ?? 'none'}) has ${unsent} event${unsent === 1 ? '' : 's'} not yet published. ` +
        "They stay in that shard's outbox and go first on its next run; the merged database holds no events. " +
        `See why with: sqlite3 ${shellQuote(source.path)} "SELECT seq, table_name, attempts, last_error FROM outbox WHERE sent_at IS NULL"`,
    );
  }
  return warnings;
}

function mergeStatus(rows: readonly RunRow[]): RunStatus {
  if (rows.some((r) => r.status === 'failed' || r.status === 'running')) return 'failed';
  const counts = rows.map((r) => /^\d+\/(\d+)$/.exec(r.shard ?? '')?.[1]).filter((n): n is string => n !== undefined);
  const expected = counts.length === rows.length && new Set(counts).size === 1 ? Number(counts[0]) : rows.length;
  if (rows.some((r) => r.status === 'partial') || new Set(rows.map((r) => r.shard)).size < expected) return 'partial';
  return 'succeeded';
}

function sumJson(texts: ReadonlyArray<string | null>): string {
  const total: Record<string, unknown> = {};
  const add = (into: Record<string, unknown>, value: Record<string, unknown>): void => {
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'number') into[key] = (typeof into[key] === 'number' ? into[key] : 0) + v;
      else if (v !== null && typeof v === 'object') {
        const nested = (into[key] !== null && typeof into[key] === 'object' ? into[key] : (into[key] = {})) as Record<string, unknown>;
        add(nested, v as Record<string, unknown>);
      }
    }
  };
  for (const text of texts) if (text !== null) add(total, JSON.parse(text) as Record<string, unknown>);
  return JSON.stringify(total);
}

function mergeRuns(target: Database.Database, sources: readonly Source[]): number {
  const byRun = new Map<number, Array<RunRow & { source: string }>>();
  for (const source of sources) {
    for (const row of source.db.prepare('SELECT * FROM runs ORDER BY run_id').all() as RunRow[]) {
      const list = byRun.get(row.run_id) ?? [];
      list.push({ ...row, source: source.path });
      byRun.set(row.run_id, list);
    }
  }
  const insertRun = target.prepare(
    `INSERT INTO runs (run_id, started_at, finished_at, status, tool_version, parameter_digest, caller_arn, shard, rows_per_table, changes_per_table, error_count)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertShard = target.prepare(
    `INSERT INTO run_shards (run_id, shard, source, started_at, finished_at, status, tool_version, parameter_digest, caller_arn, rows_per_table, changes_per_table, error_count)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const [runId, rows] of [...byRun].sort((a, b) => a[0] - b[0])) {
    const first = rows[0];
    if (first === undefined) continue;
    const finished = rows.every((r) => r.finished_at !== null) ? rows.map((r) => r.finished_at ?? '').sort().at(-1) : null;
    insertRun.run(
      runId,
      rows.map((r) => r.started_at).sort()[0],
      finished ?? null,
      mergeStatus(rows),
      first.tool_version,
      first.parameter_digest,
      rows.find((r) => r.caller_arn !== null)?.caller_arn ?? null,
      rows.map((r) => r.shard ?? '').join(','),
      sumJson(rows.map((r) => r.rows_per_table)),
      sumJson(rows.map((r) => r.changes_per_table)),
      rows.reduce((n, r) => n + r.error_count, 0),
    );
    for (const r of rows) {
      insertShard.run(runId, r.shard, r.source, r.started_at, r.finished_at, r.status, r.tool_version, r.parameter_digest, r.caller_arn, r.rows_per_table, r.changes_per_table, r.error_count);
    }
  }
  return byRun.size;
}

function copyHistory(target: Database.Database, source: Source, skipTables: ReadonlySet<string>): void {
  const shardOf = new Map((source.db.prepare('SELECT run_id, shard FROM runs').all() as Array<{ run_id: number; shard: string | null }>).map((r) => [r.run_id, r.shard]));
  const insertError = target.prepare(
    'INSERT INTO errors (run_id, shard, account_id, region, service, operation, resource, error_code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const e of source.db.prepare('SELECT * FROM errors ORDER BY rowid').iterate() as IterableIterator<Record<string, string | number | null>>) {
    insertError.run(e.run_id, e.shard ?? shardOf.get(Number(e.run_id)) ?? null, e.account_id, e.region, e.service, e.operation, e.resource, e.error_code, e.message);
  }
  const insertChange = target.prepare('INSERT INTO changes (run_id, shard, table_name, primary_key, change, changed_columns, previous_values) VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (const c of source.db.prepare('SELECT * FROM changes ORDER BY rowid').iterate() as IterableIterator<Record<string, string | number | null>>) {
    if (skipTables.has(String(c.table_name))) continue;
    insertChange.run(c.run_id, c.shard ?? shardOf.get(Number(c.run_id)) ?? null, c.table_name, c.primary_key, c.change, c.changed_columns, c.previous_values ?? null);
  }
}

export function mergeDatabases(into: string, sourcePaths: readonly string[]): MergeResult {
  if (sourcePaths.length === 0) throw new InventoryError('config', 'merge needs at least one shard database.', { hint: 'merge --into DB A.sqlite B.sqlite …' });
  const target = resolve(into);
  const seen = new Set<string>();
  for (const path of sourcePaths) {
    const full = resolve(path);
    if (full === target) throw new InventoryError('config', `${path} is both a source and the --into database.`, { field: '--into', hint: 'Merge into a new file.' });
    if (seen.has(full)) throw new InventoryError('config', `${path} is named twice.`, { hint: 'Name each shard database once.' });
    seen.add(full);
  }
  // Refuse to replace a file that is not an inventory database (a typo in --into).
  if (existsSync(into)) checkExistingDatabase(into);

  const sources: Source[] = [];
  const temporary = `${into}.merge-${process.pid}.tmp`;
  let db: Database.Database | null = null;
  try {
    for (const path of sourcePaths) sources.push(openSource(path));
    sources.sort((a, b) => shardIndex(a.shard) - shardIndex(b.shard));
    const shapes = unionShapes(sources);
    const warnings = [...runWarnings(sources), ...outboxWarnings(sources)];

    for (const suffix of ['', '-wal', '-shm']) rmSync(`${temporary}${suffix}`, { force: true });
    db = openDatabase(temporary);
    const out = db;
    const rows: Record<string, number> = {};
    let runs = 0;
    out
      .transaction(() => {
        ensureBaseSchema(out, temporary);
        out.exec(RUN_SHARDS_DDL);
        const organizationTablesFrom = new Map<string, Source>();
        for (const shape of shapes.values()) {
          ensureResourceTable(out, shape);
          if (shape.scope === 'organization') {
            const owner = sources.find((s) => hasRows(s, shape.name));
            if (owner !== undefined) {
              organizationTablesFrom.set(shape.name, owner);
              copyRows(out, owner, shape);
            }
          } else {
            for (const source of sources) if (source.shapes.has(shape.name)) copyRows(out, source, shape);
          }
          rows[shape.name] = Number(out.prepare(`SELECT count(*) FROM ${quoteIdent(shape.name)}`).pluck().get());
        }
        for (const source of sources) copyAccountCrawls(out, source);
        settleAccountStatuses(out, shapes);
        runs = mergeRuns(out, sources);
        for (const source of sources) {
          const skip = new Set([...organizationTablesFrom].filter(([, owner]) => owner !== source).map(([name]) => name));
          copyHistory(out, source, skip);
        }
        settleAccountStatusChanges(out, shapes.get('accounts'), organizationTablesFrom.get('accounts')?.path);
        createViews(out, readShapes(out));
      })
      .immediate();
    out.close();
    db = null;
    // A replaced database's WAL must not be replayed onto the new file.
    for (const suffix of ['-wal', '-shm']) rmSync(`${into}${suffix}`, { force: true });
    renameSync(temporary, into);
    return { into, sources: sources.map((s) => ({ path: s.path, shard: s.shard })), rows, runs, warnings };
  } catch (error) {
    db?.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${temporary}${suffix}`, { force: true });
    throw storageError(error, into, 'merge into');
  } finally {
    for (const source of sources) source.db.close();
  }
}
