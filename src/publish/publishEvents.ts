/**
 * Sends the outbox to SQS after a run: unsent entries oldest first (what an earlier run left goes
 * before this run's), packed into SendMessageBatch requests of at most 10 messages and 256 KiB.
 *
 * - An entry is marked sent only when SendMessageBatch lists it as successful.
 * - Entries refused without the sender's fault (throttled, internal) are sent again, alone, with
 *   full-jitter backoff, up to `max_attempts`; a refused request (throttled, 5xx, expired token)
 *   is retried by the scheduler the same way.
 * - Order per table: once an entry of a table is given up on, the later entries of that table
 *   stay in the outbox too, and so does every `inventory.run.completed` after it, so a consumer
 *   that sees a run's completion has seen the changes before it.
 * - A request that fails for good (missing queue, access denied, throttled out) ends the publish:
 *   everything unsent stays for the next run.
 *
 * Failures never throw: they come back as error rows for the run, naming the queue and AWS's message.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import type Database from 'better-sqlite3';
import type { HttpHandler } from '@smithy/protocol-http';
import type { CredentialChain } from '../auth/assumeRoleChain.js';
import type { RefreshingProvider } from '../auth/refreshingProvider.js';
import { classifyError } from '../errors/classify.js';
import type { ClassifiedError } from '../errors/classify.js';
import { CallError, Scheduler } from '../crawl/scheduler.js';
import type { Logger } from '../log/logger.js';
import type { Parameters, PublishParameters } from '../parameters/schema.js';
import type { ErrorRow } from '../sinks/store.js';
import { MAX_MESSAGE_BYTES, RUN_COMPLETED } from './events.js';
import { Outbox } from './outbox.js';
import type { OutboxEntry } from './outbox.js';
import { lookUpQueueUrl, publishingClient, publishingCredentials, queueTarget } from './queueTarget.js';
import type { QueueTarget } from './queueTarget.js';

/** SendMessageBatch takes at most this many entries. */
export const MAX_BATCH_ENTRIES = 10;

export interface PublishOptions {
  params: Parameters;
  publish: PublishParameters;
  /** The inventory database, holding the outbox. */
  db: Database.Database;
  /** The run that just finished: sent entries of earlier runs are pruned. */
  runId: number;
  chain: CredentialChain;
  logger: Logger;
  requestHandler?: HttpHandler;
  /** Backoff between attempts; tests pass a quick one. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Entries read from the outbox at a time. */
  pageSize?: number;
  now?: () => Date;
}

export interface PublishReport {
  /** The queue URL, or its name when it could not be looked up. */
  queue: string;
  fifo: boolean;
  /** Messages SQS accepted in this publish. */
  sent: number;
  batches: number;
  /** Entries sent again after SQS refused them in a batch. */
  retriedEntries: number;
  /** Entries still unsent when the publish ended (they go first on the next run). */
  remaining: number;
  /** For the run's `errors` table; empty when everything went out. */
  errors: ErrorRow[];
}

interface Refusal {
  code: string;
  message: string;
  count: number;
}

export async function publishEvents(options: PublishOptions): Promise<PublishReport> {
  const { params, publish, logger } = options;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const outbox = new Outbox(options.db);
  const target = queueTarget(publish, params);
  const report: PublishReport = { queue: target.url ?? target.label, fifo: target.fifo, sent: 0, batches: 0, retriedEntries: 0, remaining: 0, errors: [] };
  const errorRow = (operation: string, code: string, message: string): ErrorRow => ({
    accountId: target.accountId,
    region: target.region,
    service: 'sqs',
    operation,
    resource: target.url ?? target.label,
    errorCode: code,
    message,
  });

  const pruned = outbox.pruneSent(options.runId);
  if (pruned > 0) logger.debug({ pruned }, `removed ${pruned} sent event message(s) of earlier runs from the outbox`);
  if (outbox.unsentCount() === 0) return report;

  const scheduler = new Scheduler({ concurrency: 1, maxAttempts: params.max_attempts, sleep, random });
  const credentials = publishingCredentials(publish, options.chain, params, logger, options.requestHandler);
  const client = publishingClient(publish, params, target, credentials, options.requestHandler);
  // A stop: the queue cannot be reached at all; the error row is written when the count of what stays is known.
  let stop: { operation: string; code: string; message: string } | null = null;

  if (publish.role_arn !== null) {
    try {
      await credentials();
    } catch (error) {
      const c = classifyError(error);
      stop = { operation: 'AssumeRole', code: c.code, message: `Assuming publish.role_arn ${publish.role_arn} failed: ${c.message}` };
    }
  }
  if (stop === null && target.url === null) {
    try {
      target.url = await scheduler.run({ service: 'sqs', operation: 'GetQueueUrl', accountId: target.accountId, region: target.region, resource: target.label, credentials }, () =>
        lookUpQueueUrl(client, target),
      );
      report.queue = target.url;
    } catch (error) {
      const c = classified(error);
      stop = { operation: 'GetQueueUrl', code: c.code, message: `Looking up queue ${target.label} failed: ${c.message}` };
    }
  }

  const refusals = new Map<string, Refusal>();
  if (stop === null && target.url !== null) {
    const sender = new BatchSender({ client, credentials, scheduler, outbox, target: { ...target, url: target.url }, maxAttempts: params.max_attempts, sleep, random, now, report, refusals });
    stop = await sender.drain(outbox.unsent(options.pageSize ?? 500));
  }
  // destroy() would also close a shared HTTP handler that the caller still owns.
  if (options.requestHandler === undefined) client.destroy();

  report.remaining = outbox.unsentCount();
  const stays = `${report.remaining} event message(s) stay in the outbox and are sent first on the next run.`;
  if (stop !== null) report.errors.push(errorRow(stop.operation, stop.code, `${stop.message} ${stays}`));
  for (const r of refusals.values()) {
    report.errors.push(errorRow('SendMessageBatch', r.code, `SendMessageBatch to ${report.queue} refused ${r.count} message(s): ${r.message} ${stays}`));
  }
  const log = { queue: report.queue, sent: report.sent, batches: report.batches, retriedEntries: report.retriedEntries, remaining: report.remaining };
  if (report.errors.length > 0) logger.warn(log, `publishing to ${report.queue} was incomplete: ${report.sent} message(s) sent, ${report.remaining} left in the outbox`);
  else logger.info(log, `published ${report.sent} event message(s) to ${report.queue} in ${report.batches} batch(es)`);
  return report;
}

/** What AWS's answer means, from the scheduler's CallError or any other thrown value. */
function classified(error: unknown): ClassifiedError {
  return error instanceof CallError ? error.classified : classifyError(error);
}

interface SenderParts {
  client: SQSClient;
  /** Renewed once when SQS refuses a request as expired. */
  credentials: RefreshingProvider;
  scheduler: Scheduler;
  outbox: Outbox;
  target: QueueTarget & { url: string };
  maxAttempts: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => Date;
  report: PublishReport;
  refusals: Map<string, Refusal>;
}

type Stop = { operation: string; code: string; message: string } | null;

class BatchSender {
  /** Tables with an entry given up on in this publish: their later entries wait for the next run. */
  private readonly blocked = new Set<string>();

  constructor(private readonly p: SenderParts) {}

  async drain(entries: Iterable<OutboxEntry>): Promise<Stop> {
    let batch: OutboxEntry[] = [];
    let bytes = 0;
    for (const entry of entries) {
      if (batch.length === MAX_BATCH_ENTRIES || (batch.length > 0 && bytes + entry.bytes > MAX_MESSAGE_BYTES)) {
        const stop = await this.send(batch);
        if (stop !== null) return stop;
        batch = [];
        bytes = 0;
      }
      // Checked after the batch before it went out, whose refusals may have blocked this entry's table.
      if (this.isBlocked(entry)) continue;
      batch.push(entry);
      bytes += entry.bytes;
    }
    return batch.length > 0 ? this.send(batch) : null;
  }

  private refuse(code: string, message: string): void {
    const refusal = this.p.refusals.get(code) ?? { code, message, count: 0 };
    refusal.count += 1;
    this.p.refusals.set(code, refusal);
  }

  private isBlocked(entry: OutboxEntry): boolean {
    if (entry.eventType === RUN_COMPLETED) return this.blocked.size > 0;
    return this.blocked.has(entry.messageGroup);
  }

  /** One batch, its retryable refusals sent again until they go or attempts run out. */
  private async send(entries: OutboxEntry[]): Promise<Stop> {
    const { target } = this.p;
    let pending = entries.filter((e) => !this.isBlocked(e));
    for (let attempt = 1; pending.length > 0; attempt++) {
      const bySeq = new Map(pending.map((e) => [`e${e.seq}`, e]));
      const request: SendMessageBatchRequestEntry[] = pending.map((e) => ({
        Id: `e${e.seq}`,
        MessageBody: e.body,
        ...(target.fifo ? { MessageGroupId: e.messageGroup, MessageDeduplicationId: e.deduplicationId } : {}),
      }));
      let answer;
      try {
        answer = await this.p.scheduler.run(
          { service: 'sqs', operation: 'SendMessageBatch', accountId: target.accountId, region: target.region, resource: target.url, credentials: this.p.credentials },
          () => this.p.client.send(new SendMessageBatchCommand({ QueueUrl: target.url, Entries: request })),
        );
      } catch (error) {
        const c = classified(error);
        this.p.outbox.markFailed(pending.map((e) => ({ seq: e.seq, error: `${c.code}: ${c.message}` })));
        return { operation: 'SendMessageBatch', code: c.code, message: `Publishing events to ${target.url} failed: ${c.message}` };
      }
      this.p.report.batches += 1;
      const sent = (answer.Successful ?? []).flatMap((s) => {
        const entry = s.Id === undefined ? undefined : bySeq.get(s.Id);
        return entry === undefined ? [] : [{ seq: entry.seq, messageId: s.MessageId ?? null }];
      });
      this.p.outbox.markSent(sent, this.p.now());
      this.p.report.sent += sent.length;
      const retry: OutboxEntry[] = [];
      const givenUp: Array<{ seq: number; error: string }> = [];
      const sentIds = new Set(sent.map((s) => s.seq));
      for (const failure of answer.Failed ?? []) {
        const entry = failure.Id === undefined ? undefined : bySeq.get(failure.Id);
        if (entry === undefined || sentIds.has(entry.seq)) continue;
        const code = failure.Code ?? 'Unknown';
        const message = failure.Message ?? code;
        if (failure.SenderFault !== true && attempt < this.p.maxAttempts) {
          retry.push(entry);
          continue;
        }
        givenUp.push({ seq: entry.seq, error: `${code}: ${message}` });
        this.blocked.add(entry.messageGroup);
        this.refuse(code, message);
      }
      // An entry the answer does not mention is neither sent nor refused: it is kept for the next run.
      const mentioned = new Set([...sentIds, ...retry.map((e) => e.seq), ...givenUp.map((e) => e.seq)]);
      for (const entry of pending) {
        if (mentioned.has(entry.seq)) continue;
        givenUp.push({ seq: entry.seq, error: 'SendMessageBatch answered without this entry' });
        this.blocked.add(entry.messageGroup);
        this.refuse('MissingBatchResult', 'the answer listed these entries neither as successful nor as failed.');
      }
      if (givenUp.length > 0) this.p.outbox.markFailed(givenUp);
      if (retry.length === 0) return null;
      this.p.report.retriedEntries += retry.length;
      await this.p.sleep(Math.round(this.p.random() * Math.min(20_000, 200 * 2 ** (attempt - 1))));
      pending = retry.filter((e) => !this.isBlocked(e));
    }
    return null;
  }
}
