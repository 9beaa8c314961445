/**
 * How the pool hands member targets out: to the threads with the fewest in hand, a bounded number
 * each, and to the main thread only once the organization walk is over (it is the walk's
 * thread, and the walk finds the accounts everything else waits for). A stand-in worker module
 * answers each target after a few milliseconds, so the test sees only the pool's decisions.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/crawl/scheduler.js';
import { TABLES } from '../../src/tables/index.js';
import { SharedSlots } from '../../src/crawl/workers/sharedSlots.js';
import { WorkerPool } from '../../src/crawl/workers/workerPool.js';
import type { Parameters } from '../../src/parameters/schema.js';
import { collectLogs } from '../helpers/harness.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * A worker that finishes every target 10 ms after it gets it, reports in a log line the most
 * targets it held at once, and stops when told to close. With BACKING_OFF set, it says that many
 * of its calls are backing off.
 */
const STAND_IN = `
import { parentPort, workerData } from 'node:worker_threads';
Atomics.store(new Int32Array(workerData.backingOff), 0, Number(process.env.BACKING_OFF ?? 0));
let held = 0;
let most = 0;
parentPort.on('message', (m) => {
  if (m.type === 'target') {
    held += 1;
    most = Math.max(most, held);
    setTimeout(() => {
      held -= 1;
      parentPort.postMessage({ type: 'log', line: JSON.stringify({ level: 50, msg: 'most in hand ' + most }) });
      parentPort.postMessage({ type: 'done', id: m.id, complete: true });
    }, 10);
  }
  if (m.type === 'close') process.exit(0);
});
`;

function standInEntry(): URL {
  const file = path.join(tempDir('pool-'), 'standIn.mjs');
  writeFileSync(file, STAND_IN);
  return pathToFileURL(file);
}

function pool(concurrency: number) {
  const slots = SharedSlots.create(concurrency);
  const logs = collectLogs();
  const pool = new WorkerPool({
    params: { concurrency, workers: 1 } as Parameters,
    count: 1,
    slots,
    scheduler: new Scheduler({ concurrency, maxAttempts: 1, sharedSlots: slots }),
    logger: logs.logger,
    partition: 'aws',
    tables: TABLES,
    entry: standInEntry(),
  });
  pool.attach({ upsert: () => undefined, completeScope: () => undefined, recordErrorRow: () => undefined, credentialsFor: () => { throw new Error('no credentials in this test'); } });
  const table = TABLES.find((t) => t.scope !== 'organization');
  if (!table) throw new Error('no member table');
  const mostInHand = () => Math.max(0, ...logs.lines.map((l) => Number(/most in hand (\d+)/.exec(l)?.[1] ?? 0)));
  return { pool, table, mostInHand };
}

describe('WorkerPool', () => {
  it('keeps member targets off the main thread until the walk is done, then gives it its share; a worker holds a bounded number', async () => {
    const concurrency = 64;
    const { pool: p, table, mostInHand } = pool(concurrency);
    let here = 0;
    let hereNow = 0;
    let hereMost = 0;
    const runHere = async () => {
      here += 1;
      hereNow += 1;
      hereMost = Math.max(hereMost, hereNow);
      await new Promise((r) => setTimeout(r, 10));
      hereNow -= 1;
      return true;
    };
    const during = Array.from({ length: 40 }, (_, i) => p.run(table, String(100000000000 + i), 'us-east-1', {}, runHere));
    await Promise.all(during);
    expect(here, 'the main thread crawled a member target while the walk was still going').toBe(0);
    expect(mostInHand(), 'the worker was handed more targets at once than it needs').toBe(8);

    p.walkDone();
    const after = Array.from({ length: 60 }, (_, i) => p.run(table, String(200000000000 + i), 'us-east-1', {}, runHere));
    await Promise.all(after);
    expect(here, 'the main thread took no targets once the walk was done').toBeGreaterThan(10);
    expect(hereMost).toBeLessThanOrEqual(8);
    await p.close();
  });

  it('gives a thread one more target for each of its calls backing off after throttling', async () => {
    process.env.BACKING_OFF = '12';
    try {
      const { pool: p, table, mostInHand } = pool(64);
      await Promise.all(Array.from({ length: 60 }, (_, i) => p.run(table, String(300000000000 + i), 'us-east-1', {}, async () => true)));
      expect(mostInHand()).toBe(8 + 12);
      await p.close();
    } finally {
      delete process.env.BACKING_OFF;
    }
  });
});
