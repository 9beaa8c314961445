/**
 * The happy path on moto, a third-party AWS emulator: two runs with a change between them publish
 * exactly the expected events to a standard and a FIFO queue, read back with ReceiveMessage.
 * Skipped (with the reason) when moto is not installed.
 */
import path from 'node:path';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInventory } from '../../src/crawl/run.js';
import { loadParameters } from '../../src/parameters/load.js';
import { collectLogs, tempDir, writeParameters } from '../helpers/harness.js';
import { motoAvailability, startMoto } from '../helpers/motoServer.js';
import type { MotoServer } from '../helpers/motoServer.js';

const moto = motoAvailability();
const KEYS = { accessKeyId: 'AKIAPUBLISHMOTOTEST1', secretAccessKey: 'moto-accepts-any-secret' };

let server: MotoServer;
let sqs: (region: string) => SQSClient;

beforeAll(async () => {
  if (!moto.available) return;
  server = await startMoto();
  sqs = (region) => new SQSClient({ region, endpoint: server.endpoint, credentials: KEYS });
}, 60_000);
afterAll(async () => {
  if (moto.available) await server.stop();
});

async function drain(client: SQSClient, queueUrl: string): Promise<Array<{ body: Record<string, unknown>; groupId: string | undefined; dedupId: string | undefined }>> {
  const out: Array<{ body: Record<string, unknown>; groupId: string | undefined; dedupId: string | undefined }> = [];
  for (;;) {
    const answer = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300, MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'] }),
    );
    const messages = answer.Messages ?? [];
    if (messages.length === 0) return out;
    for (const m of messages) {
      out.push({ body: JSON.parse(m.Body ?? '{}') as Record<string, unknown>, groupId: m.Attributes?.MessageGroupId, dedupId: m.Attributes?.MessageDeduplicationId });
    }
    // A FIFO queue hands out a group's next messages only once the received ones are deleted.
    await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })) }));
  }
}

describe.skipIf(!moto.available)(`publishing on moto${moto.available ? '' : ` (skipped: ${moto.reason})`}`, () => {
  for (const queueName of ['inventory-events', 'inventory-events.fifo']) {
    it(`two runs with a change between them publish exactly the expected events to ${queueName}`, async () => {
      const crawled = sqs('us-east-1');
      const prefix = queueName.endsWith('.fifo') ? 'fifo-case' : 'std-case';
      const urls: string[] = [];
      for (const name of ['alpha', 'bravo', 'charlie']) urls.push((await crawled.send(new CreateQueueCommand({ QueueName: `${prefix}-${name}` }))).QueueUrl ?? '');
      const events = sqs('eu-west-1');
      const fifo = queueName.endsWith('.fifo');
      const eventsUrl = (await events.send(new CreateQueueCommand({ QueueName: queueName, Attributes: fifo ? { FifoQueue: 'true' } : {} }))).QueueUrl ?? '';

      const dir = tempDir();
      const params = loadParameters({
        file: writeParameters(dir, {
          access_key_id: KEYS.accessKeyId,
          secret_access_key: KEYS.secretAccessKey,
          member_account_role_name: null,
          resources: ['sqs'],
          regions: ['us-east-1'],
          endpoint_url: server.endpoint,
          output_dir: path.join(dir, 'output'),
          workers: 0,
          publish: { sqs_queue_name: queueName, region: 'eu-west-1' },
        }),
        env: {},
      });
      const logs = collectLogs('info');
      const first = await runInventory({ params, logger: logs.logger, progress: 'none' });
      expect(first.exitCode, logs.lines.join('\n')).toBe(0);

      await crawled.send(new SetQueueAttributesCommand({ QueueUrl: urls[0], Attributes: { VisibilityTimeout: '77' } }));
      await crawled.send(new DeleteQueueCommand({ QueueUrl: urls[1] }));
      await crawled.send(new CreateQueueCommand({ QueueName: `${prefix}-delta` }));
      const second = await runInventory({ params, logger: logs.logger, progress: 'none' });
      expect(second.exitCode, logs.lines.join('\n')).toBe(0);

      const received = await drain(events, eventsUrl);
      const db = new Database(path.join(params.output_dir, 'inventory.sqlite'), { readonly: true });
      const recorded = db.prepare('SELECT run_id, table_name, change, primary_key FROM changes ORDER BY rowid').all() as Array<{ run_id: number; table_name: string; change: string; primary_key: string }>;
      db.close();
      const asLine = (runId: unknown, table: unknown, change: unknown, key: unknown) => `${String(runId)} ${String(table)} ${String(change)} ${typeof key === 'string' ? key : JSON.stringify(key)}`;
      const changes = received.filter((m) => m.body.type === 'inventory.resource.changed');
      // Standard queues may reorder; the sequence restores the order the changes were recorded in.
      const bySequence = [...changes].sort((a, b) => Number(a.body.sequence) - Number(b.body.sequence));
      expect(bySequence.map((m) => asLine(m.body.run_id, m.body.table, m.body.change, m.body.primary_key))).toEqual(recorded.map((r) => asLine(r.run_id, r.table_name, r.change, r.primary_key)));
      if (fifo) expect(changes.map((m) => m.body.sequence)).toEqual(bySequence.map((m) => m.body.sequence));
      const run2 = changes.filter((m) => m.body.run_id === 2).map((m) => `${String(m.body.change)} ${String((m.body.primary_key as Record<string, string>).name)}`);
      expect(run2.sort()).toEqual([`added ${prefix}-delta`, `modified ${prefix}-alpha`, `removed ${prefix}-bravo`]);
      const modified = changes.find((m) => m.body.change === 'modified');
      // SetQueueAttributes also moves LastModifiedTimestamp, as on AWS, unless it lands in the second the queue was created in.
      const changedColumns = (modified?.body.changed_columns as string[] | undefined) ?? [];
      expect(changedColumns).toContain('visibility_timeout_seconds');
      expect(changedColumns.filter((c) => c !== 'visibility_timeout_seconds' && c !== 'last_modified_at')).toEqual([]);
      expect((modified?.body.values as Record<string, unknown>).visibility_timeout_seconds).toBe(77);
      const runs = received.filter((m) => m.body.type === 'inventory.run.completed').map((m) => [m.body.run_id, m.body.status, m.body.change_events]);
      expect(runs.sort()).toEqual([
        [1, 'succeeded', recorded.filter((r) => r.run_id === 1).length],
        [2, 'succeeded', 3],
      ]);
      expect(new Set(received.map((m) => m.body.event_id)).size).toBe(received.length);
      if (fifo) {
        for (const m of received) {
          expect(m.groupId).toBe(m.body.type === 'inventory.run.completed' ? 'runs' : m.body.table);
          expect(m.dedupId).toBe(m.body.event_id);
        }
      }
    }, 120_000);
  }
});
