/**
 * The shared concurrency limit: however many threads take slots, no more than `size` hold one at
 * once, every waiter gets one in the end, and the slots are used (a limit that let nobody in, or
 * one at a time, would fail here too). The worker threads here have nothing else to keep their
 * event loops alive: a thread whose waiters did not keep it alive would stop with tasks left, and
 * the test would time out.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { SharedSlots } from '../../src/crawl/workers/sharedSlots.js';
import { compileForChild } from '../helpers/compileForChild.js';

const SIZE = 5;
const TASKS_PER_THREAD = 300;

/** Runs tasks through the slots; each counts itself in `holders` while it holds one and records the most seen. */
const TASKS = `
  const { workerData, parentPort } = require('node:worker_threads');
  (async () => {
    const { SharedSlots } = await import(workerData.module);
    const slots = new SharedSlots(workerData.buffer);
    const stats = new Int32Array(workerData.stats);
    let left = workerData.tasks;
    const one = async () => {
      await slots.acquire();
      const now = Atomics.add(stats, 0, 1) + 1;
      for (let seen = Atomics.load(stats, 1); now > seen; seen = Atomics.load(stats, 1)) Atomics.compareExchange(stats, 1, seen, now);
      await new Promise((r) => setTimeout(r, Math.random() < 0.5 ? 0 : 1));
      Atomics.sub(stats, 0, 1);
      Atomics.add(stats, 2, 1);
      slots.release();
    };
    await Promise.all(Array.from({ length: 40 }, async () => { while (left > 0) { left -= 1; await one(); } }));
    parentPort.postMessage('done');
  })();
`;

describe('SharedSlots', () => {
  it(`lets at most ${SIZE} holders in at once across three threads, and every task through`, async () => {
    const module = pathToFileURL(compileForChild(path.resolve(import.meta.dirname, '../../src/crawl/workers/sharedSlots.ts'))).href;
    const slots = SharedSlots.create(SIZE);
    // holders now, most holders seen, tasks finished
    const stats = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
    const data = { module, buffer: slots.buffer, size: SIZE, stats, tasks: TASKS_PER_THREAD };
    const threads = [0, 1, 2].map(
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(TASKS, { eval: true, workerData: data });
          worker.once('message', () => void worker.terminate().then(() => resolve()));
          worker.once('error', reject);
        }),
    );
    await Promise.all(threads);
    const [holders, most, finished] = Array.from(new Int32Array(stats));
    expect(finished).toBe(3 * TASKS_PER_THREAD);
    expect(most).toBeLessThanOrEqual(SIZE);
    expect(most).toBe(SIZE);
    expect(holders).toBe(0);
    expect(slots.inUse()).toBe(0);
  });

  it('grows: a waiter gets a slot added after it started waiting', async () => {
    const slots = SharedSlots.create(1);
    await slots.acquire();
    let second = false;
    const waiting = slots.acquire().then(() => (second = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(second).toBe(false);
    slots.grow(1);
    await waiting;
    expect(slots.size).toBe(2);
    expect(slots.inUse()).toBe(2);
    slots.release();
    slots.release();
  });

  it('refuses a size that lets nobody in', () => {
    expect(() => SharedSlots.create(0)).toThrow(/at least one slot/);
  });
});
