/**
 * The outbox at scale and at the edges, without the crawl: a store that records changes of a
 * hand-made table, published by `publishEvents` to the simulator. Many changes stream from the
 * outbox a page at a time; a row too large for one message arrives split and whole.
 *
 * PUBLISH_SCALE_CHANGES sets the number of changes (default 5000; the README's figure is 100000).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCredentialChain } from '../../src/auth/assumeRoleChain.js';
import type { Parameters } from '../../src/parameters/schema.js';
import { Outbox } from '../../src/publish/outbox.js';
import { publishEvents } from '../../src/publish/publishEvents.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator, SimQueue } from '../../src/simulator/index.js';
import { openSqliteStore } from '../../src/sinks/sqlite/sqliteStore.js';
import type { SqliteStore } from '../../src/sinks/sqlite/sqliteStore.js';
import { collectLogs, parametersFor, tempDir } from '../helpers/harness.js';
import { queueRow, queues, runStart } from '../helpers/tableDeclarations.js';
import { quickSleep } from '../helpers/publishHelpers.js';

const CHANGES = Number(process.env.PUBLISH_SCALE_CHANGES ?? 5_000);
const ACCOUNT = '111122223333';

let sim: RunningSimulator;
let params: Parameters;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, accounts: 1, queuesPerAccount: 0, bucketsPerAccount: 0 });
  params = parametersFor(sim, { publish: { sqs_queue_name: 'scale-events', region: 'eu-west-1' } });
});
afterAll(() => sim.close());

function eventsQueue(name: string): SimQueue {
  const now = Math.floor(Date.now() / 1000);
  return sim.org.addQueue({
    name,
    accountId: sim.managementAccountId,
    region: 'eu-west-1',
    fifo: name.endsWith('.fifo'),
    createdTimestamp: now,
    lastModifiedTimestamp: now,
    attributes: name.endsWith('.fifo') ? { FifoQueue: 'true' } : {},
    tags: {},
    backlog: { visible: 0, notVisible: 0, delayed: 0 },
    messages: [],
  });
}

function publish(store: SqliteStore, queueName: string) {
  const logs = collectLogs('info');
  const chain = buildCredentialChain({ params, logger: logs.logger });
  return publishEvents({ params, publish: { ...params.publish!, sqs_queue_name: queueName }, db: store.database, runId: store.runId, chain, logger: logs.logger, sleep: quickSleep });
}

describe('the outbox', () => {
  it(`streams ${CHANGES} changes to the queue in order, ten to a batch`, async () => {
    const queue = eventsQueue('scale-events');
    const store = openSqliteStore(path.join(tempDir(), 'inventory.sqlite'), { outbox: { events: ['run', 'changes'] } });
    const enqueueStarted = performance.now();
    store.beginRun(runStart([queues]));
    for (let i = 0; i < CHANGES; i++) {
      store.upsert(queues, queueRow(ACCOUNT, 'us-east-1', `queue-${String(i).padStart(6, '0')}`, { visibility_timeout: 30, tags: '{"team":"a"}' }));
    }
    store.completeScope(queues, { accountId: ACCOUNT, region: 'us-east-1' });
    store.finishRun('succeeded');
    const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;

    const heapBefore = process.memoryUsage().heapUsed;
    const publishStarted = performance.now();
    const report = await publish(store, 'scale-events');
    const publishSeconds = (performance.now() - publishStarted) / 1000;
    console.info(
      `outbox: ${CHANGES} changes recorded with their events in ${enqueueSeconds.toFixed(1)} s; published in ${publishSeconds.toFixed(1)} s (${report.batches} batches), heap ${((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(0)} MB more (the simulated queue holds every message)`,
    );

    expect(report).toMatchObject({ sent: CHANGES + 1, remaining: 0, errors: [] });
    expect(report.batches).toBe(Math.ceil((CHANGES + 1) / 10));
    expect(queue.messages).toHaveLength(CHANGES + 1);
    const sequences = queue.messages.map((m) => (JSON.parse(m.body) as { sequence: number }).sequence);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));
    expect(JSON.parse(queue.messages.at(-1)?.body ?? '{}')).toMatchObject({ type: 'inventory.run.completed', change_events: CHANGES });
    store.close();
  }, 600_000);

  it('reads unsent entries a page at a time, and entries marked sent meanwhile do not disturb the reading', () => {
    const store = openSqliteStore(path.join(tempDir(), 'inventory.sqlite'), { outbox: { events: ['changes'] } });
    store.beginRun(runStart([queues]));
    for (let i = 0; i < 25; i++) store.upsert(queues, queueRow(ACCOUNT, 'us-east-1', `q${i}`));
    store.finishRun('succeeded');
    const outbox = new Outbox(store.database);
    const seen: number[] = [];
    for (const entry of outbox.unsent(4)) {
      seen.push(entry.seq);
      if (entry.seq % 2 === 0) outbox.markSent([{ seq: entry.seq, messageId: `m${entry.seq}` }], new Date());
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(outbox.unsentCount()).toBe(13);
    expect([...outbox.unsent(4)].map((e) => e.seq)).toEqual(seen.filter((s) => s % 2 === 1));
    store.close();
  });

  it('renews credentials SQS refuses as expired, once, and goes on', async () => {
    const queue = eventsQueue('expiring-events');
    const store = openSqliteStore(path.join(tempDir(), 'inventory.sqlite'), { outbox: { events: ['changes'] } });
    store.beginRun(runStart([queues]));
    for (let i = 0; i < 15; i++) store.upsert(queues, queueRow(ACCOUNT, 'us-east-1', `q${i}`));
    store.finishRun('succeeded');
    const assumedBefore = sim.counters().assumeRole;
    // The chain's role is assumed by the first request; the next one, a SendMessageBatch, is refused as expired.
    const logs = collectLogs('info');
    const chain = buildCredentialChain({ params, logger: logs.logger });
    await chain.management();
    sim.faults.expireNextRequests = 1;
    const report = await publishEvents({
      params,
      publish: { ...params.publish!, sqs_queue_name: null, sqs_queue_url: `${sim.url}/${sim.managementAccountId}/expiring-events` },
      db: store.database,
      runId: store.runId,
      chain,
      logger: logs.logger,
      sleep: quickSleep,
    });
    expect(report).toMatchObject({ sent: 15, remaining: 0, errors: [] });
    expect(sim.counters().errors.ExpiredToken ?? 0).toBeGreaterThan(0);
    expect(sim.counters().assumeRole - assumedBefore).toBe(2);
    expect(queue.messages).toHaveLength(15);
    store.close();
  });

  it('sends a row too large for one message as parts that rebuild it, each with its own deduplication id on a FIFO queue', async () => {
    const queue = eventsQueue('large-rows.fifo');
    const store = openSqliteStore(path.join(tempDir(), 'inventory.sqlite'), { outbox: { events: ['changes'] } });
    store.beginRun(runStart([queues]));
    const policy = JSON.stringify({ Statement: Array.from({ length: 9000 }, (_, i) => ({ Sid: `statement-${i}`, Effect: 'Allow', Action: 'sqs:SendMessage' })) });
    store.upsert(queues, queueRow(ACCOUNT, 'us-east-1', 'big', { policy }));
    store.upsert(queues, queueRow(ACCOUNT, 'us-east-1', 'small'));
    store.finishRun('succeeded');
    const report = await publish(store, 'large-rows.fifo');
    expect(report.errors).toEqual([]);
    const bodies = queue.messages.map((m) => JSON.parse(m.body) as Record<string, unknown>);
    const parts = bodies.filter((b) => b.part !== undefined) as Array<{ part: { index: number; count: number }; values_part: string; event_id: string }>;
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.part.index)).toEqual(parts.map((_, i) => i + 1));
    const values = JSON.parse(parts.map((p) => p.values_part).join('')) as Record<string, unknown>;
    expect(values.policy).toBe(policy);
    expect(values.name).toBe('big');
    expect(queue.messages.map((m) => m.deduplicationId)).toEqual([...parts.map((p, i) => `${p.event_id}-${i + 1}`), bodies.at(-1)?.event_id]);
    expect(queue.messages.every((m) => m.messageGroupId === 'queues')).toBe(true);
    store.close();
  });
});
