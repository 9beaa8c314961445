import type { SQSClient } from '@aws-sdk/client-sqs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { TargetContext } from '../../src/crawl/context.js';
import { allColumns } from '../../src/crawl/table.js';
import type { Row } from '../../src/crawl/table.js';
import { parseRedrivePolicy, queueItemFromUrl, sqsQueues } from '../../src/tables/sqs/queues.js';
import type { QueueItem } from '../../src/tables/sqs/queues.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const base = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}`;

interface SentCall {
  operation: string;
  region: string;
  input: Record<string, unknown>;
}

/** Canned SDK outputs keyed by the command's input; every call is recorded with its region. */
function fakeContext(answer: (operation: string, input: Record<string, unknown>) => unknown, target: { partition?: string; region?: string } = {}): { ctx: TargetContext; calls: SentCall[] } {
  const calls: SentCall[] = [];
  const sqs = (region: string) => ({
    send: (async (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
      const operation = command.constructor.name.replace(/Command$/, '');
      calls.push({ operation, region, input: command.input });
      return answer(operation, command.input);
    }) as unknown as SQSClient['send'],
  });
  const unused = (service: string) => () => {
    throw new Error(`sqs_queues must not call ${service}`);
  };
  // Only what table steps use; the rest of the context belongs to other tables.
  const partial: Partial<TargetContext> = {
    partition: target.partition ?? 'aws',
    accountId: ACCOUNT,
    region: target.region ?? REGION,
    homeRegion: 'us-east-1',
    organizations: unused('organizations') as () => { send: OrganizationsClient['send'] },
    sqs,
    s3: unused('s3') as (region: string) => { send: S3Client['send'] },
    logger: pino({ level: 'silent' }),
  };
  const ctx = partial as TargetContext;
  return { ctx, calls };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The row a queue gets: listing columns, then each enrich step's columns. */
async function fullRow(item: QueueItem, ctx: TargetContext): Promise<Row> {
  let row: Row = sqsQueues.list.row(item, ctx);
  for (const step of sqsQueues.enrich) {
    const part = await step.run(item, ctx);
    expect(part === null ? [] : Object.keys(part).sort()).toEqual([...step.columns].sort());
    row = { ...row, ...part };
  }
  return row;
}

// What GetQueueAttributes(All) answers for a FIFO queue with a dead-letter queue and SSE-KMS.
const fifoAttributes = {
  QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders.fifo`,
  ApproximateNumberOfMessages: '12',
  ApproximateNumberOfMessagesNotVisible: '3',
  ApproximateNumberOfMessagesDelayed: '0',
  CreatedTimestamp: '1700000000',
  LastModifiedTimestamp: '1700003600',
  VisibilityTimeout: '45',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '1209600',
  DelaySeconds: '5',
  ReceiveMessageWaitTimeSeconds: '20',
  Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sqs:SendMessage","Resource":"*"}]}',
  RedrivePolicy: `{"deadLetterTargetArn":"arn:aws:sqs:${REGION}:${ACCOUNT}:orders-dlq.fifo","maxReceiveCount":5}`,
  RedriveAllowPolicy: '{"redrivePermission":"allowAll"}',
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'messageGroup',
  FifoThroughputLimit: 'perMessageGroupId',
  KmsMasterKeyId: 'alias/aws/sqs',
  KmsDataKeyReusePeriodSeconds: '300',
  SqsManagedSseEnabled: 'false',
};

// A standard queue: no FIFO attributes, SSE-SQS, no policy, no dead-letter queue.
const standardAttributes = {
  QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:events`,
  ApproximateNumberOfMessages: '0',
  ApproximateNumberOfMessagesNotVisible: '0',
  ApproximateNumberOfMessagesDelayed: '7',
  CreatedTimestamp: '1600000000',
  LastModifiedTimestamp: '1600000000',
  VisibilityTimeout: '30',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  DelaySeconds: '0',
  ReceiveMessageWaitTimeSeconds: '0',
  SqsManagedSseEnabled: 'true',
};

describe('sqs_queues declaration', () => {
  it('declares every column of the issue once, typed, with a description', () => {
    const names = allColumns(sqsQueues).map((column) => column.name);
    expect(names).toEqual([
      'partition', 'account_id', 'region', 'name', 'url', 'arn', 'fifo', 'content_based_deduplication', 'deduplication_scope',
      'fifo_throughput_limit', 'visibility_timeout_seconds', 'message_retention_seconds', 'maximum_message_size', 'delay_seconds',
      'receive_message_wait_time_seconds', 'approximate_number_of_messages', 'approximate_number_of_messages_not_visible',
      'approximate_number_of_messages_delayed', 'created_at', 'last_modified_at', 'sqs_managed_sse_enabled', 'kms_master_key_id',
      'kms_data_key_reuse_period_seconds', 'dead_letter_target_arn', 'max_receive_count', 'redrive_allow_policy', 'policy', 'tags',
    ]);
    for (const column of sqsQueues.columns) expect(column.description.length, column.name).toBeGreaterThan(10);
    expect(sqsQueues.columns.filter((c) => c.volatile).map((c) => c.name)).toEqual([
      'approximate_number_of_messages', 'approximate_number_of_messages_not_visible', 'approximate_number_of_messages_delayed',
    ]);
    const flagged = (flag: 'boolean' | 'time' | 'json') => sqsQueues.columns.filter((c) => c[flag] === true).map((c) => c.name);
    expect(flagged('boolean')).toEqual(['fifo', 'content_based_deduplication', 'sqs_managed_sse_enabled']);
    expect(flagged('time')).toEqual(['created_at', 'last_modified_at']);
    expect(flagged('json')).toEqual(['redrive_allow_policy', 'policy', 'tags']);
    for (const column of sqsQueues.columns) {
      if (column.boolean === true || column.name.endsWith('_seconds') || column.name.startsWith('approximate_')) expect(column.type, column.name).toBe('INTEGER');
    }
    expect(sqsQueues.primaryKey).toEqual(['account_id', 'region', 'name']);
    expect(sqsQueues.scope).toBe('account-region');
    expect(sqsQueues.resource).toBe('sqs');
    // Every declared column is filled by exactly one step.
    const filled = [...sqsQueues.list.columns, ...sqsQueues.enrich.flatMap((step) => step.columns)];
    expect([...filled].sort()).toEqual(sqsQueues.columns.map((c) => c.name).sort());
    expect(sqsQueues.enrich.map((step) => step.call)).toEqual(['sqs:GetQueueAttributes', 'sqs:ListQueueTags']);
  });
});

describe('sqs_queues listing', () => {
  it('asks for 1000 per page and follows NextToken until it is absent, even past an empty page', async () => {
    const pages: Record<string, { QueueUrls?: string[]; NextToken?: string }> = {
      first: { QueueUrls: [`${base}/a`, `${base}/b`], NextToken: 't1' },
      t1: { QueueUrls: [], NextToken: 't2' },
      t2: { QueueUrls: [`${base}/c.fifo`] },
    };
    const { ctx, calls } = fakeContext((operation, input) => {
      expect(operation).toBe('ListQueues');
      const token = typeof input.NextToken === 'string' ? input.NextToken : 'first';
      return pages[token];
    });
    const items = await collect(sqsQueues.list.items(ctx));
    expect(items.map((item) => item.name)).toEqual(['a', 'b', 'c.fifo']);
    expect(calls.map((call) => [call.region, call.input.MaxResults, call.input.NextToken])).toEqual([
      [REGION, 1000, undefined],
      [REGION, 1000, 't1'],
      [REGION, 1000, 't2'],
    ]);
  });

  it('ends on a page without QueueUrls (an empty region)', async () => {
    const { ctx, calls } = fakeContext(() => ({}));
    expect(await collect(sqsQueues.list.items(ctx))).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('takes name and owner from the URL, also for emulator URLs', () => {
    expect(queueItemFromUrl(`${base}/orders.fifo`, '999999999999')).toEqual({ url: `${base}/orders.fifo`, name: 'orders.fifo', ownerAccountId: ACCOUNT });
    expect(queueItemFromUrl('http://localhost:4566/000000000000/q1', ACCOUNT)).toEqual({ url: 'http://localhost:4566/000000000000/q1', name: 'q1', ownerAccountId: '000000000000' });
    expect(queueItemFromUrl('http://127.0.0.1:9324/queue/q2', ACCOUNT).ownerAccountId).toBe(ACCOUNT);
  });
});

describe('sqs_queues rows', () => {
  it('maps a FIFO queue with a dead-letter queue, KMS, a policy and tags to typed columns', async () => {
    const { ctx, calls } = fakeContext((operation) => {
      if (operation === 'GetQueueAttributes') return { Attributes: fifoAttributes };
      if (operation === 'ListQueueTags') return { Tags: { team: 'payments', env: 'prod' } };
      throw new Error(operation);
    });
    const row = await fullRow(queueItemFromUrl(`${base}/orders.fifo`, ACCOUNT), ctx);
    expect(row).toEqual({
      name: 'orders.fifo',
      url: `${base}/orders.fifo`,
      arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders.fifo`,
      fifo: 1,
      content_based_deduplication: 0,
      deduplication_scope: 'messageGroup',
      fifo_throughput_limit: 'perMessageGroupId',
      visibility_timeout_seconds: 45,
      message_retention_seconds: 1209600,
      maximum_message_size: 262144,
      delay_seconds: 5,
      receive_message_wait_time_seconds: 20,
      approximate_number_of_messages: 12,
      approximate_number_of_messages_not_visible: 3,
      approximate_number_of_messages_delayed: 0,
      created_at: '2023-11-14T22:13:20Z',
      last_modified_at: '2023-11-14T23:13:20Z',
      sqs_managed_sse_enabled: 0,
      kms_master_key_id: 'alias/aws/sqs',
      kms_data_key_reuse_period_seconds: 300,
      dead_letter_target_arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:orders-dlq.fifo`,
      max_receive_count: 5,
      redrive_allow_policy: '{"redrivePermission":"allowAll"}',
      policy: '{"Statement":[{"Action":"sqs:SendMessage","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Resource":"*"}],"Version":"2012-10-17"}',
      tags: '{"env":"prod","team":"payments"}',
    });
    // The ARN spelled from the listing agrees with the one AWS reports.
    expect(row.arn).toBe(fifoAttributes.QueueArn);
    expect(calls.map((call) => [call.operation, call.input.QueueUrl, call.input.AttributeNames])).toEqual([
      ['GetQueueAttributes', `${base}/orders.fifo`, ['All']],
      ['ListQueueTags', `${base}/orders.fifo`, undefined],
    ]);
  });

  it('maps a standard queue: FIFO-only and absent settings are null, no tags is {}', async () => {
    const { ctx } = fakeContext((operation) => (operation === 'GetQueueAttributes' ? { Attributes: standardAttributes } : {}));
    const row = await fullRow(queueItemFromUrl(`${base}/events`, ACCOUNT), ctx);
    expect(row).toMatchObject({
      fifo: 0,
      content_based_deduplication: null,
      deduplication_scope: null,
      fifo_throughput_limit: null,
      maximum_message_size: 1048576,
      approximate_number_of_messages_delayed: 7,
      created_at: '2020-09-13T12:26:40Z',
      sqs_managed_sse_enabled: 1,
      kms_master_key_id: null,
      kms_data_key_reuse_period_seconds: null,
      dead_letter_target_arn: null,
      max_receive_count: null,
      redrive_allow_policy: null,
      policy: null,
      tags: '{}',
    });
    for (const value of Object.values(row)) expect(typeof value === 'string' || typeof value === 'number' || value === null).toBe(true);
  });

  it('spells the url column from account, region and name, whatever endpoint answered the queue URL (the calls keep the answered one)', async () => {
    const answered = ['http://localhost:4566/000000000000/q1', 'http://sqs.eu-west-1.localhost.localstack.cloud:4566/000000000000/q1', 'https://eu-west-1.queue.amazonaws.com/000000000000/q1'];
    for (const url of answered) {
      const { ctx, calls } = fakeContext((operation) => (operation === 'GetQueueAttributes' ? { Attributes: standardAttributes } : {}));
      const row = await fullRow(queueItemFromUrl(url, ACCOUNT), ctx);
      expect(row.url).toBe(`https://sqs.${REGION}.amazonaws.com/000000000000/q1`);
      expect(calls.map((call) => call.input.QueueUrl)).toEqual([url, url]);
    }
    const china = fakeContext(() => ({}), { partition: 'aws-cn', region: 'cn-north-1' });
    expect(sqsQueues.list.row(queueItemFromUrl('https://sqs.cn-north-1.amazonaws.com.cn/000000000000/q1', ACCOUNT), china.ctx).url).toBe('https://sqs.cn-north-1.amazonaws.com.cn/000000000000/q1');
  });

  it('reads a redrive policy whose count is a string, and ignores one that is not JSON', () => {
    expect(parseRedrivePolicy('{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:111122223333:dlq","maxReceiveCount":"10"}')).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:111122223333:dlq',
      maxReceiveCount: 10,
    });
    expect(parseRedrivePolicy('not json')).toEqual({ deadLetterTargetArn: null, maxReceiveCount: null });
    expect(parseRedrivePolicy(undefined)).toEqual({ deadLetterTargetArn: null, maxReceiveCount: null });
  });

  it('sends its per-queue calls to the target region', async () => {
    const { ctx, calls } = fakeContext((operation) => (operation === 'GetQueueAttributes' ? { Attributes: standardAttributes } : { Tags: {} }));
    await fullRow(queueItemFromUrl(`${base}/events`, ACCOUNT), ctx);
    expect(calls.map((call) => call.region)).toEqual([REGION, REGION]);
  });
});
