/**
 * `run --shard auto/N` as a scheduler starts it: the built CLI in a child process, the shard
 * index from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch
 * array job), then `merge` over the shard databases, as the README's manifests do it; the merged
 * CSV equals an unsharded run's byte for byte.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../src/crawl/engine.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { ensureCliBuilt, listFiles, runCli } from '../helpers/builtCli.js';
import { simulatorParameters, writeParameters } from '../helpers/harness.js';
import { withDatabase } from '../helpers/shardedRun.js';
import { tempDir } from '../helpers/tempDir.js';

const SHARDS = 3;

describe('run --shard auto/N through the CLI, then merge', () => {
  let sim: RunningSimulator;
  let dir: string;
  beforeAll(async () => {
    await ensureCliBuilt();
    sim = await startSimulator({ accounts: 6, queuesPerAccount: 2, bucketsPerAccount: 1, regions: ['us-east-1'] });
    dir = tempDir('aoi-auto-shard-');
    writeParameters(dir, simulatorParameters(sim, { output_dir: path.join(dir, 'output') }));
  }, 300_000);
  afterAll(async () => sim.close());

  const shardDb = (k: number) => path.join(dir, `shard-${k}`, 'inventory.sqlite');
  const runShard = (k: number, env: Record<string, string>) =>
    runCli(['run', '-p', 'parameters.json', '--shard', `auto/${SHARDS}`, '--output-dir', `shard-${k}`, '--quiet', '--log-format', 'json'], { cwd: dir, env });

  it('takes each shard index from the scheduler and merges the three databases', async () => {
    // One index from each scheduler's variable, and one with both set as AWS Batch leaves them alone.
    const runs = [
      await runShard(0, { JOB_COMPLETION_INDEX: '0' }),
      await runShard(1, { AWS_BATCH_JOB_ARRAY_INDEX: '1' }),
      await runShard(2, { JOB_COMPLETION_INDEX: '2' }),
    ];
    runs.forEach((r, k) => expect(r.status, `shard ${k}: ${r.stderr}`).toBe(0));
    for (let k = 0; k < SHARDS; k++) {
      const crawled = withDatabase(shardDb(k), (db) => ({
        shard: db.prepare('SELECT shard FROM runs').pluck().get(),
        accounts: new Set(db.prepare('SELECT DISTINCT account_id FROM sqs_queues').pluck().all() as string[]),
      }));
      expect(crawled.shard).toBe(`${k}/${SHARDS}`);
      expect(crawled.accounts.size, `shard ${k} crawled some accounts`).toBeGreaterThan(0);
      for (const account of crawled.accounts) expect(shardOf(account, SHARDS), account).toBe(k);
    }

    const merged = await runCli(['merge', '--into', 'merged/inventory.sqlite', '--csv-dir', 'merged/csv', shardDb(2), shardDb(0), shardDb(1), '--log-format', 'json'], { cwd: dir });
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/^Merged 3 databases \(shards 0\/3, 1\/3, 2\/3\) into merged\/inventory\.sqlite: 1 runs;/);
    expect(merged.stderr).not.toMatch(/"level":\s*"?(warn|40)/);
    withDatabase(path.join(dir, 'merged', 'inventory.sqlite'), (db) => {
      const accounts = db.prepare('SELECT id, crawl_status FROM accounts').all() as Array<{ id: string; crawl_status: string }>;
      expect(accounts).toHaveLength(7);
      expect(accounts.filter((a) => a.crawl_status !== 'crawled')).toEqual([]);
      expect(db.prepare('SELECT count(DISTINCT account_id) FROM sqs_queues').pluck().get()).toBe(7);
      expect(db.prepare('SELECT status, shard FROM runs').get()).toEqual({ status: 'succeeded', shard: '0/3,1/3,2/3' });
    });

    // The merged CSV is the unsharded run's, byte for byte.
    const whole = await runCli(['run', '-p', 'parameters.json', '--output-dir', 'whole', '--quiet', '--log-format', 'json'], { cwd: dir });
    expect(whole.status, whole.stderr).toBe(0);
    const csvFiles = listFiles(path.join(dir, 'whole', 'csv'));
    expect(csvFiles).toContain('sqs_queues.csv');
    expect(listFiles(path.join(dir, 'merged', 'csv'))).toEqual(csvFiles);
    for (const file of csvFiles) {
      expect(readFileSync(path.join(dir, 'merged', 'csv', file), 'utf8'), file).toBe(readFileSync(path.join(dir, 'whole', 'csv', file), 'utf8'));
    }

    // A shard left out: merged anyway (exit 0), the run partial, and the log says which shard.
    const partial = await runCli(['merge', '--into', 'partial/inventory.sqlite', shardDb(0), shardDb(2), '--log-format', 'json'], { cwd: dir });
    expect(partial.status, partial.stderr).toBe(0);
    expect(partial.stderr).toMatch(/Run 1 has no run from shard 1\/3/);
    expect(withDatabase(path.join(dir, 'partial', 'inventory.sqlite'), (db) => db.prepare('SELECT status FROM runs').pluck().get())).toBe('partial');
  }, 120_000);

  it('refuses auto/N outside an Indexed Job or array job, naming both variables (exit 2, nothing written)', async () => {
    const result = await runCli(['run', '-p', 'parameters.json', '--shard', 'auto/3', '--output-dir', 'no-index'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/JOB_COMPLETION_INDEX/);
    expect(result.stderr).toMatch(/AWS_BATCH_JOB_ARRAY_INDEX/);
    expect(existsSync(path.join(dir, 'no-index', 'inventory.sqlite'))).toBe(false);
  });

  it('refuses an index from the scheduler that is not below N', async () => {
    const result = await runCli(['run', '-p', 'parameters.json', '--shard', 'auto/3', '--output-dir', 'too-high'], { cwd: dir, env: { AWS_BATCH_JOB_ARRAY_INDEX: '3' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/3\/3/);
    expect(existsSync(path.join(dir, 'too-high', 'inventory.sqlite'))).toBe(false);
  });
});
