/**
 * The report's reader over the SQLite system of record: a read-only connection to a file that
 * `checkExistingDatabase` found sound, or the connection a run already holds.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { InventoryError } from '../errors/inventoryError.js';
import { checkExistingDatabase } from '../sinks/sqlite/openDatabase.js';
import { storageError } from '../sinks/sqlite/storageError.js';
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

/**
 * Opens `file` read-only. A missing or empty file, one that is not an inventory database, a
 * damaged one and one written by a newer version are refused with what to do (nothing is written).
 */
export function openSqliteReader(file: string): ReportReader {
  const found = checkExistingDatabase(file);
  if (found !== 'database') {
    throw new InventoryError('config', `${file} ${found === 'absent' ? 'does not exist' : 'is empty'}: there is no inventory to report on.`, {
      field: file,
      hint: 'Run "aws-org-inventory run --params FILE" first, or point --output-dir (or --sqlite-path) at the directory (or file) of an inventory.',
    });
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw storageError(error, file, 'open the database');
  }
  return sqliteReaderFor(db, file, true);
}
