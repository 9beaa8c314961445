import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { InventoryError, exitCodeFor } from '../../src/errors/inventoryError.js';
import { SCHEMA_VERSION } from '../../src/sinks/sqlite/schema.js';
import { openSqliteStore } from '../../src/sinks/sqlite/sqliteStore.js';
import { declare, queueRow, queues, runStart } from '../helpers/tableDeclarations.js';
import { tempDir } from '../helpers/tempDir.js';


function digest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function caught(fn: () => unknown): InventoryError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InventoryError) return error;
    throw error;
  }
  throw new Error('expected an InventoryError');
}

/** A database with one finished run of `queues`, closed. */
function writtenDatabase(): string {
  const path = join(tempDir(), 'inventory.sqlite');
  const store = openSqliteStore(path);
  store.beginRun(runStart([queues]));
  store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a'));
  store.finishRun('succeeded');
  store.close();
  return path;
}

describe('opening the database file', () => {
  it('adds a column declared later without losing rows', () => {
    const path = writtenDatabase();
    const queuesV2 = declare('queues', 'account-region', [...queues.columns, { name: 'fifo', type: 'INTEGER', boolean: true, description: 'FIFO queue' }], [...queues.primaryKey]);
    const store = openSqliteStore(path);
    store.beginRun(runStart([queuesV2]));
    store.upsert(queuesV2, queueRow('111111111111', 'us-east-1', 'b', { fifo: 1 }));
    store.finishRun('succeeded');
    const rows = store.database.prepare('SELECT name, fifo, first_seen_run FROM queues ORDER BY name').all();
    expect(rows).toEqual([
      { name: 'a', fifo: null, first_seen_run: 1 },
      { name: 'b', fifo: 1, first_seen_run: 2 },
    ]);
    const stored = store.database.prepare("SELECT column_list FROM schema_tables WHERE table_name = 'queues'").pluck().get() as string;
    expect(JSON.parse(stored)).toContainEqual({ name: 'fifo', type: 'INTEGER', volatile: false });
    store.close();
  });

  it('refuses a database written by a newer schema version and leaves it untouched', () => {
    const path = writtenDatabase();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = digest(path);
    const error = caught(() => openSqliteStore(path));
    expect(error.message).toMatch(/newer version/);
    expect(error.message).toContain(path);
    expect(exitCodeFor(error)).toBe(2);
    expect(digest(path)).toBe(before);
  });

  it('refuses a file that is not SQLite and leaves it byte for byte untouched', () => {
    const path = join(tempDir(), 'inventory.sqlite');
    writeFileSync(path, 'account_id,name\n111111111111,prod\n');
    const before = digest(path);
    const error = caught(() => openSqliteStore(path));
    expect(error.message).toMatch(/is not a SQLite database/);
    expect(error.hint).toMatch(/Move the file away/);
    expect(digest(path)).toBe(before);
  });

  it('refuses a corrupt SQLite file and leaves it untouched', () => {
    const path = writtenDatabase();
    const bytes = readFileSync(path);
    // Keep the 100-byte header, scribble over the rest of the first page and all later pages.
    for (let i = 100; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    writeFileSync(path, bytes);
    const before = digest(path);
    const error = caught(() => openSqliteStore(path));
    expect(error.message).toMatch(/damaged SQLite database/);
    expect(exitCodeFor(error)).toBe(5);
    expect(digest(path)).toBe(before);
  });

  it("refuses another application's SQLite database", () => {
    const path = join(tempDir(), 'other.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    db.close();
    const before = digest(path);
    expect(() => openSqliteStore(path)).toThrow(/did not write/);
    expect(digest(path)).toBe(before);
  });

  it('turns an unwritable path into an internal error naming it (exit 5)', () => {
    const dir = tempDir();
    const blocker = join(dir, 'not-a-directory');
    writeFileSync(blocker, '');
    const path = join(blocker, 'inventory.sqlite');
    const error = caught(() => openSqliteStore(path));
    expect(error.kind).toBe('internal');
    expect(exitCodeFor(error)).toBe(5);
    expect(error.message).toContain(path);
  });

  it('fails a run cleanly on a full disk and keeps the earlier runs intact', () => {
    const path = writtenDatabase();
    const store = openSqliteStore(path, { batchSize: 200 });
    store.beginRun(runStart([queues]));
    // A page budget stands in for a full disk: SQLite answers SQLITE_FULL just the same.
    const used = Number(store.database.pragma('page_count', { simple: true }));
    store.database.pragma(`max_page_count = ${used + 2}`);
    const error = caught(() => {
      for (let i = 0; i < 5_000; i++) store.upsert(queues, queueRow('111111111111', 'us-east-1', `big-${i}`, { policy: 'x'.repeat(500) }));
    });
    expect(error.kind).toBe('internal');
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/disk is full/);
    // Later writes are refused with the same error; error rows are dropped rather than thrown.
    expect(() => store.upsert(queues, queueRow('111111111111', 'us-east-1', 'late'))).toThrow(error);
    for (let i = 0; i < 500; i++) {
      expect(() => store.recordError({ accountId: null, region: null, service: 'sqs', operation: 'ListQueues', resource: null, errorCode: 'X', message: 'x' })).not.toThrow();
    }
    // Finishing reports the failure (exit 5) whatever status the crawl asked for.
    expect(() => store.finishRun('partial')).toThrow(/disk is full/);
    store.close();

    const reopened = openSqliteStore(path);
    expect(reopened.database.pragma('quick_check', { simple: true })).toBe('ok');
    expect(reopened.database.prepare("SELECT name FROM queues WHERE last_seen_run = 1").pluck().all()).toEqual(['a']);
    expect(reopened.database.prepare('SELECT run_id, status FROM runs ORDER BY run_id').all()).toEqual([
      { run_id: 1, status: 'succeeded' },
      { run_id: 2, status: 'failed' },
    ]);
    reopened.close();
  });

  it('turns a read-only database (SQLITE_READONLY) into an internal error naming the path', () => {
    const path = writtenDatabase();
    const store = openSqliteStore(path);
    store.beginRun(runStart([queues]));
    // query_only makes SQLite answer every write with SQLITE_READONLY, as a read-only mount does.
    store.database.pragma('query_only = 1');
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'b'));
    const error = caught(() => store.flush());
    expect(error.kind).toBe('internal');
    expect(error.message).toContain(path);
    expect(error.message).toMatch(/not writable \(SQLITE_READONLY\)/);
    store.close();
  });

  it('never throws from recordError when the disk fills, and fails the run at finishRun', () => {
    const path = writtenDatabase();
    const store = openSqliteStore(path, { batchSize: 100 });
    store.beginRun(runStart([queues]));
    store.database.pragma(`max_page_count = ${Number(store.database.pragma('page_count', { simple: true })) + 2}`);
    const record = (): void =>
      store.recordError({ accountId: '111111111111', region: 'us-east-1', service: 'sqs', operation: 'GetQueueAttributes', resource: null, errorCode: 'AccessDenied', message: 'm'.repeat(1_000) });
    for (let i = 0; i < 2_000; i++) expect(record).not.toThrow();
    expect(() => store.finishRun('partial')).toThrow(/disk is full/);
    store.close();
  });
});
