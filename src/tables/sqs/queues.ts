/**
 * `sqs_queues`: every SQS queue of an account × region. ListQueues yields the URLs; one
 * GetQueueAttributes(All) and one ListQueueTags per queue fill the rest.
 */
import { GetQueueAttributesCommand, ListQueuesCommand, ListQueueTagsCommand } from '@aws-sdk/client-sqs';
import type { QueueAttributeName } from '@aws-sdk/client-sqs';
import { dnsSuffixOf } from '../../auth/partition.js';
import { InventoryError } from '../../errors/inventoryError.js';
import type { TargetContext } from '../../crawl/context.js';
import type { ColumnsFrom, Row, TableColumn } from '../../crawl/table.js';
import { defineTable, jsonText, tagsJson, toBool, toInt, toIsoTime } from '../../crawl/table.js';

/** What the listing knows of a queue: its URL, and the name and owner the URL spells. */
export interface QueueItem {
  /** As ListQueues answered it: the per-queue calls send it back. */
  url: string;
  name: string;
  /** The account in the URL's path; the target's account when the URL does not carry one. */
  ownerAccountId: string;
}

/** Without MaxResults, ListQueues returns at most 1000 URLs and never a NextToken. */
const PAGE_SIZE = 1000;

const columns = [
  { name: 'name', type: 'TEXT', nullable: false, from: 'sqs:ListQueues', description: 'queue name (the last segment of its URL)' },
  {
    name: 'url',
    type: 'TEXT',
    nullable: false,
    from: 'sqs:ListQueues',
    description:
      "queue URL on AWS's regional SQS endpoint, https://sqs.<region>.amazonaws.com/<account>/<name> (amazonaws.com.cn in China), spelled from the account, region and name: the same whatever endpoint the queue was listed through (a VPC endpoint, an emulator, the legacy queue.amazonaws.com form), so a change of endpoint alone is never a change",
  },
  { name: 'arn', type: 'TEXT', nullable: false, from: 'sqs:ListQueues', description: 'queue ARN, arn:<partition>:sqs:<region>:<account>:<name>' },
  { name: 'fifo', type: 'INTEGER', nullable: false, boolean: true, from: 'sqs:ListQueues', description: '1 for a FIFO queue (its name ends in .fifo), 0 for a standard queue' },
  { name: 'content_based_deduplication', type: 'INTEGER', boolean: true, from: 'sqs:GetQueueAttributes', description: 'FIFO only: 1 when the message body is hashed for deduplication; null for standard queues' },
  { name: 'deduplication_scope', type: 'TEXT', from: 'sqs:GetQueueAttributes', description: 'FIFO only: messageGroup or queue; null for standard queues' },
  { name: 'fifo_throughput_limit', type: 'TEXT', from: 'sqs:GetQueueAttributes', description: 'FIFO only: perQueue or perMessageGroupId; null for standard queues' },
  { name: 'visibility_timeout_seconds', type: 'INTEGER', from: 'sqs:GetQueueAttributes', description: 'seconds a received message stays hidden from other consumers' },
  { name: 'message_retention_seconds', type: 'INTEGER', from: 'sqs:GetQueueAttributes', description: 'seconds a message is kept before SQS deletes it' },
  { name: 'maximum_message_size', type: 'INTEGER', from: 'sqs:GetQueueAttributes', description: 'largest accepted message, in bytes' },
  { name: 'delay_seconds', type: 'INTEGER', from: 'sqs:GetQueueAttributes', description: 'default delivery delay of new messages, in seconds' },
  { name: 'receive_message_wait_time_seconds', type: 'INTEGER', from: 'sqs:GetQueueAttributes', description: 'default long-polling wait of ReceiveMessage, in seconds' },
  { name: 'approximate_number_of_messages', type: 'INTEGER', volatile: true, from: 'sqs:GetQueueAttributes', description: 'messages available for retrieval (approximate; not a change)' },
  { name: 'approximate_number_of_messages_not_visible', type: 'INTEGER', volatile: true, from: 'sqs:GetQueueAttributes', description: 'messages in flight: received, not yet deleted (approximate; not a change)' },
  { name: 'approximate_number_of_messages_delayed', type: 'INTEGER', volatile: true, from: 'sqs:GetQueueAttributes', description: 'messages delayed and not yet available (approximate; not a change)' },
  { name: 'created_at', type: 'TEXT', time: true, from: 'sqs:GetQueueAttributes', description: 'when the queue was created (ISO-8601 UTC)' },
  { name: 'last_modified_at', type: 'TEXT', time: true, from: 'sqs:GetQueueAttributes', description: 'when the queue attributes last changed (ISO-8601 UTC)' },
  { name: 'sqs_managed_sse_enabled', type: 'INTEGER', boolean: true, from: 'sqs:GetQueueAttributes', description: '1 when SSE-SQS (SQS-owned keys) encrypts the queue' },
  { name: 'kms_master_key_id', type: 'TEXT', from: 'sqs:GetQueueAttributes', description: 'KMS key (id, alias or ARN) of SSE-KMS encryption; null when not KMS-encrypted' },
  { name: 'kms_data_key_reuse_period_seconds', type: 'INTEGER', from: 'sqs:GetQueueAttributes', description: 'SSE-KMS only: seconds a data key is reused before KMS is called again' },
  { name: 'dead_letter_target_arn', type: 'TEXT', from: 'sqs:GetQueueAttributes', description: 'ARN of the dead-letter queue (from the redrive policy); null without one' },
  { name: 'max_receive_count', type: 'INTEGER', from: 'sqs:GetQueueAttributes', description: 'receives before a message moves to the dead-letter queue; null without one' },
  { name: 'redrive_allow_policy', type: 'TEXT', json: true, from: 'sqs:GetQueueAttributes', description: 'which source queues may use this queue as their dead-letter queue (JSON)' },
  { name: 'policy', type: 'TEXT', json: true, from: 'sqs:GetQueueAttributes', description: 'queue access policy (JSON); null without one' },
  { name: 'tags', type: 'TEXT', json: true, from: 'sqs:ListQueueTags', description: 'tags as a JSON object {key: value}; {} when the queue has none' },
] as const satisfies readonly TableColumn[];

/**
 * The queue ARN is spelled from the listing rather than read from GetQueueAttributes, so a queue
 * whose attributes are denied still lands with its identity complete.
 *
 * The URL is spelled the same way rather than stored as answered: its host is the endpoint the
 * crawl reached (an emulator's host and port, a VPC endpoint, SQS's legacy
 * `<region>.queue.amazonaws.com` form), which says nothing about the queue; stored as answered, a
 * change of endpoint would mark every queue `modified` and make CSVs of the same estate differ.
 */
function queueRow(item: QueueItem, ctx: TargetContext): Row<ColumnsFrom<typeof columns, 'sqs:ListQueues'>> {
  return {
    name: item.name,
    url: canonicalQueueUrl(ctx.partition, targetRegion(ctx), item.ownerAccountId, item.name),
    arn: `arn:${ctx.partition}:sqs:${targetRegion(ctx)}:${item.ownerAccountId}:${item.name}`,
    // AWS requires the .fifo suffix on FIFO queues and forbids it on standard ones; standard queues
    // do not return the FifoQueue attribute at all, so the name is the one reliable source.
    fifo: item.name.endsWith('.fifo') ? 1 : 0,
  };
}

/** A queue's URL on AWS's public regional endpoint, whatever endpoint answered it. */
export function canonicalQueueUrl(partition: string, region: string, accountId: string, name: string): string {
  return `https://sqs.${region}.${dnsSuffixOf(partition)}/${accountId}/${name}`;
}

/** The queue's name and owner from its URL: `https://sqs.<region>.amazonaws.com/<account>/<name>`. */
export function queueItemFromUrl(url: string, fallbackAccountId: string): QueueItem {
  let segments: string[];
  try {
    segments = new URL(url).pathname.split('/').filter((segment) => segment !== '');
  } catch {
    segments = url.split('/').filter((segment) => segment !== '');
  }
  const name = segments.at(-1) ?? url;
  const owner = segments.at(-2);
  return { url, name, ownerAccountId: owner !== undefined && /^\d{12}$/.test(owner) ? owner : fallbackAccountId };
}

/** The dead-letter settings out of the RedrivePolicy attribute (JSON text; the count may be a string). */
export function parseRedrivePolicy(text: string | undefined): { deadLetterTargetArn: string | null; maxReceiveCount: number | null } {
  if (text === undefined || text === '') return { deadLetterTargetArn: null, maxReceiveCount: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { deadLetterTargetArn: null, maxReceiveCount: null };
  }
  if (parsed === null || typeof parsed !== 'object') return { deadLetterTargetArn: null, maxReceiveCount: null };
  const policy = parsed as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  return {
    deadLetterTargetArn: typeof policy.deadLetterTargetArn === 'string' ? policy.deadLetterTargetArn : null,
    maxReceiveCount: typeof policy.maxReceiveCount === 'number' || typeof policy.maxReceiveCount === 'string' ? toInt(policy.maxReceiveCount) : null,
  };
}

export function attributesRow(attributes: Partial<Record<QueueAttributeName, string>>): Row<ColumnsFrom<typeof columns, 'sqs:GetQueueAttributes'>> {
  const redrive = parseRedrivePolicy(attributes.RedrivePolicy);
  return {
    content_based_deduplication: toBool(attributes.ContentBasedDeduplication),
    deduplication_scope: attributes.DeduplicationScope ?? null,
    fifo_throughput_limit: attributes.FifoThroughputLimit ?? null,
    visibility_timeout_seconds: toInt(attributes.VisibilityTimeout),
    message_retention_seconds: toInt(attributes.MessageRetentionPeriod),
    maximum_message_size: toInt(attributes.MaximumMessageSize),
    delay_seconds: toInt(attributes.DelaySeconds),
    receive_message_wait_time_seconds: toInt(attributes.ReceiveMessageWaitTimeSeconds),
    approximate_number_of_messages: toInt(attributes.ApproximateNumberOfMessages),
    approximate_number_of_messages_not_visible: toInt(attributes.ApproximateNumberOfMessagesNotVisible),
    approximate_number_of_messages_delayed: toInt(attributes.ApproximateNumberOfMessagesDelayed),
    created_at: toIsoTime(attributes.CreatedTimestamp),
    last_modified_at: toIsoTime(attributes.LastModifiedTimestamp),
    sqs_managed_sse_enabled: toBool(attributes.SqsManagedSseEnabled),
    kms_master_key_id: attributes.KmsMasterKeyId ?? null,
    kms_data_key_reuse_period_seconds: toInt(attributes.KmsDataKeyReusePeriodSeconds),
    dead_letter_target_arn: redrive.deadLetterTargetArn,
    max_receive_count: redrive.maxReceiveCount,
    redrive_allow_policy: jsonText(attributes.RedriveAllowPolicy),
    policy: jsonText(attributes.Policy),
  };
}

function targetRegion(ctx: TargetContext): string {
  if (ctx.region === null) throw new InventoryError('internal', 'sqs_queues runs per account and region, but its target has no region.');
  return ctx.region;
}

function targetAccount(ctx: TargetContext): string {
  if (ctx.accountId === null) throw new InventoryError('internal', 'sqs_queues runs per account and region, but its target has no account.');
  return ctx.accountId;
}

async function* listQueues(ctx: TargetContext): AsyncIterable<QueueItem> {
  const client = ctx.sqs(targetRegion(ctx));
  const accountId = targetAccount(ctx);
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListQueuesCommand({ MaxResults: PAGE_SIZE, NextToken: nextToken }));
    for (const url of page.QueueUrls ?? []) yield queueItemFromUrl(url, accountId);
    // An empty string is no token: treat it as the end so a quirky endpoint cannot loop forever.
    nextToken = page.NextToken === '' ? undefined : page.NextToken;
  } while (nextToken !== undefined);
}

export const sqsQueues = defineTable({
  name: 'sqs_queues',
  description: 'SQS queues of every crawled account and region, with their attributes, dead-letter settings, policies and tags.',
  resource: 'sqs',
  scope: 'account-region',
  columns,
  primaryKey: ['account_id', 'region', 'name'],
  list: {
    call: 'sqs:ListQueues',
    items: listQueues,
    row: queueRow,
  },
  enrich: {
    'sqs:GetQueueAttributes': async (item, ctx) => {
      const output = await ctx.sqs(targetRegion(ctx)).send(new GetQueueAttributesCommand({ QueueUrl: item.url, AttributeNames: ['All'] }));
      return attributesRow(output.Attributes ?? {});
    },
    'sqs:ListQueueTags': async (item, ctx) => {
      const output = await ctx.sqs(targetRegion(ctx)).send(new ListQueueTagsCommand({ QueueUrl: item.url }));
      // SQS omits Tags for an untagged queue: that is an empty tag set, not an unknown one.
      return { tags: tagsJson(output.Tags ?? {}) };
    },
  },
});
