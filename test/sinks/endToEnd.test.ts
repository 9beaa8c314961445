/**
 * The outputs through the real run against the simulated organization: deterministic CSV, no
 * changes on an unchanged estate, and removed / modified / denied between runs.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlFixture } from '../helpers/harness.js';
import type { CrawlFixture } from '../helpers/harness.js';

function csvFiles(dir: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const name of readdirSync(dir).sort()) files[name] = readFileSync(join(dir, name));
  return files;
}

describe('outputs of real runs against the simulated organization', () => {
  let f: CrawlFixture;
  beforeAll(async () => {
    f = await crawlFixture({ accounts: 3, queuesPerAccount: 4, bucketsPerAccount: 2, regions: ['us-east-1', 'eu-west-1'] });
  });
  afterAll(async () => f.close());

  it('writes byte-identical CSVs and records no changes on an unchanged estate, then tracks removed, modified and denied', async () => {
    const csvDir = join(f.params.output_dir, 'csv');
    const first = await f.run();
    expect(first.exitCode).toBe(0);
    const firstCsv = csvFiles(csvDir);
    expect(Object.keys(firstCsv)).toContain('sqs_queues.csv');

    const second = await f.run();
    expect(second.exitCode).toBe(0);
    expect(csvFiles(csvDir)).toEqual(firstCsv);
    const db = f.db();
    expect(db.prepare('SELECT count(*) FROM changes WHERE run_id = ?').pluck().get(second.summary.runId)).toBe(0);

    // Between runs: one queue deleted, one queue's visibility timeout changed, one account denied.
    const members = f.sim.org.memberAccountIds().sort();
    const [changedAccount, deniedAccount] = members;
    if (changedAccount === undefined || deniedAccount === undefined) throw new Error('the simulator made too few accounts');
    const queues = ['us-east-1', 'eu-west-1'].flatMap((region) => f.sim.org.queuesIn(changedAccount, region));
    const [removed, modified] = queues;
    if (removed === undefined || modified === undefined) throw new Error('the simulator made too few queues');
    f.sim.org.removeQueue(removed.accountId, removed.region, removed.name);
    modified.attributes.VisibilityTimeout = '777';
    const deniedRows = Number(db.prepare('SELECT count(*) FROM sqs_queues WHERE account_id = ? AND deleted_run IS NULL').pluck().get(deniedAccount));
    expect(deniedRows).toBeGreaterThan(0);
    f.sim.faults.denyMemberRoles = [deniedAccount];

    const third = await f.run();
    expect(third.exitCode).toBe(1);
    expect(third.summary.status).toBe('partial');
    const changes = db
      .prepare("SELECT primary_key, change, changed_columns FROM changes WHERE run_id = ? AND table_name = 'sqs_queues' ORDER BY change")
      .all(third.summary.runId) as Array<{ primary_key: string; change: string; changed_columns: string | null }>;
    expect(changes).toEqual([
      { primary_key: JSON.stringify({ account_id: modified.accountId, region: modified.region, name: modified.name }), change: 'modified', changed_columns: '["visibility_timeout_seconds"]' },
      { primary_key: JSON.stringify({ account_id: removed.accountId, region: removed.region, name: removed.name }), change: 'removed', changed_columns: null },
    ]);
    // The denied account's queues stay current, last seen in the run before.
    expect(db.prepare('SELECT count(*) FROM sqs_queues WHERE account_id = ? AND deleted_run IS NULL AND last_seen_run = ?').pluck().get(deniedAccount, second.summary.runId)).toBe(deniedRows);
    expect(Number(db.prepare('SELECT count(*) FROM errors WHERE run_id = ? AND account_id = ?').pluck().get(third.summary.runId, deniedAccount))).toBeGreaterThan(0);
    expect(db.prepare('SELECT status FROM runs ORDER BY run_id').pluck().all()).toEqual(['succeeded', 'succeeded', 'partial']);
  });
});
