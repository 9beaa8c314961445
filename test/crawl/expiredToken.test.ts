/**
 * ExpiredToken under load: answers refused as expired are retried within max_attempts like any
 * transient failure — renewing the credentials only when the refused request used the current
 * ones — so a crawl with random ExpiredToken answers ends as a clean one does, and a role whose
 * renewal keeps failing ends with a clear error after a bounded number of requests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InventoryError } from '../../src/errors/inventoryError.js';
import { runInventory } from '../../src/crawl/run.js';
import type { RunResult } from '../../src/crawl/run.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { collectLogs, parametersFor, spyHandler } from '../helpers/harness.js';

const running: RunningSimulator[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.close();
});

function csvFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) out[name] = readFileSync(path.join(dir, name), 'utf8');
  return out;
}

async function crawl(sim: RunningSimulator, extra: Record<string, unknown> = {}): Promise<RunResult> {
  const params = parametersFor(sim, extra);
  return runInventory({ params, logger: collectLogs('info').logger, progress: 'none' });
}

describe('ExpiredToken answers', () => {
  it('at random on 5% of every request: the crawl succeeds with every row a clean crawl has', async () => {
    const sim = await startSimulator({ accounts: 12, queuesPerAccount: 8, bucketsPerAccount: 6 });
    running.push(sim);
    const clean = await crawl(sim);
    expect(clean.summary.status).toBe('succeeded');
    const expected = csvFiles(clean.csvDir ?? '');

    sim.faults.expiredTokenRate = 0.05;
    for (let round = 0; round < 2; round += 1) {
      sim.resetCounters();
      const faulted = await crawl(sim);
      const injected = sim.counters().faults.expiredToken ?? 0;
      console.log(JSON.stringify({ round, status: faulted.summary.status, errors: faulted.summary.errorCount, injected, requests: faulted.requests, rows: faulted.summary.rows }));
      expect(faulted.summary.status).toBe('succeeded');
      expect(faulted.summary.errorCount).toBe(0);
      expect(csvFiles(faulted.csvDir ?? '')).toEqual(expected);
      expect(injected).toBeGreaterThan(20);
    }
  }, 120_000);

  it('on every AssumeRole of a chain hop: the run ends with a clear authentication error after max_attempts, not a loop', async () => {
    const probe = await startSimulator({ accounts: 1 });
    const identity = probe.org.identityAccountId;
    const management = probe.managementAccountId;
    await probe.close();
    const entry = 'arn:aws:iam::210000000001:role/Entry';
    const reader = `arn:aws:iam::${management}:role/InventoryReader`;
    const sim = await startSimulator({
      accounts: 1,
      roles: [
        { arn: entry, externalId: 'x-42', trustedAccounts: [identity] },
        { arn: reader, externalId: 'x-42', trustedAccounts: ['210000000001'] },
      ],
    });
    running.push(sim);
    // The second hop is signed with the first hop's credentials, which STS refuses as expired.
    sim.faults.expireMatching = [{ account: '210000000001', service: 'sts', operation: 'AssumeRole' }];
    const params = parametersFor(sim, { master_assume_role_arn_chain: [entry, reader], assume_external_id: 'x-42', max_attempts: 3 });
      const spy = spyHandler();
    const started = Date.now();
    const error = await runInventory({ params, logger: collectLogs().logger, progress: 'none', requestHandler: spy.handler }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InventoryError);
    const e = error as InventoryError;
    expect(e.kind).toBe('auth');
    expect(e.message).toContain(`AssumeRole ${reader} failed: ExpiredToken`);
    expect(e.hint).toMatch(/refused the credentials that sign this AssumeRole as expired on each of 3 attempts/);
    const assumes = (arn: string) => spy.seen.filter((r) => r.form.get('Action') === 'AssumeRole' && r.form.get('RoleArn') === arn).length;
    // Three attempts of the refused hop; its source renewed for the first refusal only (the renewed
    // credentials are not renewed again for the next ones).
    expect(assumes(reader)).toBe(3);
    expect(assumes(entry)).toBe(2);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);

  it('on every AssumeRole of the member roles: each account is an error row after max_attempts and the run ends partial', async () => {
    const sim = await startSimulator({ accounts: 4, queuesPerAccount: 2, bucketsPerAccount: 1 });
    running.push(sim);
    sim.faults.expireMatching = [{ account: sim.managementAccountId, service: 'sts', operation: 'AssumeRole' }];
    const params = parametersFor(sim, { max_attempts: 3 });
      const spy = spyHandler();
    const result = await runInventory({ params, logger: collectLogs().logger, progress: 'none', requestHandler: spy.handler });
    expect(result.exitCode).toBe(1);
    expect(result.outcome.accounts).toMatchObject({ crawled: 1, error: 4 });
    const memberAssumes = spy.seen.filter((r) => r.form.get('Action') === 'AssumeRole' && r.form.get('RoleArn')?.endsWith(':role/OrganizationAccountAccessRole'));
    expect(memberAssumes).toHaveLength(4 * 3);
    // The chain's own role was renewed for the first refusal only, not for each of the twelve.
    expect(spy.seen.filter((r) => r.form.get('Action') === 'AssumeRole' && r.form.get('RoleArn') === sim.chainRoleArn)).toHaveLength(2);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(result.sqlitePath ?? '', { readonly: true });
    const errors = db.prepare("select account_id, operation, error_code, message from errors where operation = 'AssumeRole'").all() as Array<Record<string, string>>;
    db.close();
    expect(errors).toHaveLength(4);
    for (const row of errors) expect(row).toMatchObject({ operation: 'AssumeRole', error_code: 'ExpiredToken' });
  }, 60_000);

  it('on every attempt of a per-resource call: the row keeps the column values of the previous run, with an error row and no change', async () => {
    const sim = await startSimulator({ accounts: 2, queuesPerAccount: 3, bucketsPerAccount: 0 });
    running.push(sim);
    const params = parametersFor(sim, { resources: ['sqs'], max_attempts: 3 });
      const run = () => runInventory({ params, logger: collectLogs().logger, progress: 'none' });
    expect((await run()).summary.status).toBe('succeeded');
    const Database = (await import('better-sqlite3')).default;
    const read = () => {
      const db = new Database(path.join(params.output_dir, 'inventory.sqlite'), { readonly: true });
      try {
        return db.prepare("select account_id, region, name, visibility_timeout_seconds, message_retention_seconds, policy, tags from sqs_queues order by 1, 2, 3").all();
      } finally {
        db.close();
      }
    };
    const before = read();
    const member = [...sim.org.accounts.keys()].find((id) => id !== sim.managementAccountId) ?? '';
    // Every GetQueueAttributes of one account is refused as expired, renewed credentials or not.
    sim.faults.expireMatching = [{ account: member, service: 'sqs', operation: 'GetQueueAttributes' }];
    const second = await run();
    expect(second.summary.status).toBe('partial');
    expect(read()).toEqual(before);
    const db = new Database(path.join(params.output_dir, 'inventory.sqlite'), { readonly: true });
    const errors = db.prepare('select account_id, operation, error_code from errors where run_id = ?').all(second.summary.runId);
    const changes = db.prepare('select * from changes where run_id = ?').all(second.summary.runId);
    db.close();
    const queuesOfMember = (before as Array<{ account_id: string }>).filter((q) => q.account_id === member).length;
    expect(queuesOfMember).toBeGreaterThan(0);
    expect(errors).toEqual(Array.from({ length: queuesOfMember }, () => ({ account_id: member, operation: 'GetQueueAttributes', error_code: 'ExpiredToken' })));
    expect(changes).toEqual([]);
  }, 60_000);

  it('on every region lookup of a bucket: the bucket keeps its stored region and values, with an error row and no change', async () => {
    const sim = await startSimulator({ accounts: 1, queuesPerAccount: 0, bucketsPerAccount: 3, omitBucketRegion: true });
    running.push(sim);
    const params = parametersFor(sim, { resources: ['s3'], max_attempts: 3 });
      const run = () => runInventory({ params, logger: collectLogs().logger, progress: 'none' });
    expect((await run()).summary.status).toBe('succeeded');
    const Database = (await import('better-sqlite3')).default;
    const open = () => new Database(path.join(params.output_dir, 'inventory.sqlite'), { readonly: true });
    const rows = () => {
      const db = open();
      try {
        return (db.prepare('select * from s3_buckets order by account_id, name').all() as Array<Record<string, unknown>>).map((row): Record<string, unknown> => ({ ...row, last_seen_run: undefined }));
      } finally {
        db.close();
      }
    };
    const before = rows();
    const member = [...sim.org.accounts.keys()].find((id) => id !== sim.managementAccountId) ?? '';
    // ListBuckets gives no BucketRegion here, and both calls that tell it are refused as expired.
    sim.faults.expireMatching = [
      { account: member, service: 's3', operation: 'HeadBucket' },
      { account: member, service: 's3', operation: 'GetBucketLocation' },
    ];
    const second = await run();
    expect(second.summary.status).toBe('partial');
    expect(rows()).toEqual(before);
    const db = open();
    const errors = db.prepare('select account_id, operation, error_code from errors where run_id = ?').all(second.summary.runId);
    const changes = db.prepare('select * from changes where run_id = ?').all(second.summary.runId);
    db.close();
    const bucketsOfMember = before.filter((b) => b.account_id === member).length;
    expect(bucketsOfMember).toBeGreaterThan(0);
    expect(errors).toEqual(Array.from({ length: bucketsOfMember }, () => ({ account_id: member, operation: 'GetBucketLocation', error_code: 'ExpiredToken' })));
    expect(changes).toEqual([]);
  }, 60_000);
});
