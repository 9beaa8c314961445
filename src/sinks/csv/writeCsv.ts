/**
 * CSV exports from the system of record: `<dir>/<table>.csv` for every declared table, plus
 * `errors.csv` with the last finished run's errors. RFC 4180 (CRLF records, fields with a comma,
 * quote, CR or LF quoted, quotes doubled), UTF-8 without a byte-order mark, header row, rows
 * sorted by primary key, streamed from an SQLite iterator through csv-stringify into a
 * temporary file beside the target that is renamed over it when complete.
 *
 * Which columns: the declared columns only. The bookkeeping columns (`first_seen_run`,
 * `last_seen_run`) describe the database's history, not the estate: with them, two runs against
 * an unchanged estate, or the same replay into a fresh and an old output directory, would give
 * different bytes. The CSV is a snapshot of the current inventory and depends on the source
 * alone; history lives in SQLite (`runs`, `changes`). With `includeDeleted`, rows marked deleted
 * are added and a `deleted_run` column says in which run each left (empty for current rows).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Database from 'better-sqlite3';
import { stringify } from 'csv-stringify';
import { allColumns } from '../../crawl/table.js';
import type { TableDeclaration } from '../../crawl/table.js';
import { storageError } from '../sqlite/storageError.js';
import { quoteIdent } from '../sqlite/tableShape.js';

export interface ExportCsvOptions {
  /** Add rows marked deleted and a `deleted_run` column. */
  includeDeleted: boolean;
  /** Write `errors.csv` with the last finished run's errors. Defaults to true. */
  errors?: boolean;
}

/** The columns of `errors.csv`, which are also its sort order; no run id, so reruns compare equal. */
const ERROR_COLUMNS = ['account_id', 'region', 'service', 'operation', 'resource', 'error_code', 'message'] as const;

type Source = Database.Database | { readonly database: Database.Database };

function databaseOf(source: Source): Database.Database {
  return 'database' in source ? source.database : source;
}

function tableExists(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** A column declared after the database was last written reads as empty rather than failing. */
function selectList(db: Database.Database, table: string, columns: readonly string[]): string {
  const stored = new Set(db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]);
  return columns.map((c) => (stored.has(c) ? quoteIdent(c) : `NULL AS ${quoteIdent(c)}`)).join(', ');
}

function* iterate(statement: Database.Statement<unknown[], unknown[]>, ...params: unknown[]): Generator<unknown[]> {
  // A generator closed early (the file could not be written) ends the SQLite iterator with it.
  yield* statement.raw(true).iterate(...params);
}

async function writeAtomically(target: string, columns: readonly string[], rows: Iterable<unknown[]>): Promise<void> {
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    await pipeline(
      Readable.from(rows),
      stringify({ header: true, columns: [...columns], record_delimiter: 'windows' }),
      createWriteStream(temporary, { encoding: 'utf8' }),
    );
    await rename(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw storageError(error, target, 'write the CSV file');
  }
}

/** Writes the CSV files and returns their paths, tables first (in declaration order), then `errors.csv`. */
export async function exportCsv(source: Source, tables: readonly TableDeclaration[], dir: string, options: ExportCsvOptions): Promise<string[]> {
  const db = databaseOf(source);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw storageError(error, dir, 'create the CSV directory');
  }
  const written: string[] = [];
  for (const table of tables) {
    const declared = allColumns(table).map((c) => c.name);
    const columns = options.includeDeleted ? [...declared, 'deleted_run'] : declared;
    const target = join(dir, `${table.name}.csv`);
    let rows: Iterable<unknown[]> = [];
    if (tableExists(db, table.name)) {
      const where = options.includeDeleted ? '' : ' WHERE deleted_run IS NULL';
      const statement = db.prepare<unknown[], unknown[]>(
        `SELECT ${selectList(db, table.name, columns)} FROM ${quoteIdent(table.name)}${where} ORDER BY ${table.primaryKey.map(quoteIdent).join(', ')}`,
      );
      rows = iterate(statement);
    }
    await writeAtomically(target, columns, rows);
    written.push(target);
  }
  if (options.errors !== false && tableExists(db, 'runs')) {
    const target = join(dir, 'errors.csv');
    const lastRun = db.prepare('SELECT max(run_id) FROM runs WHERE finished_at IS NOT NULL').pluck().get() as number | null;
    const list = ERROR_COLUMNS.map(quoteIdent).join(', ');
    const statement = db.prepare<unknown[], unknown[]>(`SELECT ${list} FROM errors WHERE run_id = ? ORDER BY ${list}`);
    await writeAtomically(target, ERROR_COLUMNS, lastRun === null ? [] : iterate(statement, lastRun));
    written.push(target);
  }
  return written;
}
