import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Row, TableDeclaration } from '../../src/crawl/table.js';
import { mergeDatabases } from '../../src/sinks/merge.js';
import { openSqliteStore } from '../../src/sinks/sqlite/sqliteStore.js';
import { profiles, queueRow, queues, runStart, units } from '../helpers/tableDeclarations.js';
import { tempDir } from '../helpers/tempDir.js';

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const REGIONS = ['us-east-1', 'eu-west-1'];

/** The estate on a given night: night 2 drops a queue, changes another and denies one region. */
function estate(night: number): { rows: Array<[TableDeclaration, Row]>; denied: Array<[string, string]> } {
  const rows: Array<[TableDeclaration, Row]> = [
    [units, { id: 'ou-root', name: 'Root' }],
    [units, { id: 'ou-prod', name: night === 1 ? 'Prod' : 'Production' }],
  ];
  for (const account of ACCOUNTS) {
    rows.push([profiles, { partition: 'aws', account_id: account, alias: `acct-${account.slice(0, 3)}`, note: null }]);
    for (const region of REGIONS) {
      for (const name of ['orders', 'events', 'dead-letter']) {
        if (night === 2 && account === '222222222222' && name === 'events') continue;
        const timeout = night === 2 && account === '111111111111' && name === 'orders' ? 90 : 30;
        rows.push([queues, queueRow(account, region, name, { visibility_timeout: timeout, message_count: night * 7 })]);
      }
    }
  }
  return { rows, denied: night === 2 ? [['333333333333', 'eu-west-1']] : [] };
}

/** One night's crawl of the accounts `owns` selects, as `run --shard` would do it. */
function crawl(path: string, night: number, shard: string | null, owns: (account: string) => boolean, withOrganization: boolean): void {
  const tables = withOrganization ? [units, profiles, queues] : [profiles, queues];
  const store = openSqliteStore(path, { now: () => new Date(`2026-02-0${night}T01:00:00Z`) });
  store.beginRun({ ...runStart(tables, shard), startedAt: `2026-02-0${night}T00:00:00Z` });
  const { rows, denied } = estate(night);
  const isDenied = (account: string, region: string): boolean => denied.some(([a, r]) => a === account && r === region);
  for (const [table, row] of rows) {
    if (table === units) {
      if (withOrganization) store.upsert(table, row);
      continue;
    }
    const account = String(row.account_id);
    if (!owns(account) || (row.region !== undefined && isDenied(account, String(row.region)))) continue;
    store.upsert(table, row);
  }
  if (withOrganization) store.completeScope(units, {});
  for (const account of ACCOUNTS.filter(owns)) {
    store.completeScope(profiles, { accountId: account });
    for (const region of REGIONS) {
      if (isDenied(account, region)) {
        store.recordError({ accountId: account, region, service: 'sqs', operation: 'ListQueues', resource: null, errorCode: 'AccessDenied', message: 'denied' });
      } else {
        store.completeScope(queues, { accountId: account, region });
      }
    }
  }
  store.finishRun(denied.some(([a]) => owns(a)) ? 'partial' : 'succeeded');
  store.close();
}

function dump(path: string, sql: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe('mergeDatabases', () => {
  it('combines shard databases into tables equal to an unsharded run', () => {
    const dir = tempDir();
    const whole = join(dir, 'whole.sqlite');
    const shard0 = join(dir, 'shard-0.sqlite');
    const shard1 = join(dir, 'shard-1.sqlite');
    const inShard = (k: number) => (account: string) => ACCOUNTS.indexOf(account) % 2 === k;
    for (const night of [1, 2]) {
      crawl(whole, night, null, () => true, true);
      crawl(shard0, night, '0/2', inShard(0), true);
      crawl(shard1, night, '1/2', inShard(1), false);
    }
    const merged = join(dir, 'merged.sqlite');
    // Sources in any order: shard 0 still provides the organization tables.
    const result = mergeDatabases(merged, [shard1, shard0]);
    expect(result.sources.map((s) => s.shard)).toEqual(['0/2', '1/2']);
    expect(result.runs).toBe(2);

    for (const [table, key] of [
      ['units', 'id'],
      ['profiles', 'account_id, alias'],
      ['queues', 'account_id, region, name'],
    ] as const) {
      const sql = `SELECT * FROM ${table} ORDER BY ${key}`;
      const expected = dump(whole, sql);
      expect(expected.length).toBeGreaterThan(0);
      expect(dump(merged, sql)).toEqual(expected);
    }
    const changeSql = 'SELECT run_id, table_name, primary_key, change, changed_columns FROM changes ORDER BY run_id, table_name, primary_key, change';
    expect(dump(merged, changeSql)).toEqual(dump(whole, changeSql));
    expect(dump(merged, "SELECT count(*) AS n FROM changes WHERE change = 'removed'")).toEqual([{ n: 2 }]);
    const errorSql = 'SELECT run_id, account_id, region, error_code FROM errors ORDER BY run_id, account_id, region';
    expect(dump(merged, errorSql)).toEqual(dump(whole, errorSql));
    expect(dump(merged, 'SELECT DISTINCT shard FROM errors')).toEqual([{ shard: '0/2' }]);

    const runSql = 'SELECT run_id, status, started_at, finished_at, error_count, rows_per_table, changes_per_table FROM runs ORDER BY run_id';
    expect(dump(merged, runSql)).toEqual(dump(whole, runSql));
    expect(dump(merged, 'SELECT shard FROM runs ORDER BY run_id')).toEqual([{ shard: '0/2,1/2' }, { shard: '0/2,1/2' }]);
    expect(dump(whole, 'SELECT run_id, status FROM runs ORDER BY run_id')).toEqual([
      { run_id: 1, status: 'succeeded' },
      { run_id: 2, status: 'partial' },
    ]);
    expect(dump(merged, 'SELECT run_id, shard, status FROM run_shards ORDER BY run_id, shard')).toEqual([
      { run_id: 1, shard: '0/2', status: 'succeeded' },
      { run_id: 1, shard: '1/2', status: 'succeeded' },
      { run_id: 2, shard: '0/2', status: 'partial' },
      { run_id: 2, shard: '1/2', status: 'succeeded' },
    ]);
  });

  it('replaces an earlier merge atomically and refuses to overwrite a file that is not a database', () => {
    const dir = tempDir();
    const shard = join(dir, 'shard-0.sqlite');
    crawl(shard, 1, '0/1', () => true, true);
    const merged = join(dir, 'merged.sqlite');
    mergeDatabases(merged, [shard]);
    crawl(shard, 2, '0/1', () => true, true);
    const second = mergeDatabases(merged, [shard]);
    expect(second.runs).toBe(2);
    expect(dump(merged, 'SELECT count(*) AS n FROM runs')).toEqual([{ n: 2 }]);
    expect(existsSync(`${merged}.merge-${process.pid}.tmp`)).toBe(false);

    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'keep me');
    expect(() => mergeDatabases(notes, [shard])).toThrow(/is not a SQLite database/);
    expect(() => mergeDatabases(join(dir, 'x.sqlite'), [join(dir, 'missing.sqlite')])).toThrow(/missing or empty/);
    expect(() => mergeDatabases(shard, [shard])).toThrow(/both a source and the --into/);
  });

  it("leaves the merged outbox empty and warns about a shard's unpublished events, which stay in that shard", () => {
    const dir = tempDir();
    const shard0 = join(dir, 'shard-0.sqlite');
    const shard1 = join(dir, 'shard 1.sqlite'); // a space: the suggested command quotes the path
    crawl(shard0, 1, '0/2', (a) => a === '111111111111', true);
    crawl(shard1, 1, '1/2', (a) => a !== '111111111111', false);
    const db = new Database(shard1);
    const insert = db.prepare(
      "INSERT INTO outbox (run_id, shard, event_type, message_group, deduplication_id, body, created_at, sent_at) VALUES (1, '1/2', 'inventory.run.completed', 'runs', ?, '{}', 'now', ?)",
    );
    insert.run('sent', '2026-02-01T02:00:00Z');
    insert.run('unsent-1', null);
    insert.run('unsent-2', null);
    db.close();

    const merged = join(dir, 'merged.sqlite');
    const result = mergeDatabases(merged, [shard0, shard1]);
    expect(dump(merged, 'SELECT count(*) AS n FROM outbox')).toEqual([{ n: 0 }]);
    const outboxWarnings = result.warnings.filter((w) => w.includes('not yet published'));
    expect(outboxWarnings, result.warnings.join('\n')).toHaveLength(1);
    expect(outboxWarnings[0]).toContain(`${shard1} (shard 1/2) has 2 events not yet published`);
    expect(outboxWarnings[0]).toContain(`sqlite3 '${shard1}' "SELECT`);
    expect(dump(shard1, 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL'), 'the shard keeps them').toEqual([{ n: 2 }]);
  });

  it('keeps the most recently seen row when an account appears in two shards (the shard count changed)', () => {
    const dir = tempDir();
    const old = join(dir, 'old.sqlite');
    const current = join(dir, 'current.sqlite');
    const write = (path: string, shard: string, nights: number, timeout: number): void => {
      const store = openSqliteStore(path);
      for (let night = 1; night <= nights; night++) {
        store.beginRun(runStart([queues], shard));
        store.upsert(queues, queueRow('111111111111', 'us-east-1', 'q', { visibility_timeout: timeout }));
        store.finishRun('succeeded');
      }
      store.close();
    };
    write(old, '0/3', 1, 30);
    write(current, '1/2', 2, 45);
    const merged = join(dir, 'merged.sqlite');
    mergeDatabases(merged, [current, old]);
    expect(dump(merged, 'SELECT visibility_timeout, first_seen_run, last_seen_run FROM queues')).toEqual([{ visibility_timeout: 45, first_seen_run: 1, last_seen_run: 2 }]);
  });
});
