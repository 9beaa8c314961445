/**
 * Disk and SQLite failures become one `internal` error (exit 5) that names the file and says
 * what to do; the SQLite transaction that hit them has been rolled back, so the file is intact.
 */
import { InventoryError } from '../../errors/inventoryError.js';

const REASONS: ReadonlyArray<[RegExp, string, string]> = [
  [/^(SQLITE_FULL|ENOSPC)/, 'the disk is full', 'Free space on that disk (or point output_dir elsewhere) and run again.'],
  [/^(SQLITE_READONLY|EROFS|EACCES|EPERM)/, 'the file or its directory is not writable', 'Make the output directory writable by this user, or point output_dir elsewhere.'],
  [/^(SQLITE_CANTOPEN|ENOENT|ENOTDIR|EISDIR)/, 'the file cannot be opened or created there', 'Check that the output directory exists and is a directory.'],
  [/^SQLITE_BUSY/, 'another process keeps the database locked', 'Wait for the other process to finish.'],
  [/^(SQLITE_IOERR|EIO)/, 'the disk reported an I/O error', 'Check the disk and run again.'],
  [/^(SQLITE_CORRUPT|SQLITE_NOTADB)/, 'the file is damaged', 'Move the file away (keep it for inspection) and run again to start a new database.'],
];

export function errorCode(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return '';
}

export function storageError(error: unknown, path: string, action: string): InventoryError {
  if (error instanceof InventoryError) return error;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  for (const [pattern, reason, hint] of REASONS) {
    if (pattern.test(code)) {
      return new InventoryError('internal', `Cannot ${action} ${path}: ${reason} (${code}).`, { field: path, hint, cause: error });
    }
  }
  return new InventoryError('internal', `Cannot ${action} ${path}: ${message}${code ? ` (${code})` : ''}.`, { field: path, cause: error });
}
