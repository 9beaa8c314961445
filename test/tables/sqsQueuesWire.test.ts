/**
 * sqs_queues through the real pipeline: signed SDK requests to the simulated organization, the
 * engine, the scheduler and the SQLite store. Every column is checked against the queue the
 * simulator holds, derived here from SQS's documented defaults rather than from its answers.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetContext } from '../../src/crawl/context.js';
import { runInventory } from '../../src/crawl/run.js';
import type { RunResult } from '../../src/crawl/run.js';
import { allColumns, toJson } from '../../src/crawl/table.js';
import type { Row } from '../../src/crawl/table.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { SimQueue, SimRequest } from '../../src/simulator/index.js';
import { sqsQueues } from '../../src/tables/sqs/queues.js';
import { startForwarder } from '../helpers/forwarder.js';
import { collectLogs, crawlFixture, spyHandler } from '../helpers/harness.js';
import type { CrawlFixture } from '../helpers/harness.js';

const REGIONS = ['ap-southeast-2', 'eu-west-1', 'us-east-1'];
/** 24 queues over 3 regions: 8 per region, one of each generated profile (FIFO, dead-letter, KMS …). */
const QUEUES_PER_ACCOUNT = 24;

/** The row SQS would give for a simulated queue: its settings over SQS's defaults. */
function expectedRow(queue: SimQueue): Row {
  const a = queue.attributes;
  const int = (value: string | undefined, fallback: number | null): number | null => (value === undefined ? fallback : Number(value));
  const kms = a.KmsMasterKeyId ?? null;
  const redrive = a.RedrivePolicy === undefined ? null : (JSON.parse(a.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number });
  const json = (text: string | undefined) => (text === undefined ? null : toJson(JSON.parse(text)));
  return {
    partition: 'aws',
    account_id: queue.accountId,
    region: queue.region,
    name: queue.name,
    url: `https://sqs.${queue.region}.amazonaws.com/${queue.accountId}/${queue.name}`,
    arn: `arn:aws:sqs:${queue.region}:${queue.accountId}:${queue.name}`,
    fifo: queue.fifo ? 1 : 0,
    content_based_deduplication: queue.fifo ? (a.ContentBasedDeduplication === 'true' ? 1 : 0) : null,
    deduplication_scope: queue.fifo ? (a.DeduplicationScope ?? 'queue') : null,
    fifo_throughput_limit: queue.fifo ? (a.FifoThroughputLimit ?? 'perQueue') : null,
    visibility_timeout_seconds: int(a.VisibilityTimeout, 30),
    message_retention_seconds: int(a.MessageRetentionPeriod, 345600),
    maximum_message_size: int(a.MaximumMessageSize, 1048576),
    delay_seconds: int(a.DelaySeconds, 0),
    receive_message_wait_time_seconds: int(a.ReceiveMessageWaitTimeSeconds, 0),
    approximate_number_of_messages: queue.backlog.visible,
    approximate_number_of_messages_not_visible: queue.backlog.notVisible,
    approximate_number_of_messages_delayed: queue.backlog.delayed,
    created_at: new Date(queue.createdTimestamp * 1000).toISOString().replace('.000Z', 'Z'),
    last_modified_at: new Date(queue.lastModifiedTimestamp * 1000).toISOString().replace('.000Z', 'Z'),
    // SSE-KMS replaces SSE-SQS.
    sqs_managed_sse_enabled: kms !== null ? 0 : (a.SqsManagedSseEnabled ?? 'true') === 'true' ? 1 : 0,
    kms_master_key_id: kms,
    kms_data_key_reuse_period_seconds: kms === null ? null : int(a.KmsDataKeyReusePeriodSeconds, 300),
    dead_letter_target_arn: redrive?.deadLetterTargetArn ?? null,
    max_receive_count: redrive?.maxReceiveCount ?? null,
    redrive_allow_policy: json(a.RedriveAllowPolicy),
    policy: json(a.Policy),
    tags: toJson(queue.tags),
  };
}

function readTable(f: CrawlFixture): Row[] {
  const names = allColumns(sqsQueues).map((c) => `"${c.name}"`);
  return f.db().prepare(`select ${names.join(', ')} from sqs_queues where deleted_run is null order by account_id, region, name`).all() as Row[];
}

describe('sqs_queues over the wire', () => {
  let f: CrawlFixture;
  let result: RunResult;
  let deniedAccount: string;
  let regionDeniedAccount: string;
  let vanished: SimQueue;

  beforeAll(async () => {
    f = await crawlFixture({ accounts: 3, queuesPerAccount: QUEUES_PER_ACCOUNT, bucketsPerAccount: 0, regions: REGIONS }, { resources: ['sqs'], regions: REGIONS });
    const members = f.sim.org.memberAccountIds();
    deniedAccount = members[0] ?? '';
    regionDeniedAccount = members[1] ?? '';
    f.sim.faults.denyMemberRoles = [deniedAccount];
    f.sim.faults.regionsNotEnabled = { [regionDeniedAccount]: ['eu-west-1'] };
    // A queue deleted after ListQueues listed it: the simulator removes it on its first describe.
    const owner = members[2] ?? '';
    const candidate = f.sim.org.queuesIn(owner, 'us-east-1')[2];
    if (!candidate) throw new Error('the simulated organization has no queue to delete');
    vanished = candidate;
    const vanishedUrl = f.sim.queueUrl(vanished.accountId, 'us-east-1', vanished.name);
    f.sim.addRoute({
      service: 'sqs',
      match(request: SimRequest) {
        // Queue URLs repeat across regions here; the signature's credential scope names the region.
        const signedFor = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1];
        if (request.headers['x-amz-target'] === 'AmazonSQS.GetQueueAttributes' && signedFor === vanished.region && request.body.toString('utf8').includes(`"${vanishedUrl}"`)) {
          f.sim.org.removeQueue(vanished.accountId, vanished.region, vanished.name);
        }
        return false;
      },
      handle: () => ({ status: 500, headers: {} }),
    });
    result = await f.run();
  });
  afterAll(async () => f.close());

  it('lands every queue of every readable account and region with every column as the simulator set it', () => {
    const rows = readTable(f);
    const expected: Row[] = [];
    const accounts = [f.sim.managementAccountId, ...f.sim.org.memberAccountIds()].filter((id) => id !== deniedAccount).sort();
    for (const account of accounts) {
      for (const region of [...REGIONS].sort()) {
        if (account === regionDeniedAccount && region === 'eu-west-1') continue;
        for (const queue of f.sim.org.queuesIn(account, region)) expected.push(expectedRow(queue));
      }
    }
    expect(rows.length).toBe(expected.length);
    expect(rows).toEqual(expected);
  });

  it('covers FIFO queues, dead-letter queues, KMS, policies and untagged queues (the checks above are not vacuous)', () => {
    const rows = readTable(f);
    expect(rows.filter((r) => r.fifo === 1).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.content_based_deduplication === 1).length).toBeGreaterThan(0);
    expect(rows.filter((r) => typeof r.dead_letter_target_arn === 'string' && r.max_receive_count !== null).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.kms_master_key_id !== null && r.sqs_managed_sse_enabled === 0).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.policy !== null).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.tags === '{}').length).toBeGreaterThan(0);
    // Every column holds a value somewhere: none is left empty by a mapping that never fires.
    for (const column of allColumns(sqsQueues)) expect(rows.some((r) => r[column.name] !== null), column.name).toBe(true);
    // A dead-letter target is a queue the crawl saw.
    const arns = new Set(rows.map((r) => r.arn));
    for (const row of rows) if (row.dead_letter_target_arn !== null) expect(arns.has(row.dead_letter_target_arn)).toBe(true);
  });

  it('drops a queue deleted between list and describe silently', () => {
    expect(f.sim.org.queue(vanished.accountId, vanished.region, vanished.name), 'the simulator deleted it mid-crawl').toBeUndefined();
    const rows = readTable(f);
    expect(rows.some((r) => r.account_id === vanished.accountId && r.region === vanished.region && r.name === vanished.name)).toBe(false);
    // Its namesakes in the other regions are still there.
    expect(rows.filter((r) => r.account_id === vanished.accountId && r.name === vanished.name).length).toBe(REGIONS.length - 1);
    const errors = f.db().prepare('select * from errors where resource like ?').all(`%/${vanished.name}`);
    expect(errors).toEqual([]);
  });

  it('records the denied member account and the disabled region as error rows, and goes on', () => {
    const errors = f.db().prepare('select account_id, region, service, operation, error_code from errors order by account_id').all() as Record<string, string>[];
    expect(errors).toHaveLength(2);
    expect(errors).toContainEqual(expect.objectContaining({ account_id: deniedAccount, service: 'sts', operation: 'AssumeRole' }));
    expect(errors).toContainEqual(expect.objectContaining({ account_id: regionDeniedAccount, region: 'eu-west-1', service: 'sqs', operation: 'ListQueues' }));
    expect(readTable(f).filter((r) => r.account_id === regionDeniedAccount).map((r) => r.region)).toContain('us-east-1');
    expect(result.exitCode).toBe(1);
  });

  it('makes 1 GetQueueAttributes + 1 ListQueueTags per queue and one ListQueues per account × region page', () => {
    const ops = result.requests.byOperation;
    const listed = readTable(f).length + 1; // the vanished queue was listed and described too
    const targets = 3 * REGIONS.length; // management + 2 readable members, every region (the disabled one is tried once)
    expect(ops['sqs:ListQueues']).toBe(targets);
    expect(ops['sqs:GetQueueAttributes']).toBe(listed);
    expect(ops['sqs:ListQueueTags']).toBe(listed);
  });
});

describe('sqs_queues paging over the wire', () => {
  // The listing alone, through a real SQS client: describing 1001 queues would only repeat the test above.
  it('follows NextToken past 1000 queues: two ListQueues pages, every queue once', async () => {
    const sim = await startSimulator({ accounts: 0, queuesPerAccount: 1001, bucketsPerAccount: 0, regions: ['us-east-1'] });
    try {
      const issued = sim.issueCredentials(sim.chainRoleArn, 'paging-test', 900);
      const credentials = { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken, expiration: new Date(issued.expiration) };
      const client = new SQSClient({ region: 'us-east-1', endpoint: sim.url, credentials, maxAttempts: 1 });
      const sent: number[] = [];
      const ctx: Partial<TargetContext> = {
        partition: 'aws',
        accountId: sim.managementAccountId,
        region: 'us-east-1',
        homeRegion: 'us-east-1',
        sqs: () => ({
          send: ((command: Parameters<SQSClient['send']>[0]) => {
            sent.push(1);
            return client.send(command);
          }) as SQSClient['send'],
        }),
      };
      const names: string[] = [];
      for await (const item of sqsQueues.list.items(ctx as TargetContext)) names.push(item.name);
      expect(names).toEqual(sim.org.queuesIn(sim.managementAccountId, 'us-east-1').map((q) => q.name));
      expect(names).toHaveLength(1001);
      expect(sent).toHaveLength(2);
      expect(sim.counters().byOperation.sqs).toEqual({ ListQueues: 2 });
      client.destroy();
    } finally {
      await sim.close();
    }
  });
});

describe('sqs_queues and the endpoint', () => {
  it('sends every per-queue call to the configured endpoint although SQS answers AWS queue URLs, and stores the AWS URL', async () => {
    const f = await crawlFixture({ accounts: 1, queuesPerAccount: 3, bucketsPerAccount: 0, regions: ['us-east-1'] }, { resources: ['sqs'] });
    const forwarder = await startForwarder(f.sim.url);
    try {
      const params = { ...f.params, endpoints: { sqs: forwarder.url } };
      const spy = spyHandler();
      const result = await runInventory({ params, logger: collectLogs().logger, progress: 'none', requestHandler: spy.handler });
      expect(result.exitCode).toBe(0);
      const sqs = spy.seen.filter((r) => (r.target ?? '').startsWith('AmazonSQS.'));
      const perQueue = sqs.filter((r) => r.target !== 'AmazonSQS.ListQueues');
      expect(perQueue.length).toBe(2 * 2 * 3);
      // Sent to endpoints.sqs, not to the host the queue URL names.
      expect(new Set(sqs.map((r) => `${r.host}:${r.port}`))).toEqual(new Set([`127.0.0.1:${forwarder.port}`]));
      expect(forwarder.count()).toBe(sqs.length);
      const rows = readTable(f);
      expect(rows).toHaveLength(6);
      for (const row of rows) expect(row.url).toBe(`https://sqs.us-east-1.amazonaws.com/${String(row.account_id)}/${String(row.name)}`);
    } finally {
      await forwarder.close();
      await f.close();
    }
  });
});
