import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/sinks/sqlite/sqliteStore.js';
import type { SqliteStore } from '../../src/sinks/sqlite/sqliteStore.js';
import { profiles, queueRow, queues, runStart, units } from '../helpers/tableDeclarations.js';
import { tempDir } from '../helpers/tempDir.js';


interface ChangeRow {
  table_name: string;
  primary_key: string;
  change: string;
  changed_columns: string | null;
}

function changesOf(store: SqliteStore, runId: number): ChangeRow[] {
  return store.database
    .prepare('SELECT table_name, primary_key, change, changed_columns FROM changes WHERE run_id = ? ORDER BY table_name, primary_key, change')
    .all(runId) as ChangeRow[];
}

function queueState(store: SqliteStore, name: string): Record<string, unknown> | undefined {
  return store.database.prepare('SELECT * FROM queues WHERE name = ?').get(name) as Record<string, unknown> | undefined;
}

describe('openSqliteStore change tracking', () => {
  it('records added, modified and removed, and nothing when the source is unchanged', () => {
    const store = openSqliteStore(join(tempDir(), 'inventory.sqlite'));
    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a'));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'b'));
    store.completeScope(queues, { accountId: '111111111111', region: 'us-east-1' });
    const first = store.finishRun('succeeded');
    expect(first.changes.queues).toEqual({ added: 2, modified: 0, removed: 0 });
    expect(first.rows.queues).toBe(2);

    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a', { visibility_timeout: 60 }));
    store.completeScope(queues, { accountId: '111111111111', region: 'us-east-1' });
    const second = store.finishRun('succeeded');
    expect(second.changes.queues).toEqual({ added: 0, modified: 1, removed: 1 });
    expect(changesOf(store, second.runId)).toEqual([
      { table_name: 'queues', primary_key: '{"account_id":"111111111111","region":"us-east-1","name":"a"}', change: 'modified', changed_columns: '["visibility_timeout"]' },
      { table_name: 'queues', primary_key: '{"account_id":"111111111111","region":"us-east-1","name":"b"}', change: 'removed', changed_columns: null },
    ]);
    expect(queueState(store, 'b')).toMatchObject({ deleted_run: second.runId, first_seen_run: first.runId, last_seen_run: first.runId });
    expect(queueState(store, 'a')).toMatchObject({ visibility_timeout: 60, deleted_run: null, last_seen_run: second.runId });

    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a', { visibility_timeout: 60 }));
    store.completeScope(queues, { accountId: '111111111111', region: 'us-east-1' });
    const third = store.finishRun('succeeded');
    expect(changesOf(store, third.runId)).toEqual([]);
    expect(third.changes.queues).toEqual({ added: 0, modified: 0, removed: 0 });
    // A row already deleted is not removed again.
    expect(queueState(store, 'b')).toMatchObject({ deleted_run: second.runId });
    store.close();
  });

  it('revives a deleted row as added', () => {
    const store = openSqliteStore(join(tempDir(), 'inventory.sqlite'));
    const scope = { accountId: '111111111111', region: 'eu-west-1' };
    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'eu-west-1', 'q'));
    store.completeScope(queues, scope);
    store.finishRun('succeeded');
    store.beginRun(runStart([queues]));
    store.completeScope(queues, scope);
    store.finishRun('succeeded');
    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'eu-west-1', 'q'));
    store.completeScope(queues, scope);
    const third = store.finishRun('succeeded');
    expect(changesOf(store, third.runId).map((c) => c.change)).toEqual(['added']);
    expect(queueState(store, 'q')).toMatchObject({ deleted_run: null, last_seen_run: third.runId, first_seen_run: 1 });
    store.close();
  });

  it('stores new values of volatile columns without calling the row modified', () => {
    const store = openSqliteStore(join(tempDir(), 'inventory.sqlite'));
    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a', { message_count: 5 }));
    store.finishRun('succeeded');
    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a', { message_count: 9000 }));
    const second = store.finishRun('succeeded');
    expect(changesOf(store, second.runId)).toEqual([]);
    expect(queueState(store, 'a')).toMatchObject({ message_count: 9000, last_seen_run: second.runId });
    store.close();
  });

  it('keeps stored values of unknown columns and does not count them as changed', () => {
    const store = openSqliteStore(join(tempDir(), 'inventory.sqlite'));
    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a', { policy: '{"Version":"2012-10-17"}' }));
    store.finishRun('succeeded');
    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a', { policy: null, tags: '{"team":"x"}' }), { unknownColumns: ['policy'] });
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'new', { policy: '{"ignored":true}' }), { unknownColumns: ['policy'] });
    const second = store.finishRun('partial');
    expect(changesOf(store, second.runId).map((c) => [c.change, c.changed_columns])).toEqual([
      ['modified', '["tags"]'],
      ['added', null],
    ]);
    expect(queueState(store, 'a')).toMatchObject({ policy: '{"Version":"2012-10-17"}', tags: '{"team":"x"}' });
    expect(queueState(store, 'new')).toMatchObject({ policy: null });
    store.close();
  });

  it('keeps the rows of a slice that was not completed (its account failed) and of tables not crawled', () => {
    const store = openSqliteStore(join(tempDir(), 'inventory.sqlite'));
    store.beginRun(runStart([queues, profiles]));
    for (const account of ['111111111111', '222222222222']) {
      store.upsert(queues, queueRow(account, 'us-east-1', 'q'));
      store.completeScope(queues, { accountId: account, region: 'us-east-1' });
      store.upsert(profiles, { partition: 'aws', account_id: account, alias: 'main', note: null });
      store.completeScope(profiles, { accountId: account });
    }
    store.finishRun('succeeded');

    // Run 2 crawls queues only; account 222… is denied, so its slice is never completed.
    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'q'));
    store.completeScope(queues, { accountId: '111111111111', region: 'us-east-1' });
    store.recordError({ accountId: '222222222222', region: null, service: 'sts', operation: 'AssumeRole', resource: null, errorCode: 'AccessDenied', message: 'denied' });
    const second = store.finishRun('partial');
    expect(second.status).toBe('partial');
    expect(second.errorCount).toBe(1);
    expect(second.rows).toEqual({ queues: 1 });
    expect(changesOf(store, second.runId)).toEqual([]);
    const current = store.database.prepare('SELECT account_id FROM queues WHERE deleted_run IS NULL ORDER BY account_id').pluck().all();
    expect(current).toEqual(['111111111111', '222222222222']);
    expect(store.database.prepare('SELECT count(*) FROM profiles WHERE deleted_run IS NULL').pluck().get()).toBe(2);
    const runRow = store.database.prepare('SELECT status, error_count, rows_per_table, finished_at FROM runs WHERE run_id = ?').get(second.runId);
    expect(runRow).toMatchObject({ status: 'partial', error_count: 1, rows_per_table: '{"queues":1}' });
    const errorRow = store.database.prepare('SELECT account_id, service, operation, error_code FROM errors WHERE run_id = ?').get(second.runId);
    expect(errorRow).toEqual({ account_id: '222222222222', service: 'sts', operation: 'AssumeRole', error_code: 'AccessDenied' });
    store.close();
  });

  it('deletes nothing in a failed run, even in completed slices', () => {
    const store = openSqliteStore(join(tempDir(), 'inventory.sqlite'));
    store.beginRun(runStart([units]));
    store.upsert(units, { id: 'ou-1', name: 'one' });
    store.completeScope(units, {});
    store.finishRun('succeeded');
    store.beginRun(runStart([units]));
    store.completeScope(units, {});
    const failed = store.finishRun('failed');
    expect(failed.changes.units).toEqual({ added: 0, modified: 0, removed: 0 });
    expect(store.database.prepare('SELECT deleted_run FROM units').pluck().get()).toBeNull();
    store.close();
  });

  it('writes in batches, not one transaction per row and not all at the end', () => {
    const path = join(tempDir(), 'inventory.sqlite');
    const store = openSqliteStore(path, { batchSize: 500 });
    store.beginRun(runStart([queues]));
    for (let i = 0; i < 1_200; i++) store.upsert(queues, queueRow('111111111111', 'us-east-1', `q${String(i).padStart(5, '0')}`));
    const reader = new Database(path, { readonly: true });
    expect(reader.prepare('SELECT count(*) FROM queues').pluck().get()).toBe(1_000);
    store.flush();
    expect(reader.prepare('SELECT count(*) FROM queues').pluck().get()).toBe(1_200);
    reader.close();
    expect(store.finishRun('succeeded').rows.queues).toBe(1_200);
    store.close();
  });

  it('marks a run left running as failed when the next run begins', () => {
    const path = join(tempDir(), 'inventory.sqlite');
    const killed = openSqliteStore(path);
    const killedId = killed.beginRun(runStart([queues]));
    killed.close();
    const store = openSqliteStore(path);
    const next = store.beginRun(runStart([queues]));
    expect(next).toBe(killedId + 1);
    expect(store.database.prepare('SELECT status FROM runs WHERE run_id = ?').pluck().get(killedId)).toBe('failed');
    expect(store.database.prepare('SELECT status FROM runs WHERE run_id = ?').pluck().get(next)).toBe('running');
    store.close();
  });

  it('records the caller, shard and digest on the run row', () => {
    const store = openSqliteStore(join(tempDir(), 'inventory.sqlite'), { now: () => new Date('2026-01-01T00:05:00Z') });
    store.beginRun(runStart([units], '1/4'));
    store.setCallerArn('arn:aws:sts::111111111111:assumed-role/Inventory/run');
    const summary = store.finishRun('succeeded');
    expect(summary.finishedAt).toBe('2026-01-01T00:05:00.000Z');
    expect(store.database.prepare('SELECT caller_arn, shard, parameter_digest, tool_version, changes_per_table FROM runs').get()).toEqual({
      caller_arn: 'arn:aws:sts::111111111111:assumed-role/Inventory/run',
      shard: '1/4',
      parameter_digest: 'digest',
      tool_version: '0.0.0-test',
      changes_per_table: '{"units":{"added":0,"modified":0,"removed":0}}',
    });
    store.close();
  });

  it('refuses rows a mapper got wrong', () => {
    const store = openSqliteStore(join(tempDir(), 'inventory.sqlite'));
    store.beginRun(runStart([queues]));
    expect(() => store.upsert(queues, { ...queueRow('111111111111', 'us-east-1', 'a'), colour: 'red' })).toThrow(/no column "colour"/);
    expect(() => store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a', { name: null }))).toThrow(/primary-key column "name" is empty/);
    expect(() => store.upsert(units, { id: 'x', name: 'y' })).toThrow(/not among the tables/);
    store.close();
  });

  it('lists the stored slices of a table so accounts that left can be retired', () => {
    const store = openSqliteStore(join(tempDir(), 'inventory.sqlite'));
    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('222222222222', 'us-west-2', 'a'));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'a'));
    store.flush();
    expect(store.storedScopes(queues)).toEqual([
      { accountId: '111111111111', region: 'us-east-1' },
      { accountId: '222222222222', region: 'us-west-2' },
    ]);
    store.finishRun('succeeded');
    store.close();
  });
});
