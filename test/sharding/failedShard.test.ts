/**
 * Shards that go wrong: one whose run fails mid-crawl, one that does not run at all, and one that
 * comes back a run behind. The merge must say so in the run's status and its warnings, and never
 * mark the rows of a shard that did not finish as deleted.
 */
import type { HttpHandler, HttpRequest } from '@smithy/protocol-http';
import type { HttpHandlerOptions } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRequestHandler } from '../../src/aws/httpHandler.js';
import { shardOf } from '../../src/crawl/engine.js';
import { InventoryError } from '../../src/errors/inventoryError.js';
import { crawlFixture, tempDir } from '../helpers/harness.js';
import type { CrawlFixture } from '../helpers/harness.js';
import { mergeShards, runShard, runShards, withDatabase } from '../helpers/shardedRun.js';

const SHARDS = 3;

/** The member credentials stop working for SQS: the kind of failure that stops a run. */
function sqsRevoked(): HttpHandler {
  const inner = defaultRequestHandler({ concurrency: 16 });
  const handler = {
    handle(request: HttpRequest, options?: HttpHandlerOptions) {
      const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'] ?? '';
      if (target.startsWith('AmazonSQS.')) return Promise.reject(new InventoryError('auth', 'the credentials were revoked mid-run'));
      return inner.handle(request, options);
    },
    destroy: () => inner.destroy(),
    updateHttpClientConfig: (key: never, value: never) => inner.updateHttpClientConfig(key, value),
    httpHandlerConfigs: () => inner.httpHandlerConfigs(),
  };
  return handler as unknown as HttpHandler;
}

describe('merging after a shard failed, was missing or fell out of step', () => {
  let f: CrawlFixture;
  let dir: string;
  let shard1Accounts: string[];

  beforeAll(async () => {
    f = await crawlFixture({ accounts: 8, queuesPerAccount: 3, bucketsPerAccount: 1, regions: ['us-east-1'] });
    dir = tempDir('aoi-shards-failed-');
    shard1Accounts = f.sim.org.memberAccountIds().filter((id) => shardOf(id, SHARDS) === 1);
  });
  afterAll(async () => f.close());

  const currentQueues = (db: { prepare(sql: string): { pluck(): { get(...a: unknown[]): unknown } } }, account: string) =>
    Number(db.prepare('SELECT count(*) FROM sqs_queues WHERE account_id = ? AND deleted_run IS NULL').pluck().get(account));

  it('a failed shard makes the merged run failed and deletes none of its rows', async () => {
    expect(shard1Accounts.length).toBeGreaterThan(0);
    await runShards(f.params, f.logs.logger, dir, SHARDS);
    const first = mergeShards(dir, [0, 1, 2]);
    expect(first.warnings).toEqual([]);
    const [owner] = shard1Accounts;
    if (owner === undefined) throw new Error('shard 1 owns no account');
    const before = withDatabase(first.into, (db) => currentQueues(db, owner));
    expect(before).toBe(3);

    // Gone from AWS, but the shard that would notice fails before it can.
    const queue = f.sim.org.queuesIn(owner, 'us-east-1')[0];
    if (queue === undefined) throw new Error('no queue');
    f.sim.org.removeQueue(owner, 'us-east-1', queue.name);
    await runShard(f.params, f.logs.logger, dir, 0, SHARDS);
    await expect(runShard(f.params, f.logs.logger, dir, 1, SHARDS, { requestHandler: sqsRevoked() })).rejects.toThrow(/revoked/);
    await runShard(f.params, f.logs.logger, dir, 2, SHARDS);

    const merged = mergeShards(dir, [0, 1, 2]);
    expect(merged.warnings).toEqual([]);
    withDatabase(merged.into, (db) => {
      expect(db.prepare('SELECT status FROM runs WHERE run_id = 2').pluck().get()).toBe('failed');
      expect(db.prepare('SELECT shard, status FROM run_shards WHERE run_id = 2 ORDER BY shard').all()).toEqual([
        { shard: '0/3', status: 'succeeded' },
        { shard: '1/3', status: 'failed' },
        { shard: '2/3', status: 'succeeded' },
      ]);
      expect(currentQueues(db, owner)).toBe(before);
      expect(db.prepare("SELECT count(*) FROM changes WHERE change = 'removed'").pluck().get()).toBe(0);
    });
  });

  it('a missing shard makes the merged run partial, is named in a warning, and its accounts keep their rows', async () => {
    await runShard(f.params, f.logs.logger, dir, 0, SHARDS);
    await runShard(f.params, f.logs.logger, dir, 2, SHARDS);
    const merged = mergeShards(dir, [0, 1, 2]);
    expect(merged.warnings).toHaveLength(1);
    expect(merged.warnings[0]).toMatch(/^Run 3 has no run from shard 1\/3/);
    withDatabase(merged.into, (db) => {
      expect(db.prepare('SELECT status FROM runs WHERE run_id = 3').pluck().get()).toBe('partial');
      for (const account of shard1Accounts) {
        expect(currentQueues(db, account), account).toBeGreaterThan(0);
        // Like its rows, the account's crawl status is its owner's last word (the first run's).
        expect(db.prepare('SELECT crawl_status FROM accounts WHERE id = ?').pluck().get(account)).toBe('crawled');
      }
      expect(db.prepare("SELECT count(*) FROM changes WHERE change = 'removed'").pluck().get()).toBe(0);
    });
  });

  it('a shard a run behind is reported as out of step', async () => {
    await runShard(f.params, f.logs.logger, dir, 0, SHARDS);
    await runShard(f.params, f.logs.logger, dir, 2, SHARDS);
    const late = await runShard(f.params, f.logs.logger, dir, 1, SHARDS);
    expect(late.summary.runId).toBe(3);
    const merged = mergeShards(dir, [0, 1, 2]);
    expect(merged.warnings.join('\n')).toMatch(/Run ids are out of step: .*shard-1.* was still in its run 3 .* when .*shard-0.* began its run 4/);
    // The history is numbered as each shard numbered it, but the current state is still right.
    withDatabase(merged.into, (db) => {
      for (const account of shard1Accounts) {
        expect(db.prepare('SELECT crawl_status FROM accounts WHERE id = ?').pluck().get(account)).toBe('crawled');
        expect(db.prepare('SELECT max(last_seen_run) FROM sqs_queues WHERE account_id = ?').pluck().get(account)).toBe(3);
      }
      const [owner] = shard1Accounts;
      expect(db.prepare('SELECT count(*) FROM sqs_queues WHERE account_id = ? AND deleted_run IS NULL').pluck().get(owner)).toBe(2);
    });
  });
});

describe('a shard retried within one scheduled run', () => {
  let f: CrawlFixture;
  beforeAll(async () => {
    f = await crawlFixture({ accounts: 4, queuesPerAccount: 1, bucketsPerAccount: 1, regions: ['us-east-1'] });
  });
  afterAll(async () => f.close());

  it('opens a second run that the merge reports as out of step', async () => {
    const dir = tempDir('aoi-shards-retried-');
    await runShard(f.params, f.logs.logger, dir, 0, SHARDS);
    await expect(runShard(f.params, f.logs.logger, dir, 1, SHARDS, { requestHandler: sqsRevoked() })).rejects.toThrow(/revoked/);
    const retry = await runShard(f.params, f.logs.logger, dir, 1, SHARDS);
    expect(retry.summary.runId).toBe(2);
    await runShard(f.params, f.logs.logger, dir, 2, SHARDS);
    const merged = mergeShards(dir, [0, 1, 2]);
    expect(merged.warnings.join('\n')).toMatch(/Run ids are out of step: .*shard-2.* was still in its run 1 .* when .*shard-1.* began its run 2/);
  });
});
