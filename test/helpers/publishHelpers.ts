/** A simulated organization with an events queue, crawled by real runs that publish to it. */
import { crawlFixture } from './harness.js';
import type { CrawlFixture } from './harness.js';
import type { SimQueue, SimulatorOptions } from '../../src/simulator/index.js';

export const EVENTS_REGION = 'eu-west-1';

export interface PublishFixture extends CrawlFixture {
  queue: SimQueue;
  /** Every message body in the queue, parsed, in the order SQS received them. */
  events(): Array<Record<string, unknown>>;
}

/**
 * The crawl covers us-east-1 only and the events queue lives in eu-west-1, so publishing never
 * changes what the crawl sees.
 */
export async function publishFixture(
  publish: Record<string, unknown> = {},
  options: { queueName?: string; sim?: Partial<SimulatorOptions>; extra?: Record<string, unknown> } = {},
): Promise<PublishFixture> {
  const name = options.queueName ?? 'inventory-events';
  const fx = await crawlFixture(
    { seed: 11, accounts: 2, queuesPerAccount: 4, bucketsPerAccount: 2, emptyPageEvery: 0, ...options.sim },
    { regions: ['us-east-1'], publish: { sqs_queue_name: name, region: EVENTS_REGION, ...publish }, ...options.extra },
  );
  const now = Math.floor(Date.now() / 1000);
  const queue = fx.sim.org.addQueue({
    name,
    accountId: fx.sim.managementAccountId,
    region: EVENTS_REGION,
    fifo: name.endsWith('.fifo'),
    createdTimestamp: now,
    lastModifiedTimestamp: now,
    attributes: name.endsWith('.fifo') ? { FifoQueue: 'true' } : {},
    tags: {},
    backlog: { visible: 0, notVisible: 0, delayed: 0 },
    messages: [],
  });
  return { ...fx, queue, events: () => queue.messages.map((m) => JSON.parse(m.body) as Record<string, unknown>) };
}

/** What the `changes` table recorded for a run, as `table change primary-key` lines in recording order. */
export function recordedChanges(fx: CrawlFixture, runId: number): string[] {
  const rows = fx
    .db()
    .prepare('SELECT table_name, change, primary_key FROM changes WHERE run_id = ? ORDER BY rowid')
    .all(runId) as Array<{ table_name: string; change: string; primary_key: string }>;
  return rows.map((r) => `${r.table_name} ${r.change} ${r.primary_key}`);
}

/** The same lines from published change events. */
export function publishedChanges(events: ReadonlyArray<Record<string, unknown>>, runId: number): string[] {
  return events
    .filter((e) => e.type === 'inventory.resource.changed' && e.run_id === runId)
    .map((e) => `${String(e.table)} ${String(e.change)} ${JSON.stringify(e.primary_key)}`);
}

export const quickSleep = (): Promise<void> => Promise.resolve();
