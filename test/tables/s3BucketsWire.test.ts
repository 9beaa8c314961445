/**
 * s3_buckets through the real pipeline against the simulated organization, whose S3 refuses a
 * per-bucket call signed for any region but the bucket's own (301 PermanentRedirect) — so a
 * complete table also proves every call went to the bucket's region. Run twice: with ListBuckets
 * giving BucketRegion, and without it (older endpoints, emulators) so HeadBucket must find it.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetContext } from '../../src/crawl/context.js';
import type { RunResult } from '../../src/crawl/run.js';
import { allColumns, toJson } from '../../src/crawl/table.js';
import type { Row } from '../../src/crawl/table.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { SimBucket, SimLifecycleRule, SimRequest } from '../../src/simulator/index.js';
import { policyIsPublic } from '../../src/simulator/services/s3.js';
import { s3Buckets } from '../../src/tables/s3/buckets.js';
import { crawlFixture } from '../helpers/harness.js';
import type { CrawlFixture } from '../helpers/harness.js';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
/** Six buckets over three regions: one of each generated profile (profile 1 has nothing configured). */
const BUCKETS_PER_ACCOUNT = 6;

/** A lifecycle rule as the SDK reads S3's XML for it. */
function sdkRule(rule: SimLifecycleRule): Record<string, unknown> {
  const out: Record<string, unknown> = { ID: rule.id, Filter: { Prefix: rule.prefix }, Status: rule.status };
  if (rule.transitionDays !== undefined) out.Transitions = [{ Days: rule.transitionDays, StorageClass: rule.transitionStorageClass ?? 'GLACIER' }];
  if (rule.expirationDays !== undefined) out.Expiration = { Days: rule.expirationDays };
  if (rule.noncurrentExpirationDays !== undefined) out.NoncurrentVersionExpiration = { NoncurrentDays: rule.noncurrentExpirationDays };
  if (rule.abortIncompleteMultipartDays !== undefined) out.AbortIncompleteMultipartUpload = { DaysAfterInitiation: rule.abortIncompleteMultipartDays };
  return out;
}

/** The row for a simulated bucket; `policyDenied` ⇒ the policy columns could not be read. */
function expectedRow(bucket: SimBucket, policyDenied: boolean): Row {
  const pab = bucket.publicAccessBlock;
  const bit = (value: boolean | undefined): number => (value === true ? 1 : 0);
  return {
    partition: 'aws',
    account_id: bucket.accountId,
    name: bucket.name,
    arn: `arn:aws:s3:::${bucket.name}`,
    region: bucket.region,
    created_at: new Date(bucket.creationDate).toISOString().replace('.000Z', 'Z'),
    versioning_status: bucket.versioning?.status ?? 'Disabled',
    mfa_delete: bucket.versioning?.mfaDelete ?? 'Disabled',
    sse_algorithm: bucket.encryption?.algorithm ?? null,
    kms_key_id: bucket.encryption?.kmsKeyId ?? null,
    bucket_key_enabled: bucket.encryption === undefined ? null : bit(bucket.encryption.bucketKeyEnabled),
    block_public_acls: bit(pab?.blockPublicAcls),
    ignore_public_acls: bit(pab?.ignorePublicAcls),
    block_public_policy: bit(pab?.blockPublicPolicy),
    restrict_public_buckets: bit(pab?.restrictPublicBuckets),
    policy_is_public: bit(policyIsPublic(bucket)),
    has_policy: policyDenied ? null : bit(bucket.policy !== undefined),
    policy: policyDenied || bucket.policy === undefined ? null : toJson(JSON.parse(bucket.policy)),
    object_ownership: bucket.objectOwnership ?? null,
    logging_target_bucket: bucket.logging?.targetBucket ?? null,
    logging_target_prefix: bucket.logging?.targetPrefix ?? null,
    lifecycle_rule_count: bucket.lifecycle?.length ?? 0,
    lifecycle_rules: toJson((bucket.lifecycle ?? []).map(sdkRule)),
    tags: toJson(Object.fromEntries((bucket.tags ?? []).map((t) => [t.Key, t.Value]))),
  };
}

function readTable(f: CrawlFixture): Row[] {
  const names = allColumns(s3Buckets).map((c) => `"${c.name}"`);
  return f.db().prepare(`select ${names.join(', ')} from s3_buckets where deleted_run is null order by account_id, name`).all() as Row[];
}

describe.each([
  { omitBucketRegion: false, label: 'ListBuckets gives BucketRegion' },
  { omitBucketRegion: true, label: 'ListBuckets omits BucketRegion' },
])('s3_buckets over the wire: $label', ({ omitBucketRegion }) => {
  let f: CrawlFixture;
  let result: RunResult;
  let deniedAccount: string;
  let policyDeniedAccount: string;
  let vanished: SimBucket;

  beforeAll(async () => {
    f = await crawlFixture({ accounts: 3, queuesPerAccount: 0, bucketsPerAccount: BUCKETS_PER_ACCOUNT, regions: REGIONS, omitBucketRegion }, { resources: ['s3'], regions: REGIONS });
    const members = f.sim.org.memberAccountIds();
    deniedAccount = members[0] ?? '';
    policyDeniedAccount = members[1] ?? '';
    f.sim.faults.denyMemberRoles = [deniedAccount];
    // One sub-call refused in one account: its columns are unknown, the buckets still land.
    f.sim.faults.deny = [{ account: policyDeniedAccount, service: 's3', operation: 'GetBucketPolicy' }];
    // A bucket deleted after ListBuckets listed it: the simulator removes it on its first describe.
    const candidate = f.sim.org.bucketsOf(members[2] ?? '')[1];
    if (!candidate) throw new Error('the simulated organization has no bucket to delete');
    vanished = candidate;
    f.sim.addRoute({
      service: 's3',
      match(request: SimRequest) {
        if (request.method === 'GET' && 'versioning' in request.query && request.path.replace(/\/$/, '') === `/${vanished.name}`) f.sim.org.removeBucket(vanished.name);
        return false;
      },
      handle: () => ({ status: 500, headers: {} }),
    });
    result = await f.run();
  });
  afterAll(async () => f.close());

  it('lands every bucket of every readable account with every column as the simulator set it', () => {
    const expected: Row[] = [];
    const accounts = [f.sim.managementAccountId, ...f.sim.org.memberAccountIds()].filter((id) => id !== deniedAccount).sort();
    for (const account of accounts) for (const bucket of f.sim.org.bucketsOf(account)) expected.push(expectedRow(bucket, account === policyDeniedAccount));
    const rows = readTable(f);
    expect(rows.length).toBe(expected.length);
    expect(rows).toEqual(expected);
    // Three regions, and every column filled somewhere: the comparison above is not vacuous.
    expect(new Set(rows.map((r) => r.region))).toEqual(new Set(REGIONS));
    for (const column of allColumns(s3Buckets)) expect(rows.some((r) => r[column.name] !== null), column.name).toBe(true);
    expect(rows.filter((r) => r.policy_is_public === 1).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.has_policy === 0 && r.lifecycle_rule_count === 0 && r.tags === '{}' && r.sse_algorithm === null).length).toBeGreaterThan(0);
  });

  it('drops a bucket deleted between list and describe silently', () => {
    expect(f.sim.org.buckets.has(vanished.name), 'the simulator deleted it mid-crawl').toBe(false);
    expect(readTable(f).some((r) => r.name === vanished.name)).toBe(false);
    expect(f.db().prepare('select * from errors where resource = ?').all(vanished.name)).toEqual([]);
  });

  it('records the denied member account and each denied GetBucketPolicy as error rows, and goes on', () => {
    const errors = f.db().prepare('select account_id, service, operation, resource, error_code from errors order by account_id, resource').all() as Record<string, string>[];
    const policyBuckets = f.sim.org.bucketsOf(policyDeniedAccount).map((b) => b.name);
    expect(errors).toEqual([
      ...[{ account_id: deniedAccount, service: 'sts', operation: 'AssumeRole', resource: `arn:aws:iam::${deniedAccount}:role/OrganizationAccountAccessRole`, error_code: 'AccessDenied' }],
      ...policyBuckets.map((name) => ({ account_id: policyDeniedAccount, service: 's3', operation: 'GetBucketPolicy', resource: name, error_code: 'AccessDenied' })),
    ].sort((a, b) => (a.account_id + a.resource).localeCompare(b.account_id + b.resource)));
    expect(result.exitCode).toBe(1);
  });

  it(`makes 1 ListBuckets per account, 9 calls per bucket${omitBucketRegion ? ' and one HeadBucket per bucket' : ', and no region lookup'}`, () => {
    const ops = result.requests.byOperation;
    const accounts = 3; // management + 2 readable members
    const listed = accounts * BUCKETS_PER_ACCOUNT;
    expect(ops['s3:ListBuckets']).toBe(accounts);
    // The deleted bucket was listed and its nine calls sent together, so it counts too.
    for (const step of s3Buckets.enrich) expect(ops[step.call], step.call).toBe(listed);
    expect(ops['s3:HeadBucket'] ?? 0).toBe(omitBucketRegion ? listed : 0);
    expect(ops['s3:GetBucketLocation'] ?? 0).toBe(0);
  });
});

describe('s3_buckets paging over the wire', () => {
  // The listing alone, through real S3 clients: describing (or looking up) 1001 buckets would only
  // repeat the tests above, at a thousand requests' cost.
  it('follows ContinuationToken past 1000 buckets', async () => {
    const sim = await startSimulator({ accounts: 0, queuesPerAccount: 0, bucketsPerAccount: 1001, regions: REGIONS });
    const clients = new Map<string, S3Client>();
    try {
      const issued = sim.issueCredentials(sim.chainRoleArn, 'paging-test', 900);
      const credentials = { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken, expiration: new Date(issued.expiration) };
      const clientFor = (region: string): S3Client => {
        let client = clients.get(region);
        if (!client) clients.set(region, (client = new S3Client({ region, endpoint: sim.url, forcePathStyle: true, credentials, maxAttempts: 1, followRegionRedirects: false })));
        return client;
      };
      const ctx: Partial<TargetContext> = {
        partition: 'aws',
        accountId: sim.managementAccountId,
        region: null,
        homeRegion: 'us-east-1',
        s3: (region) => ({ send: ((command: Parameters<S3Client['send']>[0]) => clientFor(region).send(command)) as S3Client['send'] }),
      };
      const items: { name: string; region: string }[] = [];
      for await (const item of s3Buckets.list.items(ctx as TargetContext)) items.push({ name: item.name, region: item.region });
      expect(items).toEqual(sim.org.bucketsOf(sim.managementAccountId).map((b) => ({ name: b.name, region: b.region })));
      expect(items).toHaveLength(1001);
      expect(sim.counters().byOperation.s3).toEqual({ ListBuckets: 2 });
    } finally {
      for (const client of clients.values()) client.destroy();
      await sim.close();
    }
  });
});
