import { S3ServiceException } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { TargetContext } from '../../src/crawl/context.js';
import { classifyError } from '../../src/errors/classify.js';
import { CallError } from '../../src/crawl/scheduler.js';
import { allColumns } from '../../src/crawl/table.js';
import type { Row } from '../../src/crawl/table.js';
import { s3Buckets } from '../../src/tables/s3/buckets.js';
import type { BucketItem } from '../../src/tables/s3/buckets.js';
import { findBucketRegion, regionFromLocationConstraint } from '../../src/tables/s3/bucketRegion.js';

const ACCOUNT = '111122223333';
const HOME = 'us-east-1';

interface SentCall {
  operation: string;
  region: string;
  bucket: unknown;
  input: Record<string, unknown>;
}

type Answer = (operation: string, input: Record<string, unknown>, region: string) => unknown;

/** An S3 error as the SDK throws it: name, status, and the raw response's headers. */
function s3Error(name: string, status: number, headers: Record<string, string> = {}): S3ServiceException {
  const error = new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: `${name} (test)` });
  return Object.assign(error, { $response: { statusCode: status, headers } });
}

/** As the scheduler hands errors to steps: wrapped in a CallError with the SDK error as cause. */
function scheduled(error: S3ServiceException, operation: string): CallError {
  return new CallError({ service: 's3', operation, accountId: ACCOUNT, region: HOME, resource: null }, classifyError(error), error);
}

function fakeContext(answer: Answer): { ctx: TargetContext; calls: SentCall[]; warnings: string[] } {
  const calls: SentCall[] = [];
  const warnings: string[] = [];
  const s3 = (region: string) => ({
    send: (async (command: { input: Record<string, unknown>; constructor: { name: string } }) => {
      const operation = command.constructor.name.replace(/Command$/, '');
      calls.push({ operation, region, bucket: command.input.Bucket, input: command.input });
      const result = answer(operation, command.input, region);
      if (result instanceof Error) throw result;
      return result;
    }) as unknown as S3Client['send'],
  });
  const unused = (service: string) => () => {
    throw new Error(`s3_buckets must not call ${service}`);
  };
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  // Only what table steps use; the rest of the context belongs to other tables.
  const partial: Partial<TargetContext> = {
    partition: 'aws',
    accountId: ACCOUNT,
    region: null,
    homeRegion: HOME,
    organizations: unused('organizations') as () => { send: OrganizationsClient['send'] },
    sqs: unused('sqs') as (region: string) => { send: SQSClient['send'] },
    s3,
    logger,
  };
  const ctx = partial as TargetContext;
  return { ctx, calls, warnings };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function fullRow(item: BucketItem, ctx: TargetContext): Promise<Row> {
  let row: Row = s3Buckets.list.row(item, ctx);
  for (const step of s3Buckets.enrich) {
    const part = await step.run(item, ctx);
    // A step fills exactly the columns it declares (null ⇒ all of them null).
    const filled = part === null ? Object.fromEntries(step.columns.map((c) => [c, null])) : part;
    expect(Object.keys(filled).sort(), step.call).toEqual([...step.columns].sort());
    row = { ...row, ...filled };
  }
  return row;
}

const policyText = '{"Version":"2012-10-17","Statement":[{"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::logs-eu","arn:aws:s3:::logs-eu/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}';

/** A bucket with every setting configured, as the SDK returns each answer. */
const configured: Record<string, unknown> = {
  GetBucketVersioning: { Status: 'Enabled', MFADelete: 'Disabled' },
  GetBucketEncryption: {
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' }, BucketKeyEnabled: true }],
    },
  },
  GetPublicAccessBlock: { PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false } },
  GetBucketPolicyStatus: { PolicyStatus: { IsPublic: false } },
  GetBucketPolicy: { Policy: policyText },
  GetBucketOwnershipControls: { OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } },
  GetBucketLogging: { LoggingEnabled: { TargetBucket: 'audit-logs', TargetPrefix: 'logs-eu/' } },
  GetBucketLifecycleConfiguration: {
    Rules: [
      { ID: 'expire-tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 7 } },
      { ID: 'archive', Status: 'Disabled', Filter: { Prefix: '' }, Transitions: [{ Days: 90, StorageClass: 'GLACIER' }] },
    ],
  },
  GetBucketTagging: { TagSet: [{ Key: 'team', Value: 'data' }, { Key: 'cost-center', Value: '42' }] },
};

/** A bucket with nothing configured: S3's "not configured" errors, and empty answers where S3 gives those. */
const bare: Record<string, unknown> = {
  GetBucketVersioning: {},
  GetBucketEncryption: s3Error('ServerSideEncryptionConfigurationNotFoundError', 404),
  GetPublicAccessBlock: s3Error('NoSuchPublicAccessBlockConfiguration', 404),
  GetBucketPolicyStatus: s3Error('NoSuchBucketPolicy', 404),
  GetBucketPolicy: s3Error('NoSuchBucketPolicy', 404),
  GetBucketOwnershipControls: s3Error('OwnershipControlsNotFoundError', 404),
  GetBucketLogging: {},
  GetBucketLifecycleConfiguration: s3Error('NoSuchLifecycleConfiguration', 404),
  GetBucketTagging: s3Error('NoSuchTagSet', 404),
};

describe('s3_buckets declaration', () => {
  it('declares every column of the issue once, typed, each filled by one step', () => {
    expect(allColumns(s3Buckets).map((c) => c.name)).toEqual([
      'partition', 'account_id', 'name', 'arn', 'region', 'created_at', 'versioning_status', 'mfa_delete', 'sse_algorithm', 'kms_key_id',
      'bucket_key_enabled', 'block_public_acls', 'ignore_public_acls', 'block_public_policy', 'restrict_public_buckets', 'policy_is_public',
      'has_policy', 'policy', 'object_ownership', 'logging_target_bucket', 'logging_target_prefix', 'lifecycle_rule_count', 'lifecycle_rules', 'tags',
    ]);
    expect(s3Buckets.primaryKey).toEqual(['account_id', 'name']);
    expect(s3Buckets.scope).toBe('account');
    expect(s3Buckets.resource).toBe('s3');
    const filled = [...s3Buckets.list.columns, ...s3Buckets.enrich.flatMap((step) => step.columns)];
    expect([...filled].sort()).toEqual(s3Buckets.columns.map((c) => c.name).sort());
    expect(s3Buckets.enrich.map((step) => step.call)).toEqual([
      's3:GetBucketVersioning', 's3:GetBucketEncryption', 's3:GetPublicAccessBlock', 's3:GetBucketPolicyStatus', 's3:GetBucketPolicy',
      's3:GetBucketOwnershipControls', 's3:GetBucketLogging', 's3:GetBucketLifecycleConfiguration', 's3:GetBucketTagging',
    ]);
    const flagged = (flag: 'boolean' | 'time' | 'json') => s3Buckets.columns.filter((c) => c[flag] === true).map((c) => c.name);
    expect(flagged('boolean')).toEqual([
      'bucket_key_enabled', 'block_public_acls', 'ignore_public_acls', 'block_public_policy', 'restrict_public_buckets', 'policy_is_public', 'has_policy',
    ]);
    expect(flagged('time')).toEqual(['created_at']);
    expect(flagged('json')).toEqual(['policy', 'lifecycle_rules', 'tags']);
    for (const column of s3Buckets.columns) {
      expect(column.description.length, column.name).toBeGreaterThan(8);
      if (column.boolean === true || column.name === 'lifecycle_rule_count') expect(column.type, column.name).toBe('INTEGER');
    }
  });
});

describe('s3_buckets listing', () => {
  it('pages ListBuckets through the home region with MaxBuckets and ContinuationToken, using BucketRegion as given', async () => {
    const created = new Date('2021-03-04T05:06:07.000Z');
    const { ctx, calls } = fakeContext((operation, input) => {
      expect(operation).toBe('ListBuckets');
      if (input.ContinuationToken === undefined) {
        return { Buckets: [{ Name: 'logs-eu', CreationDate: created, BucketRegion: 'eu-west-1' }], ContinuationToken: 'next' };
      }
      return { Buckets: [{ Name: 'web-us', CreationDate: created, BucketRegion: 'us-west-2' }] };
    });
    const items = await collect(s3Buckets.list.items(ctx));
    expect(items).toEqual([
      { name: 'logs-eu', arn: null, region: 'eu-west-1', createdAt: created },
      { name: 'web-us', arn: null, region: 'us-west-2', createdAt: created },
    ]);
    expect(calls.map((c) => [c.region, c.input.MaxBuckets, c.input.ContinuationToken])).toEqual([
      [HOME, 1000, undefined],
      [HOME, 1000, 'next'],
    ]);
    expect(s3Buckets.list.row(items[0] as BucketItem, ctx)).toEqual({ name: 'logs-eu', arn: 'arn:aws:s3:::logs-eu', region: 'eu-west-1', created_at: '2021-03-04T05:06:07Z' });
  });

  it('finds a missing region once per bucket: HeadBucket 200, HeadBucket 301 header, GetBucketLocation EU and empty', async () => {
    const { ctx, calls } = fakeContext((operation, input) => {
      if (operation === 'ListBuckets') {
        return { Buckets: ['a-head-200', 'b-head-301', 'c-location-eu', 'd-location-empty', 'e-given'].map((Name) => ({ Name, ...(Name === 'e-given' ? { BucketRegion: 'ap-south-1' } : {}) })) };
      }
      const bucket = input.Bucket;
      if (operation === 'HeadBucket') {
        if (bucket === 'a-head-200') return { BucketRegion: 'eu-central-1' };
        if (bucket === 'b-head-301') return scheduled(s3Error('Unknown', 301, { 'x-amz-bucket-region': 'ap-southeast-2' }), 'HeadBucket');
        return scheduled(s3Error('Forbidden', 403), 'HeadBucket');
      }
      if (operation === 'GetBucketLocation') return bucket === 'c-location-eu' ? { LocationConstraint: 'EU' } : {};
      throw new Error(`unexpected ${operation}`);
    });
    const items = await collect(s3Buckets.list.items(ctx));
    expect(items.map((item) => [item.name, item.region])).toEqual([
      ['a-head-200', 'eu-central-1'],
      ['b-head-301', 'ap-southeast-2'],
      ['c-location-eu', 'eu-west-1'],
      ['d-location-empty', 'us-east-1'],
      ['e-given', 'ap-south-1'],
    ]);
    // One HeadBucket per bucket without BucketRegion, GetBucketLocation only when HeadBucket told nothing.
    const lookups = calls.filter((c) => c.operation !== 'ListBuckets').map((c) => `${c.operation} ${String(c.bucket)} ${c.region}`).sort();
    expect(lookups).toEqual([
      `GetBucketLocation c-location-eu ${HOME}`,
      `GetBucketLocation d-location-empty ${HOME}`,
      `HeadBucket a-head-200 ${HOME}`,
      `HeadBucket b-head-301 ${HOME}`,
      `HeadBucket c-location-eu ${HOME}`,
      `HeadBucket d-location-empty ${HOME}`,
    ]);
  });

  it('drops a bucket deleted since the listing, and crawls one whose endpoint tells no region in the home region with a warning', async () => {
    const { ctx, warnings } = fakeContext((operation, input) => {
      if (operation === 'ListBuckets') return { Buckets: [{ Name: 'deleted' }, { Name: 'mystery' }] };
      if (input.Bucket === 'deleted') return operation === 'HeadBucket' ? s3Error('NotFound', 404) : new Error('no second call for a gone bucket');
      return operation === 'HeadBucket' ? {} : s3Error('NotImplemented', 501);
    });
    const items = await collect(s3Buckets.list.items(ctx));
    expect(items.map((item) => [item.name, item.region, item.regionFailure])).toEqual([['mystery', HOME, undefined]]);
    expect(warnings.join('')).toContain('HeadBucket answered without x-amz-bucket-region; GetBucketLocation failed with NotImplemented');
    expect(s3Buckets.list.row(items[0] as BucketItem, ctx).region).toBe(HOME);
  });

  it('fails a bucket whose region lookup AWS refused as an item: its row is not written with a guessed region', async () => {
    const refusal = s3Error('AccessDenied', 403);
    const { ctx, warnings } = fakeContext((operation) => (operation === 'ListBuckets' ? { Buckets: [{ Name: 'mystery' }] } : refusal));
    const [item] = await collect(s3Buckets.list.items(ctx));
    expect(item?.regionFailure).toBe(refusal);
    expect(() => s3Buckets.list.row(item as BucketItem, ctx)).toThrow(refusal);
    expect(warnings).toEqual([]);
  });

  it('reads GetBucketLocation answers as regions', () => {
    expect(regionFromLocationConstraint(undefined)).toBe('us-east-1');
    expect(regionFromLocationConstraint('')).toBe('us-east-1');
    expect(regionFromLocationConstraint('EU')).toBe('eu-west-1');
    expect(regionFromLocationConstraint('ap-northeast-3')).toBe('ap-northeast-3');
  });

  it('looks a region up with a bare SDK error too (no scheduler wrapper)', async () => {
    const { ctx, calls } = fakeContext(() => s3Error('PermanentRedirect', 301, { 'X-Amz-Bucket-Region': 'sa-east-1' }));
    expect(await findBucketRegion(ctx.s3(HOME), 'x')).toEqual({ status: 'found', region: 'sa-east-1', via: 'HeadBucket' });
    expect(calls).toHaveLength(1);
  });
});

describe('s3_buckets rows', () => {
  const item: BucketItem = { name: 'logs-eu', arn: null, region: 'eu-west-1', createdAt: new Date('2022-01-02T03:04:05.000Z') };

  it('maps a fully configured bucket to typed columns, every call sent to the bucket region', async () => {
    const { ctx, calls } = fakeContext((operation) => configured[operation]);
    const row = await fullRow(item, ctx);
    expect(row).toEqual({
      name: 'logs-eu',
      arn: 'arn:aws:s3:::logs-eu',
      region: 'eu-west-1',
      created_at: '2022-01-02T03:04:05Z',
      versioning_status: 'Enabled',
      mfa_delete: 'Disabled',
      sse_algorithm: 'aws:kms',
      kms_key_id: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      bucket_key_enabled: 1,
      block_public_acls: 1,
      ignore_public_acls: 1,
      block_public_policy: 0,
      restrict_public_buckets: 0,
      policy_is_public: 0,
      has_policy: 1,
      policy: '{"Statement":[{"Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}},"Effect":"Deny","Principal":"*","Resource":["arn:aws:s3:::logs-eu","arn:aws:s3:::logs-eu/*"],"Sid":"TLS"}],"Version":"2012-10-17"}',
      object_ownership: 'BucketOwnerEnforced',
      logging_target_bucket: 'audit-logs',
      logging_target_prefix: 'logs-eu/',
      lifecycle_rule_count: 2,
      lifecycle_rules: '[{"Expiration":{"Days":7},"Filter":{"Prefix":"tmp/"},"ID":"expire-tmp","Status":"Enabled"},{"Filter":{"Prefix":""},"ID":"archive","Status":"Disabled","Transitions":[{"Days":90,"StorageClass":"GLACIER"}]}]',
      tags: '{"cost-center":"42","team":"data"}',
    });
    expect(calls).toHaveLength(9);
    expect(new Set(calls.map((c) => `${c.region} ${String(c.bucket)}`))).toEqual(new Set(['eu-west-1 logs-eu']));
  });

  it('maps a bucket with nothing configured: definite values where absence is the answer, null where nothing is known', async () => {
    // Errors reach the steps wrapped by the scheduler, as in a crawl.
    const { ctx } = fakeContext((operation) => {
      const answer = bare[operation];
      return answer instanceof S3ServiceException ? scheduled(answer, operation) : answer;
    });
    expect(await fullRow(item, ctx)).toEqual({
      name: 'logs-eu',
      arn: 'arn:aws:s3:::logs-eu',
      region: 'eu-west-1',
      created_at: '2022-01-02T03:04:05Z',
      versioning_status: 'Disabled',
      mfa_delete: 'Disabled',
      sse_algorithm: null,
      kms_key_id: null,
      bucket_key_enabled: null,
      block_public_acls: 0,
      ignore_public_acls: 0,
      block_public_policy: 0,
      restrict_public_buckets: 0,
      policy_is_public: 0,
      has_policy: 0,
      policy: null,
      object_ownership: null,
      logging_target_bucket: null,
      logging_target_prefix: null,
      lifecycle_rule_count: 0,
      lifecycle_rules: '[]',
      tags: '{}',
    });
  });

  it('handles the bare SDK errors the same way', async () => {
    const { ctx } = fakeContext((operation) => bare[operation]);
    const row = await fullRow(item, ctx);
    expect([row.has_policy, row.lifecycle_rule_count, row.tags, row.block_public_acls]).toEqual([0, 0, '{}', 0]);
  });

  it('lets a denied or vanished bucket reach the engine instead of inventing values', async () => {
    for (const [name, status, expected] of [['AccessDenied', 403, 'denied'], ['NoSuchBucket', 404, 'gone']] as const) {
      const { ctx } = fakeContext((operation) => scheduled(s3Error(name, status), operation));
      for (const step of s3Buckets.enrich) {
        const error: unknown = await step.run(item, ctx).then(() => null, (e: unknown) => e);
        expect(error, step.call).toBeInstanceOf(CallError);
        expect((error as CallError).classified.class, step.call).toBe(expected);
      }
    }
  });
});
