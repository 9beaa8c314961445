/**
 * S3 as the SDK meets it: per-bucket configuration calls answered from the model, the "not
 * configured" errors S3 really sends, the wrong-region redirect, path-style and virtual-host
 * addressing, and ListBuckets with and without BucketRegion.
 */
import { Agent } from 'node:http';
import type { LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator, SimBucket } from '../../src/simulator/index.js';
import type { Keys } from '../helpers/simulatorClients.js';
import * as clients from '../helpers/simulatorClients.js';

let sim: RunningSimulator;
let mgmt: Keys;

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, accounts: 2, queuesPerAccount: 0, bucketsPerAccount: 12 });
  mgmt = await clients.management(sim);
});
afterAll(() => sim.close());

const buckets = (): readonly SimBucket[] => sim.org.bucketsOf(sim.managementAccountId);

describe('per-bucket configuration', () => {
  it('answers every configuration call as the model says, and S3’s own "not configured" errors where a setting is absent', async () => {
    const notConfigured: Record<string, Set<string>> = {};
    const note = (operation: string, code: string): void => {
      (notConfigured[operation] ??= new Set()).add(code);
    };
    for (const bucket of buckets()) {
      const client = clients.s3(sim, mgmt, bucket.region);
      const Bucket = bucket.name;
      const versioning = await client.send(new GetBucketVersioningCommand({ Bucket }));
      expect(versioning.Status).toBe(bucket.versioning?.status);
      expect(versioning.MFADelete).toBe(bucket.versioning?.mfaDelete);

      const encryption = await client.send(new GetBucketEncryptionCommand({ Bucket })).catch((e: Error) => e);
      if (bucket.encryption) {
        expect(encryption).not.toBeInstanceOf(Error);
        const rule = 'ServerSideEncryptionConfiguration' in encryption ? encryption.ServerSideEncryptionConfiguration?.Rules?.[0] : undefined;
        expect(rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe(bucket.encryption.algorithm);
        expect(rule?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID).toBe(bucket.encryption.kmsKeyId);
        expect(rule?.BucketKeyEnabled).toBe(bucket.encryption.bucketKeyEnabled);
      } else note('GetBucketEncryption', (encryption as Error).name);

      const pab = await client.send(new GetPublicAccessBlockCommand({ Bucket })).catch((e: Error) => e);
      if (bucket.publicAccessBlock) {
        expect('PublicAccessBlockConfiguration' in pab ? pab.PublicAccessBlockConfiguration : undefined).toEqual({
          BlockPublicAcls: bucket.publicAccessBlock.blockPublicAcls,
          IgnorePublicAcls: bucket.publicAccessBlock.ignorePublicAcls,
          BlockPublicPolicy: bucket.publicAccessBlock.blockPublicPolicy,
          RestrictPublicBuckets: bucket.publicAccessBlock.restrictPublicBuckets,
        });
      } else note('GetPublicAccessBlock', (pab as Error).name);

      const policy = await client.send(new GetBucketPolicyCommand({ Bucket })).catch((e: Error) => e);
      const status = await client.send(new GetBucketPolicyStatusCommand({ Bucket })).catch((e: Error) => e);
      if (bucket.policy !== undefined) {
        expect('Policy' in policy ? policy.Policy : undefined).toBe(bucket.policy);
        expect('PolicyStatus' in status ? status.PolicyStatus?.IsPublic : undefined).toBe(bucket.policy.includes('"Principal":"*"'));
      } else {
        note('GetBucketPolicy', (policy as Error).name);
        note('GetBucketPolicyStatus', (status as Error).name);
      }

      const ownership = await client.send(new GetBucketOwnershipControlsCommand({ Bucket })).catch((e: Error) => e);
      if (bucket.objectOwnership) expect('OwnershipControls' in ownership ? ownership.OwnershipControls?.Rules?.[0]?.ObjectOwnership : undefined).toBe(bucket.objectOwnership);
      else note('GetBucketOwnershipControls', (ownership as Error).name);

      const logging = await client.send(new GetBucketLoggingCommand({ Bucket }));
      expect(logging.LoggingEnabled?.TargetBucket).toBe(bucket.logging?.targetBucket);
      expect(logging.LoggingEnabled?.TargetPrefix).toBe(bucket.logging?.targetPrefix);

      const lifecycle = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket })).catch((e: Error) => e);
      if (bucket.lifecycle) {
        const rules = 'Rules' in lifecycle ? (lifecycle.Rules ?? []) : [];
        expect(rules.map((r) => [r.ID, r.Status, r.Filter?.Prefix, r.Expiration?.Days])).toEqual(bucket.lifecycle.map((r) => [r.id, r.status, r.prefix, r.expirationDays]));
      } else note('GetBucketLifecycleConfiguration', (lifecycle as Error).name);

      const tagging = await client.send(new GetBucketTaggingCommand({ Bucket })).catch((e: Error) => e);
      if (bucket.tags) expect('TagSet' in tagging ? tagging.TagSet : undefined).toEqual(bucket.tags);
      else note('GetBucketTagging', (tagging as Error).name);

      const acl = await client.send(new GetBucketAclCommand({ Bucket }));
      expect(acl.Grants?.[0]?.Permission).toBe('FULL_CONTROL');
    }
    expect(Object.fromEntries(Object.entries(notConfigured).map(([op, codes]) => [op, [...codes]]))).toEqual({
      GetBucketEncryption: ['ServerSideEncryptionConfigurationNotFoundError'],
      GetPublicAccessBlock: ['NoSuchPublicAccessBlockConfiguration'],
      GetBucketPolicy: ['NoSuchBucketPolicy'],
      GetBucketPolicyStatus: ['NoSuchBucketPolicy'],
      GetBucketOwnershipControls: ['OwnershipControlsNotFoundError'],
      GetBucketLifecycleConfiguration: ['NoSuchLifecycleConfiguration'],
      GetBucketTagging: ['NoSuchTagSet'],
    });
  });

  it('answers a call signed for another region with 301 PermanentRedirect and x-amz-bucket-region', async () => {
    const bucket = buckets().find((b) => b.region === 'eu-west-1');
    const error = await clients.failure(clients.s3(sim, mgmt, 'us-east-1').send(new GetBucketVersioningCommand({ Bucket: bucket?.name })));
    expect(error.name).toBe('PermanentRedirect');
    expect(error.$metadata?.httpStatusCode).toBe(301);
    expect(error.$response?.headers['x-amz-bucket-region']).toBe('eu-west-1');
    // HeadBucket in the right region tells the region; GetBucketLocation answers from anywhere.
    const head = await clients.s3(sim, mgmt, 'eu-west-1').send(new HeadBucketCommand({ Bucket: bucket?.name }));
    expect(head.BucketRegion).toBe('eu-west-1');
    const location = await clients.s3(sim, mgmt, 'us-east-1').send(new GetBucketLocationCommand({ Bucket: bucket?.name }));
    expect(location.LocationConstraint).toBe('eu-west-1');
    const east = buckets().find((b) => b.region === 'us-east-1');
    const eastLocation = await clients.s3(sim, mgmt, 'us-east-1').send(new GetBucketLocationCommand({ Bucket: east?.name }));
    expect(eastLocation.LocationConstraint).toBeUndefined();
  });

  it('answers NoSuchBucket for a bucket nobody owns', async () => {
    const error = await clients.failure(clients.s3(sim, mgmt).send(new GetBucketTaggingCommand({ Bucket: 'no-such-bucket-anywhere' })));
    expect(error.name).toBe('NoSuchBucket');
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  it('reflects changes to the model between calls', async () => {
    const bucket = buckets()[1];
    if (!bucket) throw new Error('no bucket');
    const client = clients.s3(sim, mgmt, bucket.region);
    const before = bucket.tags;
    bucket.tags = [{ Key: 'changed', Value: 'yes' }];
    try {
      expect((await client.send(new GetBucketTaggingCommand({ Bucket: bucket.name }))).TagSet).toEqual([{ Key: 'changed', Value: 'yes' }]);
    } finally {
      if (before) bucket.tags = before;
      else delete bucket.tags;
    }
    sim.org.addBucket({ name: 'added-later', accountId: sim.managementAccountId, region: 'us-east-1', creationDate: Date.UTC(2024, 0, 1) });
    expect((await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain('added-later');
    sim.org.removeBucket('added-later');
    expect((await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).not.toContain('added-later');
  });
});

describe('addressing and listing', () => {
  it('serves virtual-host-style requests (bucket in the Host header)', async () => {
    // Resolve every host name to loopback so that `<bucket>.localhost` reaches the simulator.
    const lookup: LookupFunction = (_host, options, callback) => {
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    const client = new S3Client({
      endpoint: `http://localhost:${sim.port}`,
      region: 'us-east-1',
      credentials: mgmt,
      maxAttempts: 1,
      requestHandler: { httpAgent: new Agent({ lookup }) },
    });
    const bucket = buckets().find((b) => b.region === 'us-east-1' && b.tags);
    // A route that never matches sees every request's host name.
    const hosts: string[] = [];
    sim.addRoute({ service: 'spy', match: (request) => (hosts.push(request.hostname), false), handle: () => ({ status: 500 }) });
    const tagging = await client.send(new GetBucketTaggingCommand({ Bucket: bucket?.name }));
    expect(tagging.TagSet).toEqual(bucket?.tags);
    expect(hosts).toEqual([`${bucket?.name}.localhost`]);
  });

  it('leaves out BucketRegion when asked, as older endpoints and emulators do', async () => {
    const omitting = await startSimulator({ seed: 11, accounts: 0, bucketsPerAccount: 3, queuesPerAccount: 0, omitBucketRegion: true });
    try {
      const creds = await clients.management(omitting);
      const listed = await clients.s3(omitting, creds).send(new ListBucketsCommand({}));
      expect(listed.Buckets).toHaveLength(3);
      expect(listed.Buckets?.every((b) => b.BucketRegion === undefined)).toBe(true);
    } finally {
      await omitting.close();
    }
  });
});
