/**
 * `s3_buckets`: every general-purpose bucket of an account. ListBuckets is global, so it runs once
 * per account through the home region's client; every per-bucket call then goes to the bucket's
 * own region through that region's client (no reliance on the SDK following redirects).
 *
 * "Not configured" answers are handled inside the step that got them, each deciding what its
 * columns mean without the setting: null where nothing is known, a definite value where the
 * absence is itself the answer (no policy ⇒ has_policy 0).
 */
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
} from '@aws-sdk/client-s3';
import type { Bucket } from '@aws-sdk/client-s3';
import type { TargetContext } from '../../crawl/context.js';
import type { ColumnsFrom, Row, TableColumn } from '../../crawl/table.js';
import { defineTable, jsonText, tagsJson, toBool, toIsoTime, toJson } from '../../crawl/table.js';
import { isAwsError } from './awsError.js';
import { findBucketRegion } from './bucketRegion.js';

/** What the listing knows of a bucket, with its region settled. */
export interface BucketItem {
  name: string;
  arn: string | null;
  region: string;
  createdAt: Date | null;
  /** Why the region could not be read (AWS refused or failed the lookup); the bucket is then not written. */
  regionFailure?: unknown;
}

/** Buckets per ListBuckets page; with MaxBuckets set, S3 pages with a ContinuationToken. */
const PAGE_SIZE = 1000;

const columns = [
  { name: 'name', type: 'TEXT', nullable: false, from: 's3:ListBuckets', description: 'bucket name' },
  { name: 'arn', type: 'TEXT', nullable: false, from: 's3:ListBuckets', description: 'bucket ARN, arn:<partition>:s3:::<name>' },
  { name: 'region', type: 'TEXT', nullable: false, from: 's3:ListBuckets', description: "the bucket's region (ListBuckets' BucketRegion, else HeadBucket or GetBucketLocation)" },
  { name: 'created_at', type: 'TEXT', time: true, from: 's3:ListBuckets', description: 'when the bucket was created (ISO-8601 UTC)' },
  { name: 'versioning_status', type: 'TEXT', from: 's3:GetBucketVersioning', description: 'Enabled, Suspended, or Disabled when versioning was never turned on' },
  { name: 'mfa_delete', type: 'TEXT', from: 's3:GetBucketVersioning', description: 'Enabled or Disabled: whether deleting versions needs MFA' },
  { name: 'sse_algorithm', type: 'TEXT', from: 's3:GetBucketEncryption', description: 'default encryption: AES256, aws:kms or aws:kms:dsse; null when no default encryption is configured' },
  { name: 'kms_key_id', type: 'TEXT', from: 's3:GetBucketEncryption', description: 'KMS key of SSE-KMS default encryption; null for SSE-S3 or the AWS-managed key' },
  { name: 'bucket_key_enabled', type: 'INTEGER', boolean: true, from: 's3:GetBucketEncryption', description: '1 when an S3 Bucket Key reduces KMS calls for SSE-KMS' },
  { name: 'block_public_acls', type: 'INTEGER', boolean: true, from: 's3:GetPublicAccessBlock', description: "bucket's public access block: reject public ACLs (0 without a bucket-level block)" },
  { name: 'ignore_public_acls', type: 'INTEGER', boolean: true, from: 's3:GetPublicAccessBlock', description: "bucket's public access block: ignore public ACLs (0 without a bucket-level block)" },
  { name: 'block_public_policy', type: 'INTEGER', boolean: true, from: 's3:GetPublicAccessBlock', description: "bucket's public access block: reject public bucket policies (0 without a bucket-level block)" },
  { name: 'restrict_public_buckets', type: 'INTEGER', boolean: true, from: 's3:GetPublicAccessBlock', description: "bucket's public access block: restrict access under a public policy (0 without a bucket-level block)" },
  { name: 'policy_is_public', type: 'INTEGER', boolean: true, from: 's3:GetBucketPolicyStatus', description: '1 when the bucket policy makes the bucket public; 0 without a policy' },
  { name: 'has_policy', type: 'INTEGER', boolean: true, from: 's3:GetBucketPolicy', description: '1 when the bucket has a bucket policy' },
  { name: 'policy', type: 'TEXT', json: true, from: 's3:GetBucketPolicy', description: 'bucket policy (JSON); null without one' },
  { name: 'object_ownership', type: 'TEXT', from: 's3:GetBucketOwnershipControls', description: 'BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter; null when no ownership controls are set' },
  { name: 'logging_target_bucket', type: 'TEXT', from: 's3:GetBucketLogging', description: 'bucket receiving server access logs; null when access logging is off' },
  { name: 'logging_target_prefix', type: 'TEXT', from: 's3:GetBucketLogging', description: 'key prefix of the access logs; null when access logging is off' },
  { name: 'lifecycle_rule_count', type: 'INTEGER', from: 's3:GetBucketLifecycleConfiguration', description: 'number of lifecycle rules; 0 without a lifecycle configuration' },
  { name: 'lifecycle_rules', type: 'TEXT', json: true, from: 's3:GetBucketLifecycleConfiguration', description: 'lifecycle rules as S3 returns them (JSON array); [] without a lifecycle configuration' },
  { name: 'tags', type: 'TEXT', json: true, from: 's3:GetBucketTagging', description: 'tags as a JSON object {key: value}; {} when the bucket has none' },
] as const satisfies readonly TableColumn[];

function bucketRow(item: BucketItem, ctx: TargetContext): Row<ColumnsFrom<typeof columns, 's3:ListBuckets'>> {
  // Its region, a column, could not be read: the bucket fails as an item (an error row, the slice
  // not complete). A row stored by an earlier run keeps every value, region included, rather than
  // taking a guessed region (a `modified` change that never happened) and per-bucket calls sent
  // to the wrong region.
  if (item.regionFailure !== undefined) throw item.regionFailure;
  return {
    name: item.name,
    arn: item.arn ?? `arn:${ctx.partition}:s3:::${item.name}`,
    region: item.region,
    created_at: toIsoTime(item.createdAt),
  };
}

/**
 * The page's buckets with their regions: BucketRegion where ListBuckets gave it, otherwise one
 * lookup per bucket (the page's lookups run together; the scheduler bounds them). A bucket deleted
 * since the listing is left out. One whose region lookup AWS refused or failed carries the failure
 * (see `bucketRow`); one whose endpoint tells no region at all (an emulator) is crawled in the home
 * region, where its calls fail visibly (error rows) unless it really lives there.
 */
async function withRegions(buckets: readonly Bucket[], ctx: TargetContext): Promise<BucketItem[]> {
  const resolved = await Promise.all(
    buckets.map(async (bucket): Promise<BucketItem | null> => {
      const name = bucket.Name;
      if (name === undefined || name === '') return null;
      const item = { name, arn: bucket.BucketArn ?? null, createdAt: bucket.CreationDate ?? null };
      if (bucket.BucketRegion !== undefined && bucket.BucketRegion !== '') return { ...item, region: bucket.BucketRegion };
      const lookup = await findBucketRegion(ctx.s3(ctx.homeRegion), name);
      if (lookup.status === 'gone') return null;
      if (lookup.status === 'unknown' && lookup.failure !== undefined) return { ...item, region: ctx.homeRegion, regionFailure: lookup.failure };
      if (lookup.status === 'unknown') {
        ctx.logger.warn({ bucket: name, accountId: ctx.accountId, reason: lookup.reason }, `region of bucket ${name} not found; crawling it in ${ctx.homeRegion}`);
        return { ...item, region: ctx.homeRegion };
      }
      return { ...item, region: lookup.region };
    }),
  );
  return resolved.filter((item): item is BucketItem => item !== null);
}

async function* listBuckets(ctx: TargetContext): AsyncIterable<BucketItem> {
  const client = ctx.s3(ctx.homeRegion);
  let token: string | undefined;
  do {
    const page = await client.send(new ListBucketsCommand({ MaxBuckets: PAGE_SIZE, ContinuationToken: token }));
    yield* await withRegions(page.Buckets ?? [], ctx);
    token = page.ContinuationToken === '' ? undefined : page.ContinuationToken;
  } while (token !== undefined);
}

export const s3Buckets = defineTable({
  name: 's3_buckets',
  description: 'S3 buckets of every crawled account, with versioning, encryption, public access, policy, ownership, logging, lifecycle and tags.',
  resource: 's3',
  scope: 'account',
  columns,
  primaryKey: ['account_id', 'name'],
  list: {
    call: 's3:ListBuckets',
    items: listBuckets,
    row: bucketRow,
  },
  enrich: {
    's3:GetBucketVersioning': async (item, ctx) => {
      const output = await ctx.s3(item.region).send(new GetBucketVersioningCommand({ Bucket: item.name }));
      // S3 leaves both out until versioning was first configured; spelled out so that a filter like
      // `versioning_status <> 'Enabled'` does not lose those buckets to SQL's null comparison.
      return { versioning_status: output.Status ?? 'Disabled', mfa_delete: output.MFADelete ?? 'Disabled' };
    },
    's3:GetBucketEncryption': async (item, ctx) => {
      try {
        const output = await ctx.s3(item.region).send(new GetBucketEncryptionCommand({ Bucket: item.name }));
        const rule = output.ServerSideEncryptionConfiguration?.Rules?.[0];
        if (rule === undefined) return null;
        return {
          sse_algorithm: rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? null,
          kms_key_id: rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID ?? null,
          bucket_key_enabled: toBool(rule.BucketKeyEnabled),
        };
      } catch (error) {
        // No default encryption: there is no algorithm, key or bucket-key setting to report.
        if (isAwsError(error, ['ServerSideEncryptionConfigurationNotFoundError'])) return null;
        throw error;
      }
    },
    's3:GetPublicAccessBlock': async (item, ctx) => {
      try {
        const output = await ctx.s3(item.region).send(new GetPublicAccessBlockCommand({ Bucket: item.name }));
        const block = output.PublicAccessBlockConfiguration;
        return {
          block_public_acls: toBool(block?.BlockPublicAcls ?? false),
          ignore_public_acls: toBool(block?.IgnorePublicAcls ?? false),
          block_public_policy: toBool(block?.BlockPublicPolicy ?? false),
          restrict_public_buckets: toBool(block?.RestrictPublicBuckets ?? false),
        };
      } catch (error) {
        // Without a bucket-level block each of its four settings is off (their documented default);
        // null would read as "unknown" and hide exactly the buckets worth looking at.
        if (isAwsError(error, ['NoSuchPublicAccessBlockConfiguration'])) {
          return { block_public_acls: 0, ignore_public_acls: 0, block_public_policy: 0, restrict_public_buckets: 0 };
        }
        throw error;
      }
    },
    's3:GetBucketPolicyStatus': async (item, ctx) => {
      try {
        const output = await ctx.s3(item.region).send(new GetBucketPolicyStatusCommand({ Bucket: item.name }));
        return { policy_is_public: toBool(output.PolicyStatus?.IsPublic ?? false) };
      } catch (error) {
        // A bucket without a policy cannot be public through one.
        if (isAwsError(error, ['NoSuchBucketPolicy'])) return { policy_is_public: 0 };
        throw error;
      }
    },
    's3:GetBucketPolicy': async (item, ctx) => {
      try {
        const output = await ctx.s3(item.region).send(new GetBucketPolicyCommand({ Bucket: item.name }));
        const text = output.Policy ?? '';
        if (text === '') return { has_policy: 0, policy: null };
        return { has_policy: 1, policy: jsonText(text) };
      } catch (error) {
        // "No policy" is a fact about the bucket: has_policy is 0, not unknown.
        if (isAwsError(error, ['NoSuchBucketPolicy'])) return { has_policy: 0, policy: null };
        throw error;
      }
    },
    's3:GetBucketOwnershipControls': async (item, ctx) => {
      try {
        const output = await ctx.s3(item.region).send(new GetBucketOwnershipControlsCommand({ Bucket: item.name }));
        return { object_ownership: output.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? null };
      } catch (error) {
        // No ownership controls: ACLs decide who owns objects; there is no setting to name.
        if (isAwsError(error, ['OwnershipControlsNotFoundError'])) return null;
        throw error;
      }
    },
    's3:GetBucketLogging': async (item, ctx) => {
      const output = await ctx.s3(item.region).send(new GetBucketLoggingCommand({ Bucket: item.name }));
      // Access logging off is an empty answer, not an error: both columns are null then.
      const enabled = output.LoggingEnabled;
      return { logging_target_bucket: enabled?.TargetBucket ?? null, logging_target_prefix: enabled === undefined ? null : (enabled.TargetPrefix ?? '') };
    },
    's3:GetBucketLifecycleConfiguration': async (item, ctx) => {
      try {
        const output = await ctx.s3(item.region).send(new GetBucketLifecycleConfigurationCommand({ Bucket: item.name }));
        const rules = output.Rules ?? [];
        return { lifecycle_rule_count: rules.length, lifecycle_rules: toJson(rules) };
      } catch (error) {
        // No lifecycle configuration is zero rules, which a count can say exactly.
        if (isAwsError(error, ['NoSuchLifecycleConfiguration'])) return { lifecycle_rule_count: 0, lifecycle_rules: '[]' };
        throw error;
      }
    },
    's3:GetBucketTagging': async (item, ctx) => {
      try {
        const output = await ctx.s3(item.region).send(new GetBucketTaggingCommand({ Bucket: item.name }));
        return { tags: tagsJson(output.TagSet ?? []) };
      } catch (error) {
        // S3 answers an untagged bucket with an error; it is an empty tag set, as for queues.
        if (isAwsError(error, ['NoSuchTagSet', 'NoSuchTagSetError'])) return { tags: '{}' };
        throw error;
      }
    },
  },
});
