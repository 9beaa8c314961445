/**
 * `changes.previous_values`: a modified row keeps the values its changed columns had before the
 * run (schema version 2), and a version-1 database gains the column when a run opens it.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/sinks/sqlite/schema.js';
import { openSqliteStore } from '../../src/sinks/sqlite/sqliteStore.js';
import { queueRow, queues, runStart } from '../helpers/tableDeclarations.js';
import { tempDir } from '../helpers/tempDir.js';
const scope = { accountId: '111111111111', region: 'us-east-1' };

function changes(file: string): Array<{ run_id: number; change: string; changed_columns: string | null; previous_values: string | null }> {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT run_id, change, changed_columns, previous_values FROM changes ORDER BY run_id, rowid').all() as ReturnType<typeof changes>;
  } finally {
    db.close();
  }
}

describe('previous values of modified rows', () => {
  it('records the old values of the changed columns only (not volatile ones, not unknown ones)', () => {
    const file = join(tempDir(), 'inventory.sqlite');
    const store = openSqliteStore(file);
    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a', { tags: '{"team":"a"}', message_count: 3 }));
    store.completeScope(queues, scope);
    store.finishRun('succeeded');
    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a', { tags: '{"team":"b"}', visibility_timeout: 90, message_count: 7, policy: '{"x":1}' }), { unknownColumns: ['policy'] });
    store.completeScope(queues, scope);
    store.finishRun('succeeded');
    store.close();
    expect(changes(file)).toEqual([
      { run_id: 1, change: 'added', changed_columns: null, previous_values: null },
      { run_id: 2, change: 'modified', changed_columns: '["visibility_timeout","tags"]', previous_values: '{"visibility_timeout":30,"tags":"{\\"team\\":\\"a\\"}"}' },
    ]);
  });

  it('migrates a version-1 database: the column is added, earlier changes keep null', () => {
    const file = join(tempDir(), 'inventory.sqlite');
    const store = openSqliteStore(file);
    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a'));
    store.completeScope(queues, scope);
    store.finishRun('succeeded');
    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a', { visibility_timeout: 60 }));
    store.completeScope(queues, scope);
    store.finishRun('succeeded');
    store.close();
    // What version 1 wrote: no previous_values column.
    const old = new Database(file);
    old.exec('ALTER TABLE changes DROP COLUMN previous_values');
    old.pragma('user_version = 1');
    old.prepare("UPDATE schema_meta SET value = '1' WHERE key = 'schema_version'").run();
    old.close();

    const reopened = openSqliteStore(file);
    reopened.beginRun(runStart([queues]));
    reopened.upsert(queues, queueRow('111111111111', 'us-east-1', 'a', { visibility_timeout: 45 }));
    reopened.completeScope(queues, scope);
    reopened.finishRun('succeeded');
    expect(reopened.database.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(reopened.database.prepare("SELECT value FROM schema_meta WHERE key = 'schema_version'").pluck().get()).toBe(String(SCHEMA_VERSION));
    reopened.close();
    expect(changes(file).filter((c) => c.change === 'modified')).toEqual([
      { run_id: 2, change: 'modified', changed_columns: '["visibility_timeout"]', previous_values: null },
      { run_id: 3, change: 'modified', changed_columns: '["visibility_timeout"]', previous_values: '{"visibility_timeout":60}' },
    ]);
  });
});
