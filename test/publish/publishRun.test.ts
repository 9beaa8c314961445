/**
 * Real runs against the simulated organization publish what they found: two runs with a change
 * between them send exactly the expected events, in order per table.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors/inventoryError.js';
import { tempDir } from '../helpers/harness.js';
import { EVENTS_REGION, publishFixture, publishedChanges, quickSleep, recordedChanges } from '../helpers/publishHelpers.js';
import type { PublishFixture } from '../helpers/publishHelpers.js';

let fx: PublishFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

function orderedPerTable(events: ReadonlyArray<Record<string, unknown>>): void {
  const last = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'inventory.resource.changed') continue;
    const table = String(e.table);
    const sequence = Number(e.sequence);
    expect(sequence, `${table} event ${sequence} after ${last.get(table)}`).toBeGreaterThan(last.get(table) ?? 0);
    last.set(table, sequence);
  }
}

describe('publishing to a standard queue', () => {
  it('sends every change of the first run, then exactly the changes of the second, each run closed by its run event', async () => {
    fx = await publishFixture();
    const first = await fx.run({ publishSleep: quickSleep });
    expect(first.exitCode).toBe(ExitCode.succeeded);
    expect(first.publish).toMatchObject({ fifo: false, remaining: 0, errors: [] });

    const afterFirst = fx.events();
    const recordedFirst = recordedChanges(fx, 1);
    expect(recordedFirst.length).toBeGreaterThan(20);
    expect(publishedChanges(afterFirst, 1)).toEqual(recordedFirst);
    expect(recordedFirst.every((line) => line.includes(' added '))).toBe(true);
    const closing = afterFirst.at(-1);
    expect(closing).toMatchObject({
      schema_version: 1,
      type: 'inventory.run.completed',
      run_id: 1,
      status: 'succeeded',
      error_count: 0,
      change_events: recordedFirst.length,
      rows: first.summary.rows,
      changes: first.summary.changes,
    });
    expect(afterFirst.filter((e) => e.type === 'inventory.run.completed')).toHaveLength(1);
    orderedPerTable(afterFirst);
    // Every added event carries the row as stored.
    const queueEvent = afterFirst.find((e) => e.table === 'sqs_queues');
    const key = queueEvent?.primary_key as Record<string, string>;
    const stored = fx.db().prepare('SELECT * FROM sqs_queues WHERE account_id = ? AND region = ? AND name = ?').get(key.account_id, key.region, key.name) as Record<string, unknown>;
    for (const [column, value] of Object.entries(queueEvent?.values as Record<string, unknown>)) expect(value, column).toEqual(stored[column]);

    // Between the runs: one queue changes, one is deleted, one is created.
    const queues = fx.sim.org.queuesIn(fx.sim.managementAccountId, 'us-east-1').filter((q) => !q.fifo);
    const [changed, deleted] = queues;
    if (!changed || !deleted) throw new Error('the simulated management account needs two standard queues in us-east-1');
    changed.attributes.VisibilityTimeout = '123';
    fx.sim.org.removeQueue(deleted.accountId, deleted.region, deleted.name);
    const now = Math.floor(Date.now() / 1000);
    fx.sim.org.addQueue({ ...deleted, name: 'created-between-runs', attributes: {}, tags: {}, messages: [], createdTimestamp: now, lastModifiedTimestamp: now });
    const deletedRow = fx.db().prepare('SELECT * FROM sqs_queues WHERE account_id = ? AND region = ? AND name = ?').get(deleted.accountId, deleted.region, deleted.name) as Record<string, unknown>;

    const second = await fx.run({ publishSleep: quickSleep });
    expect(second.exitCode).toBe(ExitCode.succeeded);
    const run2 = fx.events().slice(afterFirst.length);
    const pk = (name: string) => JSON.stringify({ account_id: fx?.sim.managementAccountId, region: 'us-east-1', name });
    expect(publishedChanges(run2, 2).sort()).toEqual(
      [`sqs_queues modified ${pk(changed.name)}`, `sqs_queues removed ${pk(deleted.name)}`, `sqs_queues added ${pk('created-between-runs')}`].sort(),
    );
    expect(publishedChanges(run2, 2)).toEqual(recordedChanges(fx, 2));
    const modified = run2.find((e) => e.change === 'modified');
    expect(modified?.changed_columns).toEqual(['visibility_timeout_seconds']);
    expect((modified?.values as Record<string, unknown>).visibility_timeout_seconds).toBe(123);
    // A removed row carries the values it last had.
    const removed = run2.find((e) => e.change === 'removed');
    expect(removed?.values).toEqual(Object.fromEntries(Object.keys(removed?.values as object).map((c) => [c, deletedRow[c]])));
    expect((removed?.values as Record<string, unknown>).name).toBe(deleted.name);
    expect(run2.at(-1)).toMatchObject({ type: 'inventory.run.completed', run_id: 2, change_events: 3, changes: { sqs_queues: { added: 1, modified: 1, removed: 1 } } });
    expect(run2).toHaveLength(4);
    orderedPerTable(run2);

    // Sent entries are marked with SQS's message id; nothing is left unsent.
    const outbox = fx.db().prepare('SELECT count(*) AS unsent, sum(message_id IS NULL) AS missing FROM outbox WHERE sent_at IS NULL').get() as { unsent: number };
    expect(outbox.unsent).toBe(0);
    // The first run's sent entries were pruned when the second published.
    expect(fx.db().prepare('SELECT DISTINCT run_id FROM outbox').pluck().all()).toEqual([2]);
  }, 60_000);

  it('publishes only the run event when events is ["run"], and a run without changes still reports itself', async () => {
    fx = await publishFixture({ events: ['run'] });
    await fx.run({ publishSleep: quickSleep });
    await fx.run({ publishSleep: quickSleep });
    const events = fx.events();
    expect(events.map((e) => [e.type, e.run_id, e.change_events])).toEqual([
      ['inventory.run.completed', 1, 0],
      ['inventory.run.completed', 2, 0],
    ]);
    expect(events[1]?.changes).toEqual(Object.fromEntries(Object.keys(events[1]?.changes as object).map((t) => [t, { added: 0, modified: 0, removed: 0 }])));
  }, 60_000);

  it('finds the queue by URL too, and sends nothing when only changes are wanted and nothing changed', async () => {
    fx = await publishFixture({ events: ['changes'] });
    const url = `${fx.sim.url}/${fx.sim.managementAccountId}/inventory-events`;
    const params = { ...fx.params, publish: { ...fx.params.publish!, sqs_queue_name: null, sqs_queue_url: url, region: EVENTS_REGION } };
    const first = await fx.run({ params, publishSleep: quickSleep });
    const count = fx.events().length;
    expect(count).toBe(recordedChanges(fx, 1).length);
    expect(first.publish?.queue).toBe(url);
    const second = await fx.run({ params, publishSleep: quickSleep });
    expect(second.publish).toMatchObject({ sent: 0, batches: 0, remaining: 0 });
    expect(fx.events()).toHaveLength(count);
  }, 60_000);
});

describe('publishing and recording', () => {
  it('keeps publishing out of a recording, which is of the crawl', async () => {
    fx = await publishFixture({}, { extra: { resources: ['organizations'] } });
    const record = tempDir('aoi-record-');
    const result = await fx.run({ publishSleep: quickSleep, record });
    expect(result.publish?.sent).toBeGreaterThan(0);
    const recorded = readdirSync(record, { recursive: true, encoding: 'utf8' })
      .map((name) => path.join(record, name))
      .filter((file) => statSync(file).isFile())
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    expect(recorded).toContain('DescribeOrganization');
    expect(recorded).not.toContain('SendMessageBatch');
    expect(recorded).not.toContain('GetQueueUrl');
  }, 60_000);
});

describe('publishing to a FIFO queue', () => {
  it('groups messages by table and deduplicates by run and primary key', async () => {
    fx = await publishFixture({}, { queueName: 'inventory-events.fifo' });
    const result = await fx.run({ publishSleep: quickSleep });
    expect(result.publish).toMatchObject({ fifo: true, remaining: 0, errors: [] });
    const messages = fx.queue.messages;
    expect(messages.length).toBe(recordedChanges(fx, 1).length + 1);
    for (const message of messages) {
      const event = JSON.parse(message.body) as Record<string, unknown>;
      expect(message.messageGroupId).toBe(event.type === 'inventory.run.completed' ? 'runs' : event.table);
      expect(message.deduplicationId).toBe(event.event_id);
    }
    expect(new Set(messages.map((m) => m.deduplicationId)).size).toBe(messages.length);
  }, 60_000);
});
