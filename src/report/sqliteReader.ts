/**
 * The report's reader over the SQLite system of record: a read-only connection to a file that
 * `checkExistingDatabase` found sound, or the connection a run already holds.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { InventoryError } from '../errors/inventoryError.js';
import { checkExistingDatabase } from '../sinks/sqlite/openDatabase.js';
import { errorCode, storageError } from '../sinks/sqlite/storageError.js';
import type { ReportReader, ResultRow, Value } from './reader.js';

type SqliteParameter = string | number | bigint | null;

function bindable(value: Value): SqliteParameter {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** A reader over an open connection; `close` closes it only when `owned`. */
export function sqliteReaderFor(db: Database.Database, file: string, owned = false): ReportReader {
  const source = path.basename(file);
  return {
    source,
    query(sql, params = []) {
      try {
        return Promise.resolve(db.prepare(sql).all(...params.map(bindable)) as ResultRow[]);
      } catch (error) {
        return Promise.reject(storageError(error, file, 'read the inventory in'));
      }
    },
    columns(name) {
      try {
        const kind = db.prepare("SELECT type FROM sqlite_master WHERE name = ? AND type IN ('table', 'view')").pluck().get(name);
        if (kind === undefined) return Promise.resolve(null);
        return Promise.resolve(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(name) as string[]);
      } catch (error) {
        return Promise.reject(storageError(error, file, 'read the inventory in'));
      }
    },
    close() {
      if (owned && db.open) db.close();
      return Promise.resolve();
    },
  };
}

function noInventory(file: string, problem: string): InventoryError {
  return new InventoryError('config', `${file} ${problem}: there is no inventory to report on.`, {
    field: file,
    hint: 'Run "aws-org-inventory run --params FILE" first, or point --output-dir (or --sqlite-path) at the directory (or file) of an inventory.',
  });
}

/** Throws unless `file` exists and is not empty; reads nothing else (see `openSqliteReader`). */
export function requireInventoryFile(file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') throw noInventory(file, 'does not exist');
    throw storageError(error, file, 'read the database');
  }
  if (size === 0) throw noInventory(file, 'is empty');
}

/**
 * Opens `file` for reading. A missing or empty file, one that is not an inventory database, a
 * damaged one and one written by a newer version are refused with what to do.
 *
 * The connection may write (with `query_only` on, so it never does) when the file allows it:
 * in WAL mode a read-only connection leaves `-wal` and `-shm` files behind, while the last
 * writable connection to close removes them, so the report leaves the directory as it found it.
 */
export function openSqliteReader(file: string): ReportReader {
  requireInventoryFile(file);
  const found = checkExistingDatabase(file);
  if (found !== 'database') throw noInventory(file, found === 'absent' ? 'does not exist' : 'is empty');
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma('query_only = ON');
  } catch {
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
    } catch (error) {
      throw storageError(error, file, 'open the database');
    }
  }
  return sqliteReaderFor(db, file, true);
}
