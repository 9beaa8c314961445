/**
 * Zero redundant requests: over a whole crawl, no successful request repeats an earlier one
 * (same account, region, operation and parameters), no per-account ListParents, and no
 * per-bucket region probe when ListBuckets gave BucketRegion — and one when it did not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { crawlFixture } from '../helpers/harness.js';
import type { CrawlFixture } from '../helpers/harness.js';

let f: CrawlFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

describe('a crawl makes no redundant request', () => {
  it('with BucketRegion: nothing repeated, no ListParents, no HeadBucket or GetBucketLocation', async () => {
    f = await crawlFixture({ accounts: 8, ouDepth: 3, queuesPerAccount: 6, bucketsPerAccount: 4, regions, trackRepeats: true }, { regions });
    const result = await f.run();
    expect(result.exitCode).toBe(0);
    const c = f.sim.counters();
    // AssumeRole renewals would be legitimate repeats; none happen in a run this short.
    expect(c.repeated).toEqual({});
    expect(c.byOperation.organizations?.ListParents ?? 0).toBe(0);
    expect(c.byOperation.s3?.HeadBucket ?? 0).toBe(0);
    expect(c.byOperation.s3?.GetBucketLocation ?? 0).toBe(0);
    const buckets = result.summary.rows.s3_buckets ?? 0;
    const queues = result.summary.rows.sqs_queues ?? 0;
    const accounts = 9;
    // Per queue: GetQueueAttributes + ListQueueTags; one ListQueues page per account × region.
    expect(c.byOperation.sqs).toEqual({ ListQueues: accounts * regions.length, GetQueueAttributes: queues, ListQueueTags: queues });
    // Per bucket: the nine per-bucket calls; one ListBuckets page per account.
    const s3 = c.byOperation.s3 ?? {};
    expect(s3.ListBuckets).toBe(accounts);
    for (const op of ['GetBucketVersioning', 'GetBucketEncryption', 'GetPublicAccessBlock', 'GetBucketPolicyStatus', 'GetBucketPolicy', 'GetBucketOwnershipControls', 'GetBucketLogging', 'GetBucketLifecycleConfiguration', 'GetBucketTagging']) {
      expect(s3[op], op).toBe(buckets);
    }
  });

  it('without BucketRegion: exactly one HeadBucket per bucket, and still nothing repeated', async () => {
    f = await crawlFixture({ accounts: 3, queuesPerAccount: 0, bucketsPerAccount: 5, regions, omitBucketRegion: true, trackRepeats: true }, { regions, resources: ['organizations', 's3'] });
    const result = await f.run();
    expect(result.exitCode).toBe(0);
    const c = f.sim.counters();
    expect(c.repeated).toEqual({});
    expect(c.byOperation.s3?.HeadBucket).toBe(result.summary.rows.s3_buckets);
  });
});
