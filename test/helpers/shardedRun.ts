/**
 * Helpers for the sharding tests: run every shard of a crawl against one simulated organization
 * into databases of their own, merge them, and read tables back in a comparable order.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { runInventory } from '../../src/crawl/run.js';
import type { RunOptions, RunResult } from '../../src/crawl/run.js';
import type { Logger } from '../../src/log/logger.js';
import type { Parameters } from '../../src/parameters/schema.js';
import { mergeDatabases } from '../../src/sinks/merge.js';
import type { MergeResult } from '../../src/sinks/merge.js';

export function shardPath(dir: string, index: number): string {
  return path.join(dir, `shard-${index}`, 'inventory.sqlite');
}

/** Shard `index` of `count`, into `dir/shard-K/`. */
export function runShard(params: Parameters, logger: Logger, dir: string, index: number, count: number, overrides: Partial<RunOptions> = {}): Promise<RunResult> {
  return runInventory({
    params,
    logger,
    progress: 'none',
    shard: { index, count },
    sqlitePath: shardPath(dir, index),
    csvDir: path.join(dir, `shard-${index}`, 'csv'),
    ...overrides,
  });
}

/** One scheduled run of every shard, one after another. */
export async function runShards(params: Parameters, logger: Logger, dir: string, count: number): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (let index = 0; index < count; index++) results.push(await runShard(params, logger, dir, index, count));
  return results;
}

export function mergeShards(dir: string, indexes: readonly number[]): MergeResult {
  return mergeDatabases(
    path.join(dir, 'merged.sqlite'),
    indexes.map((k) => shardPath(dir, k)),
  );
}

export function withDatabase<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** The resource tables a database holds (its declarations), with their primary keys. */
export function resourceTables(db: Database.Database): Array<{ name: string; primaryKey: string[] }> {
  const rows = db.prepare('SELECT table_name, primary_key FROM schema_tables ORDER BY table_name').all() as Array<{ table_name: string; primary_key: string }>;
  return rows.map((r) => ({ name: r.table_name, primaryKey: JSON.parse(r.primary_key) as string[] }));
}

/** Every row of a resource table, ordered by primary key, without the columns named in `omit`. */
export function tableRows(db: Database.Database, table: { name: string; primaryKey: string[] }, omit: readonly string[] = []): Array<Record<string, unknown>> {
  const order = table.primaryKey.map((c) => `"${c}"`).join(', ');
  const rows = db.prepare(`SELECT * FROM "${table.name}" ORDER BY ${order}`).all() as Array<Record<string, unknown>>;
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !omit.includes(column))));
}

/** A history table (`changes`, `errors`) as sorted JSON lines, without the `shard` column. */
export function historyLines(db: Database.Database, table: 'changes' | 'errors', runId: number): string[] {
  const rows = db.prepare(`SELECT * FROM ${table} WHERE run_id = ?`).all(runId) as Array<Record<string, unknown>>;
  return rows.map((row) => JSON.stringify(Object.fromEntries(Object.entries(row).filter(([column]) => column !== 'shard')))).sort();
}
