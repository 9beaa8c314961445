/**
 * Opening the system of record safely. An existing file is inspected read-only first (header,
 * `PRAGMA quick_check`, schema version, owner) so that a file which is not ours, is corrupt or
 * was written by a newer version is refused before a single byte of it changes.
 */
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { InventoryError } from '../../errors/inventoryError.js';
import { APPLICATION_NAME, SCHEMA_VERSION, isForeignDatabase, newerSchemaError, readSchemaVersion } from './schema.js';
import { errorCode, storageError } from './storageError.js';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export interface OpenDatabaseOptions {
  /** How long a write waits for another connection's lock, in milliseconds. */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

function refuse(path: string, problem: string, kind: 'config' | 'internal' = 'config'): InventoryError {
  return new InventoryError(kind, `${path} ${problem} It was left untouched.`, {
    field: path,
    hint: 'Move the file away (or point --sqlite-path / output_dir elsewhere) and run again.',
  });
}

/** Throws unless `path` is absent, empty, or a sound database of a version this code can read. */
export function checkExistingDatabase(path: string): 'absent' | 'empty' | 'database' {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw refuse(path, 'is not a regular file.');
    size = stat.size;
  } catch (error) {
    if (error instanceof InventoryError) throw error;
    if (errorCode(error) === 'ENOENT') return 'absent';
    throw storageError(error, path, 'read the database');
  }
  if (size === 0) return 'empty';
  const header = Buffer.alloc(SQLITE_HEADER.length);
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    readSync(fd, header, 0, header.length, 0);
  } catch (error) {
    throw storageError(error, path, 'read the database');
  } finally {
    if (fd !== null) closeSync(fd);
  }
  if (!header.equals(SQLITE_HEADER)) throw refuse(path, `is not a SQLite database (its first bytes are not "SQLite format 3").`);

  let db: Database.Database | null = null;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw refuse(path, `is a damaged SQLite database (quick_check: ${String(check)}).`, 'internal');
    const version = readSchemaVersion(db);
    if (version > SCHEMA_VERSION) throw newerSchemaError(path, version);
    if (isForeignDatabase(db)) throw refuse(path, `is a SQLite database that ${APPLICATION_NAME} did not write.`);
  } catch (error) {
    if (error instanceof InventoryError) throw error;
    const code = errorCode(error);
    if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) throw refuse(path, `is a damaged SQLite database (${code}).`, 'internal');
    throw storageError(error, path, 'read the database');
  } finally {
    db?.close();
  }
  return 'database';
}

/** Opens (creating when absent) with WAL, `synchronous=NORMAL` and a busy timeout. */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  checkExistingDatabase(path);
  if (options.readonly) {
    try {
      return new Database(path, { readonly: true, fileMustExist: true });
    } catch (error) {
      throw storageError(error, path, 'open the database');
    }
  }
  let db: Database.Database | null = null;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    // WAL keeps readers and the last committed run intact while a run writes; NORMAL is durable
    // at every checkpoint and never corrupts on power loss in WAL mode.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (error) {
    db?.close();
    throw storageError(error, path, 'open the database');
  }
}
