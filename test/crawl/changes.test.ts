/**
 * Run history through the real pipeline: two runs of an unchanged organization change nothing
 * and give byte-identical CSV; a removed queue is `removed`, a changed attribute `modified` with
 * its column, a volatile count changes nothing; a denied account keeps its rows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { crawlFixture } from '../helpers/harness.js';
import type { CrawlFixture } from '../helpers/harness.js';

let f: CrawlFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

function csvFiles(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]));
}

describe('run history', () => {
  it('records nothing and rewrites identical CSV when nothing changed', async () => {
    f = await crawlFixture({ accounts: 4, queuesPerAccount: 4, bucketsPerAccount: 2, regions: ['us-east-1', 'eu-west-1'] }, { regions: ['us-east-1', 'eu-west-1'] });
    const first = await f.run();
    const csv1 = csvFiles(first.csvDir ?? '');
    const second = await f.run();
    expect(second.summary.runId).toBe(first.summary.runId + 1);
    expect(csvFiles(second.csvDir ?? '')).toEqual(csv1);
    const db = f.db();
    expect(db.prepare('select count(*) n from changes where run_id = ?').get(second.summary.runId)).toEqual({ n: 0 });
    expect(db.prepare("select count(*) n from changes where run_id = ? and change = 'added'").get(first.summary.runId)).toEqual({ n: Object.values(first.summary.rows).reduce((a, b) => a + b, 0) });
  });

  it('records a removed queue, a modified attribute with its column, and ignores volatile counts', async () => {
    f = await crawlFixture({ accounts: 2, queuesPerAccount: 3, bucketsPerAccount: 0, regions: ['us-east-1'] }, { regions: ['us-east-1'], resources: ['sqs', 'organizations'] });
    await f.run();
    const account = [...f.sim.org.accounts.keys()].find((id) => id !== f?.sim.managementAccountId) ?? '';
    const [gone, changed] = f.sim.org.queuesIn(account, 'us-east-1');
    if (!gone || !changed) throw new Error('need two queues');
    const goneName = gone.name;
    f.sim.org.removeQueue(account, 'us-east-1', goneName);
    changed.attributes.VisibilityTimeout = String(Number(changed.attributes.VisibilityTimeout ?? '30') + 17);
    changed.backlog.visible += 1000;
    const second = await f.run();
    const db = f.db();
    const changes = db.prepare('select table_name, primary_key, change, changed_columns from changes where run_id = ? order by change').all(second.summary.runId) as Array<Record<string, string>>;
    expect(changes).toEqual([
      { table_name: 'sqs_queues', primary_key: JSON.stringify({ account_id: account, region: 'us-east-1', name: changed.name }), change: 'modified', changed_columns: JSON.stringify(['visibility_timeout_seconds']) },
      { table_name: 'sqs_queues', primary_key: JSON.stringify({ account_id: account, region: 'us-east-1', name: goneName }), change: 'removed', changed_columns: null },
    ]);
    expect(db.prepare('select deleted_run from sqs_queues where account_id = ? and name = ?').get(account, goneName)).toEqual({ deleted_run: second.summary.runId });
    expect(db.prepare('select approximate_number_of_messages n from sqs_queues where account_id = ? and name = ?').get(account, changed.name)).toEqual({ n: changed.backlog.visible });
    const csv = readFileSync(path.join(second.csvDir ?? '', 'sqs_queues.csv'), 'utf8');
    expect(csv).not.toContain(`/${account}/${goneName}`);
  });

  it('keeps the rows of an account denied in the second run, and the run is partial', async () => {
    f = await crawlFixture({ accounts: 2, queuesPerAccount: 2, bucketsPerAccount: 1, regions: ['us-east-1'] }, { regions: ['us-east-1'] });
    const first = await f.run();
    const account = [...f.sim.org.accounts.keys()].find((id) => id !== f?.sim.managementAccountId) ?? '';
    f.sim.faults.denyMemberRoles = [account];
    const second = await f.run();
    expect(second.exitCode).toBe(1);
    expect(second.summary.status).toBe('partial');
    const db = f.db();
    const rows = db.prepare('select count(*) n, max(deleted_run) d, max(last_seen_run) l from sqs_queues where account_id = ?').get(account) as { n: number; d: number | null; l: number };
    expect(rows).toEqual({ n: 2, d: null, l: first.summary.runId });
    expect(db.prepare("select count(*) n from changes where run_id = ? and change = 'removed'").get(second.summary.runId)).toEqual({ n: 0 });
  });
});

describe('an account that leaves the organization', () => {
  it('has its queues and buckets marked removed once the walk no longer lists it', async () => {
    f = await crawlFixture({ accounts: 3, queuesPerAccount: 2, bucketsPerAccount: 1, regions: ['us-east-1'] }, { regions: ['us-east-1'] });
    await f.run();
    const leaving = [...f.sim.org.accounts.keys()].find((id) => id !== f?.sim.managementAccountId) ?? '';
    f.sim.org.removeAccount(leaving);
    const second = await f.run();
    const db = f.db();
    expect(db.prepare('select * from errors where run_id = ?').all(second.summary.runId)).toEqual([]);
    expect(second.exitCode).toBe(0);
    // Its policy attachments (and any delegation) go with it; here the member resources matter.
    const removed = db
      .prepare("select table_name, count(*) n from changes where run_id = ? and change = 'removed' and table_name in ('accounts', 's3_buckets', 'sqs_queues') group by table_name order by 1")
      .all(second.summary.runId);
    expect(removed).toEqual([
      { table_name: 'accounts', n: 1 },
      { table_name: 's3_buckets', n: 1 },
      { table_name: 'sqs_queues', n: 2 },
    ]);
    expect(db.prepare('select count(*) n from sqs_queues where account_id = ? and deleted_run is null').get(leaving)).toEqual({ n: 0 });
  });
});
