/**
 * Publishing under faults of the simulated SQS: throttling, entries refused inside a batch, a
 * missing queue, denied access. The inventory is never rolled back, the run is partial (exit 1)
 * with an error row naming the queue and AWS's message, what was not sent goes first on the next
 * run, and no event reaches the queue twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors/inventoryError.js';
import { MEMBER_ROLE_NAME } from '../../src/simulator/index.js';
import { EVENTS_REGION, publishFixture, publishedChanges, quickSleep, recordedChanges } from '../helpers/publishHelpers.js';
import type { PublishFixture } from '../helpers/publishHelpers.js';

let fx: PublishFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

/** Organizations only: the crawl makes no SQS call, so SQS faults hit publishing alone. */
const ORGANIZATIONS_ONLY = { extra: { resources: ['organizations'] } };

function errorRows(f: PublishFixture, runId: number): Array<Record<string, unknown>> {
  return f.db().prepare('SELECT * FROM errors WHERE run_id = ? ORDER BY rowid').all(runId) as Array<Record<string, unknown>>;
}

function unsent(f: PublishFixture): number {
  return Number(f.db().prepare('SELECT count(*) FROM outbox WHERE sent_at IS NULL').pluck().get());
}

/** Each event once: split events aside, one message per event id. */
function expectNoDuplicates(events: ReadonlyArray<Record<string, unknown>>): void {
  const ids = events.map((e) => String(e.event_id));
  expect(new Set(ids).size).toBe(ids.length);
}

describe('publishing faults', () => {
  it('rides out throttling with backoff and sends every event once', async () => {
    fx = await publishFixture({}, ORGANIZATIONS_ONLY);
    fx.sim.faults.throttleRate = { sqs: 0.4 };
    const result = await fx.run({ publishSleep: quickSleep });
    expect(fx.sim.counters().faults.throttled ?? 0).toBeGreaterThan(0);
    expect(result.exitCode).toBe(ExitCode.succeeded);
    expect(result.publish).toMatchObject({ remaining: 0, errors: [] });
    expect(publishedChanges(fx.events(), 1)).toEqual(recordedChanges(fx, 1));
    expectNoDuplicates(fx.events());
  }, 60_000);

  it('gives up when SQS keeps throttling, keeps everything, and sends it on the next run', async () => {
    fx = await publishFixture({}, { extra: { resources: ['organizations'], max_attempts: 3 } });
    fx.sim.faults.throttleRate = { sqs: 1 };
    const first = await fx.run({ publishSleep: quickSleep });
    expect(first.exitCode).toBe(ExitCode.partial);
    expect(fx.sim.counters().byOperation.sqs?.GetQueueUrl).toBe(3);
    const [row] = errorRows(fx, 1);
    expect(row).toMatchObject({ operation: 'GetQueueUrl', error_code: 'RequestThrottled' });
    expect(String(row?.message)).toContain('Rate exceeded');
    expect(unsent(fx)).toBe(recordedChanges(fx, 1).length + 1);

    fx.sim.faults.throttleRate = {};
    const second = await fx.run({ publishSleep: quickSleep });
    expect(second.exitCode).toBe(ExitCode.succeeded);
    expect(publishedChanges(fx.events(), 1)).toEqual(recordedChanges(fx, 1));
    expectNoDuplicates(fx.events());
  }, 60_000);

  it('sends again only the entries a batch refused without the sender at fault', async () => {
    fx = await publishFixture({}, ORGANIZATIONS_ONLY);
    fx.sim.faults.failNextBatchEntries = 3;
    const result = await fx.run({ publishSleep: quickSleep });
    expect(result.exitCode).toBe(ExitCode.succeeded);
    expect(result.publish).toMatchObject({ retriedEntries: 3, remaining: 0, errors: [] });
    expect(publishedChanges(fx.events(), 1).sort()).toEqual(recordedChanges(fx, 1).sort());
    expectNoDuplicates(fx.events());
    expect(fx.events().at(-1)?.type).toBe('inventory.run.completed');
  }, 60_000);

  it('holds back a refused entry, the later events of its table and the run event; the next run sends them first, once', async () => {
    fx = await publishFixture({}, ORGANIZATIONS_ONLY);
    fx.sim.faults.batchEntryFailure = { code: 'InvalidParameterValue', message: 'One or more parameters are invalid.', senderFault: true };
    fx.sim.faults.batchEntryFailureMatch = '"table":"accounts"';
    fx.sim.faults.failNextBatchEntries = 1;
    const first = await fx.run({ publishSleep: quickSleep });

    expect(first.exitCode).toBe(ExitCode.partial);
    expect(first.summary.status).toBe('partial');
    const accounts = recordedChanges(fx, 1).filter((line) => line.startsWith('accounts '));
    expect(accounts.length).toBeGreaterThan(1);
    const sent = fx.events();
    const sentAccounts = publishedChanges(sent, 1).filter((line) => line.startsWith('accounts '));
    const held = accounts.filter((line) => !sentAccounts.includes(line));
    // Every other table went out whole; of accounts, the refused event stays, and so does every
    // later one not already accepted in the same batch (SQS takes a batch's other entries).
    expect(publishedChanges(sent, 1).filter((line) => !line.startsWith('accounts '))).toEqual(recordedChanges(fx, 1).filter((line) => !line.startsWith('accounts ')));
    expect(held[0]).toBe(accounts[0]);
    const heldSequence = Number(fx.db().prepare("SELECT min(seq) FROM outbox WHERE sent_at IS NULL AND table_name = 'accounts'").pluck().get());
    for (const e of sent.filter((x) => x.table === 'accounts')) expect(Number(e.sequence) - heldSequence).toBeLessThan(10);
    expect(sent.some((e) => e.type === 'inventory.run.completed')).toBe(false);
    expect(unsent(fx)).toBe(held.length + 1);
    const [row] = errorRows(fx, 1);
    expect(row).toMatchObject({ service: 'sqs', operation: 'SendMessageBatch', error_code: 'InvalidParameterValue', region: EVENTS_REGION });
    expect(String(row?.resource)).toContain('/inventory-events');
    expect(String(row?.message)).toContain('One or more parameters are invalid.');
    expect(String(row?.message)).toContain(`${held.length + 1} event message(s) stay in the outbox`);
    expect(fx.db().prepare('SELECT status, error_count FROM runs WHERE run_id = 1').get()).toEqual({ status: 'partial', error_count: 1 });
    // The inventory itself is complete.
    expect(first.summary.rows.accounts).toBe(3);

    fx.sim.faults.failNextBatchEntries = 0;
    fx.sim.faults.batchEntryFailureMatch = null;
    const second = await fx.run({ publishSleep: quickSleep });
    expect(second.exitCode).toBe(ExitCode.succeeded);
    const all = fx.events();
    const resent = all.slice(sent.length);
    // The held entries first, in order, then the second run's run event (nothing changed).
    expect(publishedChanges(resent, 1)).toEqual(held);
    expect(resent.slice(held.length).map((e) => [e.type, e.run_id])).toEqual([
      ['inventory.run.completed', 1],
      ['inventory.run.completed', 2],
    ]);
    expectNoDuplicates(all);
    expect(publishedChanges(all, 1).sort()).toEqual(recordedChanges(fx, 1).sort());
    expect(unsent(fx)).toBe(0);
  }, 60_000);

  it('keeps everything when the queue does not exist, and delivers it all once the queue is there', async () => {
    fx = await publishFixture({ sqs_queue_name: 'not-created-yet' }, ORGANIZATIONS_ONLY);
    const first = await fx.run({ publishSleep: quickSleep });
    expect(first.exitCode).toBe(ExitCode.partial);
    expect(first.publish).toMatchObject({ sent: 0, batches: 0 });
    const expected = recordedChanges(fx, 1).length + 1;
    expect(first.publish?.remaining).toBe(expected);
    const [row] = errorRows(fx, 1);
    expect(row).toMatchObject({ service: 'sqs', operation: 'GetQueueUrl', error_code: 'AWS.SimpleQueueService.NonExistentQueue', resource: `not-created-yet (${EVENTS_REGION})` });
    expect(String(row?.message)).toContain('The specified queue does not exist.');
    expect(String(row?.message)).toContain('not-created-yet');
    // CSV and database were written before publishing was tried.
    expect(first.csvDir).not.toBeNull();

    const queue = fx.sim.org.addQueue({ ...fx.queue, name: 'not-created-yet', messages: [] });
    const second = await fx.run({ publishSleep: quickSleep });
    expect(second.exitCode).toBe(ExitCode.succeeded);
    const events = queue.messages.map((m) => JSON.parse(m.body) as Record<string, unknown>);
    expect(events).toHaveLength(expected + 1);
    expect(publishedChanges(events, 1)).toEqual(recordedChanges(fx, 1));
    expect(events.slice(-2).map((e) => [e.type, e.run_id])).toEqual([
      ['inventory.run.completed', 1],
      ['inventory.run.completed', 2],
    ]);
    expectNoDuplicates(events);
  }, 60_000);

  it('records AWS’s message when sending is denied, and sends nothing twice after access is granted', async () => {
    fx = await publishFixture({}, ORGANIZATIONS_ONLY);
    fx.sim.faults.deny = [{ service: 'sqs', operation: 'SendMessageBatch' }];
    const first = await fx.run({ publishSleep: quickSleep });
    expect(first.exitCode).toBe(ExitCode.partial);
    const [row] = errorRows(fx, 1);
    expect(row).toMatchObject({ operation: 'SendMessageBatch', error_code: 'AccessDenied' });
    expect(String(row?.message)).toMatch(/^Publishing events to https:\/\/sqs\.eu-west-1\.amazonaws\.com\/\d{12}\/inventory-events failed: User: .* is not authorized to perform: sqs:SendMessageBatch/);
    expect(fx.events()).toHaveLength(0);

    fx.sim.faults.deny = [];
    await fx.run({ publishSleep: quickSleep });
    expect(publishedChanges(fx.events(), 1)).toEqual(recordedChanges(fx, 1));
    expectNoDuplicates(fx.events());
  }, 60_000);

  it('publishes through a dedicated role assumed from the chain, to a queue of its account', async () => {
    fx = await publishFixture({}, ORGANIZATIONS_ONLY);
    const memberAccount = [...fx.sim.org.accounts.keys()].find((id) => id !== fx?.sim.managementAccountId) ?? '';
    const queue = fx.sim.org.addQueue({ ...fx.queue, accountId: memberAccount, messages: [] });
    const params = {
      ...fx.params,
      publish: { ...fx.params.publish!, role_arn: `arn:aws:iam::${memberAccount}:role/${MEMBER_ROLE_NAME}`, role_session_name: 'inventory-publisher' },
    };
    const result = await fx.run({ params, publishSleep: quickSleep });
    expect(result.exitCode).toBe(ExitCode.succeeded);
    expect(queue.messages.length).toBe(recordedChanges(fx, 1).length + 1);
    expect(fx.queue.messages).toHaveLength(0);
  }, 60_000);
});
