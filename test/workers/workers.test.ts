/**
 * Crawl workers: the same crawl with member targets spread over worker threads must store what
 * a crawl on the main thread stores — rows, error rows, crawl statuses, request counts — and
 * behave the same when calls fail, credentials expire, or the run must stop. Worker threads run
 * plain Node, so the worker module is compiled for them first.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runInventory } from '../../src/crawl/run.js';
import type { RunResult } from '../../src/crawl/run.js';
import { resolveWorkerCount } from '../../src/crawl/workers/workerPool.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator, SimulatorOptions } from '../../src/simulator/index.js';
import { collectLogs, parametersFor } from '../helpers/harness.js';
import { compileForChild } from '../helpers/compileForChild.js';

let workerEntry: URL;
beforeAll(() => {
  workerEntry = pathToFileURL(compileForChild(path.resolve(import.meta.dirname, '../../src/crawl/workers/crawlWorker.ts')));
});

const running: RunningSimulator[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.close();
});

const ORG: Partial<SimulatorOptions> = { accounts: 10, ouDepth: 2, ouBreadth: 2, queuesPerAccount: 6, bucketsPerAccount: 2, regions: ['us-east-1', 'eu-west-1'], seed: 11 };

async function crawlBoth(options: Partial<SimulatorOptions>, extra: Record<string, unknown> = {}, arrange?: (sim: RunningSimulator) => void) {
  const results: Array<{ result: RunResult; logs: string; sim: RunningSimulator }> = [];
  for (const workers of [0, 2]) {
    const sim = await startSimulator(options);
    running.push(sim);
    arrange?.(sim);
    const logs = collectLogs();
    const params = parametersFor(sim, { workers, concurrency: 8, regions: ['us-east-1', 'eu-west-1'], ...extra });
    const result = await runInventory({ params, logger: logs.logger, progress: 'none', workerEntry });
    results.push({ result, logs: logs.lines.join('\n'), sim });
  }
  const [here, threads] = results;
  if (!here || !threads) throw new Error('two runs expected');
  return { here, threads };
}

/** Each run has its own simulator: queue URLs differ in the port only. */
const samePort = (text: string) => text.replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://simulator');

function csvFiles(dir: string | null): Record<string, string> {
  if (dir === null) throw new Error('no CSV directory');
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, samePort(readFileSync(path.join(dir, f), 'utf8'))]));
}

function errorRows(file: string | null): unknown[] {
  const db = new Database(file ?? '', { readonly: true });
  try {
    return (db.prepare('select account_id, region, service, operation, resource, error_code from errors order by 1, 2, 3, 4, 5').all() as Array<{ resource: string | null }>).map(
      (r) => ({ ...r, resource: r.resource === null ? null : samePort(r.resource) }),
    );
  } finally {
    db.close();
  }
}

describe('crawl workers', () => {
  it('store byte-for-byte the CSVs, statuses and request counts of a crawl on the main thread', async () => {
    const { here, threads } = await crawlBoth(ORG);
    expect(threads.result.exitCode).toBe(0);
    expect(threads.logs).toMatch(/started 2 crawl worker/);
    expect(csvFiles(threads.result.csvDir)).toEqual(csvFiles(here.result.csvDir));
    expect(threads.result.outcome.accounts).toEqual(here.result.outcome.accounts);
    expect(threads.result.requests.byOperation).toEqual(here.result.requests.byOperation);
    expect(threads.result.requests.total).toBe(here.result.requests.total);
    expect(threads.result.summary.rows).toEqual(here.result.summary.rows);
    expect(threads.result.summary.changes).toEqual(here.result.summary.changes);
  });

  it('record the failures of calls made in a worker as the same error rows, and finish partial', async () => {
    const deny = (sim: RunningSimulator) => {
      const member = [...sim.org.accounts.values()].find((a) => a.id !== sim.managementAccountId && a.state === 'ACTIVE');
      sim.faults.deny = [
        { account: member?.id ?? '', service: 'sqs', operation: 'ListQueueTags' },
        { account: member?.id ?? '', service: 's3', operation: 'GetBucketPolicy' },
      ];
    };
    const { here, threads } = await crawlBoth(ORG, {}, deny);
    expect(here.result.exitCode).toBe(1);
    expect(threads.result.exitCode).toBe(1);
    expect(errorRows(threads.result.sqlitePath).length).toBeGreaterThan(0);
    expect(errorRows(threads.result.sqlitePath)).toEqual(errorRows(here.result.sqlitePath));
    expect(csvFiles(threads.result.csvDir)).toEqual(csvFiles(here.result.csvDir));
  });

  it('renew a member role through the main thread when a worker is told its credentials expired', async () => {
    const { threads: reference } = await crawlBoth(ORG);
    const s = await startSimulator(ORG);
    running.push(s);
    const params = parametersFor(s, { workers: 2, concurrency: 8, regions: ['us-east-1', 'eu-west-1'] });
    // Once the member crawl is under way (most requests come from the workers then), six
    // requests in a row are refused as expired.
    const arm = setInterval(() => {
      if (s.counters().requests > 150) {
        s.faults.expireNextRequests = 6;
        clearInterval(arm);
      }
    }, 2);
    const result = await runInventory({ params, logger: collectLogs().logger, progress: 'none', workerEntry }).finally(() => clearInterval(arm));
    expect(result.exitCode).toBe(0);
    expect(s.counters().faults.expiredToken).toBe(6);
    expect(result.requests.expiredRenewals).toBeGreaterThan(0);
    expect(csvFiles(result.csvDir)).toEqual(csvFiles(reference.result.csvDir));
  });

  it('end a run with a member region that is not enabled as the main thread does (same outcome, same error rows)', async () => {
    const arrange = (sim: RunningSimulator) => {
      const member = [...sim.org.accounts.values()].find((a) => a.id !== sim.managementAccountId && a.state === 'ACTIVE');
      sim.faults.regionsNotEnabled = { [member?.id ?? '']: ['eu-west-1'] };
    };
    const outcomes: unknown[] = [];
    for (const workers of [0, 2]) {
      const sim = await startSimulator(ORG);
      running.push(sim);
      arrange(sim);
      const params = parametersFor(sim, { workers, concurrency: 8, regions: ['us-east-1', 'eu-west-1'] });
      outcomes.push(
        await runInventory({ params, logger: collectLogs().logger, progress: 'none', workerEntry }).then(
          (r) => ({ exitCode: r.exitCode, errors: errorRows(r.sqlitePath) }),
          (e: unknown) => ({ failed: (e as Error).name, kind: (e as { kind?: string }).kind, message: (e as Error).message }),
        ),
      );
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('never log, store or export a secret', async () => {
    const { threads } = await crawlBoth(ORG, { log_level: 'debug' });
    const secret = threads.sim.bootstrap.secretAccessKey;
    const credentialField = /"(secretAccessKey|sessionToken|SecretAccessKey|SessionToken)":"[^*]/;
    expect(threads.logs.length).toBeGreaterThan(0);
    expect(threads.logs).not.toContain(secret);
    expect(threads.logs).not.toMatch(credentialField);
    for (const text of Object.values(csvFiles(threads.result.csvDir))) {
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(credentialField);
    }
  });

  it('fail the run with exit-code kind internal and a fix when the worker module is missing, leaving no half-written outputs', async () => {
    const sim = await startSimulator(ORG);
    running.push(sim);
    const params = parametersFor(sim, { workers: 2, concurrency: 8, regions: ['us-east-1'] });
    const missing = pathToFileURL(path.join(path.dirname(workerEntry.pathname), 'no-such-worker.js'));
    const failure = await runInventory({ params, logger: collectLogs().logger, progress: 'none', workerEntry: missing }).then(
      () => null,
      (e: unknown) => e as { kind?: string; message: string; hint?: string },
    );
    expect(failure?.kind).toBe('internal');
    expect(failure?.message).toContain('crawl worker module is missing');
    expect(failure?.hint).toContain('"workers": 0');
    // The run is recorded as failed and no CSV was exported.
    const db = new Database(path.join(params.output_dir, 'inventory.sqlite'), { readonly: true });
    try {
      expect(db.prepare('select status from runs').all()).toEqual([{ status: 'failed' }]);
    } finally {
      db.close();
    }
    expect(readdirSync(params.output_dir)).not.toContain('csv');
  });

  it('stop their workers and drop what they still send when the run fails in the middle (no crash after the store is closed)', async () => {
    const sim = await startSimulator({ ...ORG, accounts: 30 });
    running.push(sim);
    // Mid-crawl, every token is refused as expired and STS refuses every AssumeRole: no
    // renewal can succeed, which stops the run while the workers are still crawling.
    const params = parametersFor(sim, { workers: 2, concurrency: 16, regions: ['us-east-1', 'eu-west-1'] });
    const arm = setInterval(() => {
      if (sim.counters().requests > 300) {
        sim.faults.deny = [{ service: 'sts', operation: 'AssumeRole' }];
        sim.faults.expireNextRequests = 1_000_000;
        clearInterval(arm);
      }
    }, 2);
    const failure = await runInventory({ params, logger: collectLogs().logger, progress: 'none', workerEntry }).then(
      () => null,
      (e: unknown) => e as { kind?: string },
    );
    clearInterval(arm);
    expect(failure?.kind).toBe('auth');
    // Late messages from the stopped workers would have thrown here (vitest fails on uncaught errors).
    await new Promise((r) => setTimeout(r, 300));
    const db = new Database(path.join(params.output_dir, 'inventory.sqlite'), { readonly: true });
    try {
      expect(db.prepare('select status from runs').all()).toEqual([{ status: 'failed' }]);
    } finally {
      db.close();
    }
  });

  it('auto: one thread per core — the main thread and cores − 1 workers, at most 8', () => {
    expect(resolveWorkerCount('auto', 1)).toBe(0);
    expect(resolveWorkerCount('auto', 2)).toBe(1);
    expect(resolveWorkerCount('auto', 16)).toBe(8);
    expect(resolveWorkerCount(3, 1)).toBe(3);
  });
});
