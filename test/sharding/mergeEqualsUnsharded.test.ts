/**
 * The promise of `run --shard K/N` + `merge`: against the same simulated organization, three
 * shards merged give the resource tables, changes and errors an unsharded run gives — on the
 * first run and on a second run after queues, buckets, member-role permissions and the
 * organization's membership changed.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../src/crawl/engine.js';
import { crawlFixture, tempDir } from '../helpers/harness.js';
import type { CrawlFixture } from '../helpers/harness.js';
import { historyLines, mergeShards, resourceTables, runShards, shardPath, tableRows, withDatabase } from '../helpers/shardedRun.js';

const SHARDS = 3;
const REGIONS = ['us-east-1', 'eu-west-1'];

describe('three shards merged equal an unsharded run', () => {
  let f: CrawlFixture;
  let dir: string;
  let members: string[];
  const owned = (k: number) => members.filter((id) => shardOf(id, SHARDS) === k);

  beforeAll(async () => {
    f = await crawlFixture({ accounts: 9, queuesPerAccount: 3, bucketsPerAccount: 2, regions: REGIONS }, { regions: REGIONS });
    dir = tempDir('aoi-shards-');
    members = f.sim.org.memberAccountIds().sort();
  });
  afterAll(async () => f.close());

  const unshardedPath = () => path.join(f.params.output_dir, 'inventory.sqlite');
  const mergedPath = () => path.join(dir, 'merged.sqlite');

  function expectEqualDatabases(runId: number): void {
    withDatabase(unshardedPath(), (whole) =>
      withDatabase(mergedPath(), (merged) => {
        const tables = resourceTables(whole);
        expect(resourceTables(merged)).toEqual(tables);
        for (const table of tables) {
          const expected = tableRows(whole, table);
          expect(expected.length, `${table.name} has rows to compare`).toBeGreaterThan(0);
          // Run ids line up, so even first_seen_run, last_seen_run and deleted_run are equal.
          expect(tableRows(merged, table), table.name).toEqual(expected);
        }
        expect(historyLines(merged, 'changes', runId)).toEqual(historyLines(whole, 'changes', runId));
        expect(historyLines(merged, 'errors', runId)).toEqual(historyLines(whole, 'errors', runId));
        // History rows are compared without `shard` and in any order (rowids follow the shards).
        // Of a run row, started_at/finished_at (other processes) and shard differ by nature.
        const run = (db: typeof whole) => {
          const row = db.prepare('SELECT run_id, status, error_count, rows_per_table, changes_per_table FROM runs WHERE run_id = ?').get(runId) as Record<string, unknown>;
          return { ...row, rows_per_table: JSON.parse(String(row.rows_per_table)) as unknown, changes_per_table: JSON.parse(String(row.changes_per_table)) as unknown };
        };
        expect(run(merged)).toEqual(run(whole));
      }),
    );
  }

  it('on the first run: every resource table row for row, crawl statuses from the owning shards', async () => {
    for (let k = 0; k < SHARDS; k++) expect(owned(k).length, `shard ${k} owns member accounts`).toBeGreaterThan(1);
    expect(owned(2).length, 'shard 2 owns an account that leaves').toBeGreaterThan(2);
    const [filtered] = owned(1);
    const [denied] = owned(2);
    if (filtered === undefined || denied === undefined) throw new Error('too few accounts');
    f.params.exclude_accounts = [filtered];
    f.sim.faults.denyMemberRoles = [denied];

    const whole = await f.run();
    expect(whole.summary.status).toBe('partial');
    const shards = await runShards(f.params, f.logs.logger, dir, SHARDS);
    expect(shards.map((r) => r.summary.runId)).toEqual([1, 1, 1]);
    expect(shards.map((r) => r.summary.status)).toEqual(['succeeded', 'succeeded', 'partial']);

    // Shard 0 alone writes the organization tables and knows nothing of the other shards' crawls.
    const statusInShard0 = withDatabase(shardPath(dir, 0), (db) => db.prepare('SELECT crawl_status FROM accounts WHERE id = ?').pluck().get(denied));
    expect(statusInShard0).toBe('other-shard');

    const merged = mergeShards(dir, [2, 0, 1]);
    expect(merged.sources.map((s) => s.shard)).toEqual(['0/3', '1/3', '2/3']);
    expect(merged.warnings).toEqual([]);
    expectEqualDatabases(1);

    const statuses = withDatabase(mergedPath(), (db) => Object.fromEntries(db.prepare('SELECT id, crawl_status FROM accounts').raw(true).all() as Array<[string, string]>));
    expect(statuses[filtered]).toBe('filtered');
    expect(statuses[denied]).toBe('denied');
    expect(Object.values(statuses)).not.toContain('other-shard');
  });

  it('on a second run after changes: deletions, modifications and crawl-status changes survive the merge', async () => {
    // Accounts crawled on the first run: one changes its resources, one is denied from now on.
    const [, changedAccount] = owned(2);
    const [, newlyDenied] = owned(1);
    const departed = owned(2)[2];
    if (changedAccount === undefined || newlyDenied === undefined || departed === undefined) throw new Error('too few accounts');
    const [removedQueue, modifiedQueue] = REGIONS.flatMap((r) => f.sim.org.queuesIn(changedAccount, r));
    const removedBucket = f.sim.org.bucketsOf(changedAccount)[0];
    if (removedQueue === undefined || modifiedQueue === undefined || removedBucket === undefined) throw new Error('too few resources');
    f.sim.org.removeQueue(removedQueue.accountId, removedQueue.region, removedQueue.name);
    f.sim.org.removeBucket(removedBucket.name);
    modifiedQueue.attributes.VisibilityTimeout = '321';
    f.sim.org.removeAccount(departed);
    // The account denied on the first run is readable now; another one is denied instead.
    f.params.exclude_accounts = null;
    f.sim.faults.denyMemberRoles = [newlyDenied];

    const whole = await f.run();
    expect(whole.summary.runId).toBe(2);
    const shards = await runShards(f.params, f.logs.logger, dir, SHARDS);
    expect(shards.map((r) => r.summary.runId)).toEqual([2, 2, 2]);
    const merged = mergeShards(dir, [0, 1, 2]);
    expect(merged.runs).toBe(2);
    expectEqualDatabases(2);

    withDatabase(mergedPath(), (db) => {
      const queueKey = JSON.stringify({ account_id: removedQueue.accountId, region: removedQueue.region, name: removedQueue.name });
      expect(db.prepare("SELECT change FROM changes WHERE run_id = 2 AND table_name = 'sqs_queues' AND primary_key = ?").pluck().get(queueKey)).toBe('removed');
      expect(db.prepare('SELECT deleted_run FROM sqs_queues WHERE account_id = ? AND region = ? AND name = ?').pluck().get(removedQueue.accountId, removedQueue.region, removedQueue.name)).toBe(2);
      expect(db.prepare('SELECT deleted_run FROM s3_buckets WHERE name = ?').pluck().get(removedBucket.name)).toBe(2);
      // An account that left the organization: gone from accounts (shard 0) and its resources retired (its owner).
      expect(db.prepare('SELECT deleted_run FROM accounts WHERE id = ?').pluck().get(departed)).toBe(2);
      expect(db.prepare('SELECT count(*) FROM sqs_queues WHERE account_id = ? AND deleted_run IS NULL').pluck().get(departed)).toBe(0);
      expect(db.prepare('SELECT count(*) FROM sqs_queues WHERE account_id = ? AND deleted_run = 2').pluck().get(departed)).toBeGreaterThan(0);
      // The newly denied account's queues stay current, last seen on the first run.
      expect(db.prepare('SELECT count(*) FROM sqs_queues WHERE account_id = ? AND deleted_run IS NULL AND last_seen_run = 1').pluck().get(newlyDenied)).toBeGreaterThan(0);
      const statusChanges = db
        .prepare("SELECT primary_key FROM changes WHERE run_id = 2 AND table_name = 'accounts' AND changed_columns LIKE '%crawl_status%' ORDER BY primary_key")
        .pluck()
        .all();
      expect(statusChanges.length).toBeGreaterThanOrEqual(2);
      expect(statusChanges).toContain(JSON.stringify({ id: newlyDenied }));
    });
  });
});
