import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TableDeclaration } from '../../src/crawl/table.js';
import { openSqliteStore } from '../../src/sinks/sqlite/sqliteStore.js';
import { accounts } from '../../src/tables/organizations/accounts.js';
import { s3Buckets } from '../../src/tables/s3/buckets.js';
import { sqsQueues } from '../../src/tables/sqs/queues.js';
import { runStart } from '../helpers/tableDeclarations.js';
import { tempDir } from '../helpers/tempDir.js';

const accountsTable = accounts as TableDeclaration;
const queuesTable = sqsQueues as TableDeclaration;
const bucketsTable = s3Buckets as TableDeclaration;

describe('ingestion views', () => {
  it('v_accounts and v_resources give current accounts and resources with account name and OU path', () => {
    const store = openSqliteStore(join(tempDir(), 'inventory.sqlite'));
    store.beginRun(runStart([accountsTable, queuesTable, bucketsTable]));
    store.upsert(accountsTable, { id: '111111111111', name: 'prod', email: 'prod@example.com', state: 'ACTIVE', ou_path_ids: 'r-ab12/ou-ab12-11111111', ou_path_names: 'Root/Prod', is_management_account: 0, tags: '{"env":"prod"}' });
    store.upsert(accountsTable, { id: '222222222222', name: 'gone', state: 'ACTIVE', is_management_account: 0 });
    store.upsert(queuesTable, { partition: 'aws', account_id: '111111111111', region: 'eu-west-1', name: 'orders', url: 'https://sqs.eu-west-1.amazonaws.com/111111111111/orders', arn: 'arn:aws:sqs:eu-west-1:111111111111:orders', fifo: 0, tags: '{}' });
    store.upsert(bucketsTable, { partition: 'aws', account_id: '111111111111', name: 'prod-logs', arn: 'arn:aws:s3:::prod-logs', region: 'us-east-1', tags: '{"team":"ops"}' });
    store.upsert(bucketsTable, { partition: 'aws', account_id: '333333333333', name: 'orphan', arn: 'arn:aws:s3:::orphan', region: 'us-east-1' });
    store.completeScope(accountsTable, {});
    store.finishRun('succeeded');

    store.beginRun(runStart([accountsTable]));
    store.upsert(accountsTable, { id: '111111111111', name: 'prod', email: 'prod@example.com', state: 'ACTIVE', ou_path_ids: 'r-ab12/ou-ab12-11111111', ou_path_names: 'Root/Prod', is_management_account: 0, tags: '{"env":"prod"}' });
    store.completeScope(accountsTable, {});
    store.finishRun('succeeded');

    const db = store.database;
    expect(db.prepare('SELECT id, name, ou_path_names, tags FROM v_accounts').all()).toEqual([
      { id: '111111111111', name: 'prod', ou_path_names: 'Root/Prod', tags: '{"env":"prod"}' },
    ]);
    expect(db.prepare('SELECT resource_type, account_id, account_name, ou_path_names, region, name, arn, tags FROM v_resources ORDER BY resource_type, name').all()).toEqual([
      { resource_type: 's3_bucket', account_id: '333333333333', account_name: null, ou_path_names: null, region: 'us-east-1', name: 'orphan', arn: 'arn:aws:s3:::orphan', tags: null },
      { resource_type: 's3_bucket', account_id: '111111111111', account_name: 'prod', ou_path_names: 'Root/Prod', region: 'us-east-1', name: 'prod-logs', arn: 'arn:aws:s3:::prod-logs', tags: '{"team":"ops"}' },
      { resource_type: 'sqs_queue', account_id: '111111111111', account_name: 'prod', ou_path_names: 'Root/Prod', region: 'eu-west-1', name: 'orders', arn: 'arn:aws:sqs:eu-west-1:111111111111:orders', tags: '{}' },
    ]);
    store.close();
  });

  it('creates a view only when its source tables exist', () => {
    const store = openSqliteStore(join(tempDir(), 'inventory.sqlite'));
    store.beginRun(runStart([queuesTable]));
    store.finishRun('succeeded');
    const views = store.database.prepare("SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name").pluck().all();
    expect(views).toEqual(['v_resources']);
    expect(store.database.prepare('SELECT count(*) FROM v_resources').pluck().get()).toBe(0);
    store.close();
  });

  it('runs every example query of docs/database.md', () => {
    const page = readFileSync(resolve(import.meta.dirname, '../../docs/database.md'), 'utf8');
    const sql = /```sql\n([\s\S]*?)```/.exec(page)?.[1] ?? '';
    const queries = sql.split(';').map((q) => q.replace(/--.*$/gm, '').trim()).filter((q) => q.length > 0);
    expect(queries.length).toBeGreaterThanOrEqual(5);
    const store = openSqliteStore(join(tempDir(), 'inventory.sqlite'));
    store.beginRun(runStart([accountsTable, queuesTable, bucketsTable]));
    store.upsert(accountsTable, { id: '111111111111', name: 'prod', is_management_account: 0, tags: '{"CostCenter":"42"}', ou_path_names: 'Root/Prod' });
    store.upsert(queuesTable, { partition: 'aws', account_id: '111111111111', region: 'eu-west-1', name: 'orders', url: 'u', arn: 'arn:aws:sqs:eu-west-1:111111111111:orders', fifo: 0 });
    store.finishRun('succeeded');
    for (const query of queries) expect(() => store.database.prepare(query).all(), query).not.toThrow();
    expect(store.database.prepare(queries.find((q) => q.includes('dead_letter_target_arn')) ?? '').all()).toEqual([{ account_name: 'prod', region: 'eu-west-1', name: 'orders' }]);
    store.close();
  });
});
