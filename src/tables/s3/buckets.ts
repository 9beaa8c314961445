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
import type { ColumnDeclaration, EnrichStep, Row, TableDeclaration } from '../../crawl/table.js';
import { jsonText, tagsJson, toBool, toIsoTime, toJson } from '../../crawl/table.js';
import { isAwsError } from './awsError.js';
import { findBucketRegion } from './bucketRegion.js';

/** What the listing knows of a bucket, with its region settled. */
export interface BucketItem {
  name: string;
  arn: string | null;
  region: string;
  createdAt: Date | null;
}

/** Buckets per ListBuckets page; with MaxBuckets set, S3 pages with a ContinuationToken. */
const PAGE_SIZE = 1000;

const columns: readonly ColumnDeclaration[] = [
  { name: 'name', type: 'TEXT', nullable: false, description: 'bucket name' },
  { name: 'arn', type: 'TEXT', nullable: false, description: 'bucket ARN, arn:<partition>:s3:::<name>' },
  { name: 'region', type: 'TEXT', nullable: false, description: "the bucket's region (ListBuckets' BucketRegion, else HeadBucket or GetBucketLocation)" },
  { name: 'created_at', type: 'TEXT', time: true, description: 'when the bucket was created (ISO-8601 UTC)' },
  { name: 'versioning_status', type: 'TEXT', description: 'Enabled, Suspended, or Disabled when versioning was never turned on' },
  { name: 'mfa_delete', type: 'TEXT', description: 'Enabled or Disabled: whether deleting versions needs MFA' },
  { name: 'sse_algorithm', type: 'TEXT', description: 'default encryption: AES256, aws:kms or aws:kms:dsse; null when no default encryption is configured' },
  { name: 'kms_key_id', type: 'TEXT', description: 'KMS key of SSE-KMS default encryption; null for SSE-S3 or the AWS-managed key' },
  { name: 'bucket_key_enabled', type: 'INTEGER', boolean: true, description: '1 when an S3 Bucket Key reduces KMS calls for SSE-KMS' },
  { name: 'block_public_acls', type: 'INTEGER', boolean: true, description: "bucket's public access block: reject public ACLs (0 without a bucket-level block)" },
  { name: 'ignore_public_acls', type: 'INTEGER', boolean: true, description: "bucket's public access block: ignore public ACLs (0 without a bucket-level block)" },
  { name: 'block_public_policy', type: 'INTEGER', boolean: true, description: "bucket's public access block: reject public bucket policies (0 without a bucket-level block)" },
  { name: 'restrict_public_buckets', type: 'INTEGER', boolean: true, description: "bucket's public access block: restrict access under a public policy (0 without a bucket-level block)" },
  { name: 'policy_is_public', type: 'INTEGER', boolean: true, description: '1 when the bucket policy makes the bucket public; 0 without a policy' },
  { name: 'has_policy', type: 'INTEGER', boolean: true, description: '1 when the bucket has a bucket policy' },
  { name: 'policy', type: 'TEXT', json: true, description: 'bucket policy (JSON); null without one' },
  { name: 'object_ownership', type: 'TEXT', description: 'BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter; null when no ownership controls are set' },
  { name: 'logging_target_bucket', type: 'TEXT', description: 'bucket receiving server access logs; null when access logging is off' },
  { name: 'logging_target_prefix', type: 'TEXT', description: 'key prefix of the access logs; null when access logging is off' },
  { name: 'lifecycle_rule_count', type: 'INTEGER', description: 'number of lifecycle rules; 0 without a lifecycle configuration' },
  { name: 'lifecycle_rules', type: 'TEXT', json: true, description: 'lifecycle rules as S3 returns them (JSON array); [] without a lifecycle configuration' },
  { name: 'tags', type: 'TEXT', json: true, description: 'tags as a JSON object {key: value}; {} when the bucket has none' },
];

function bucketRow(item: BucketItem, ctx: TargetContext): Row {
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
 * since the listing is left out; one whose region cannot be found is crawled in the home region,
 * where its calls fail visibly (error rows) unless it really lives there.
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

const versioning: EnrichStep<BucketItem> = {
  call: 's3:GetBucketVersioning',
  columns: ['versioning_status', 'mfa_delete'],
  async run(item, ctx) {
    const output = await ctx.s3(item.region).send(new GetBucketVersioningCommand({ Bucket: item.name }));
    // S3 leaves both out until versioning was first configured; spelled out so that a filter like
    // `versioning_status <> 'Enabled'` does not lose those buckets to SQL's null comparison.
    return { versioning_status: output.Status ?? 'Disabled', mfa_delete: output.MFADelete ?? 'Disabled' };
  },
};

const encryption: EnrichStep<BucketItem> = {
  call: 's3:GetBucketEncryption',
  columns: ['sse_algorithm', 'kms_key_id', 'bucket_key_enabled'],
  async run(item, ctx) {
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
};

const publicAccessBlock: EnrichStep<BucketItem> = {
  call: 's3:GetPublicAccessBlock',
  columns: ['block_public_acls', 'ignore_public_acls', 'block_public_policy', 'restrict_public_buckets'],
  async run(item, ctx) {
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
};

const policyStatus: EnrichStep<BucketItem> = {
  call: 's3:GetBucketPolicyStatus',
  columns: ['policy_is_public'],
  async run(item, ctx) {
    try {
      const output = await ctx.s3(item.region).send(new GetBucketPolicyStatusCommand({ Bucket: item.name }));
      return { policy_is_public: toBool(output.PolicyStatus?.IsPublic ?? false) };
    } catch (error) {
      // A bucket without a policy cannot be public through one.
      if (isAwsError(error, ['NoSuchBucketPolicy'])) return { policy_is_public: 0 };
      throw error;
    }
  },
};

const policy: EnrichStep<BucketItem> = {
  call: 's3:GetBucketPolicy',
  columns: ['has_policy', 'policy'],
  async run(item, ctx) {
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
};

const ownership: EnrichStep<BucketItem> = {
  call: 's3:GetBucketOwnershipControls',
  columns: ['object_ownership'],
  async run(item, ctx) {
    try {
      const output = await ctx.s3(item.region).send(new GetBucketOwnershipControlsCommand({ Bucket: item.name }));
      return { object_ownership: output.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? null };
    } catch (error) {
      // No ownership controls: ACLs decide who owns objects; there is no setting to name.
      if (isAwsError(error, ['OwnershipControlsNotFoundError'])) return null;
      throw error;
    }
  },
};

const logging: EnrichStep<BucketItem> = {
  call: 's3:GetBucketLogging',
  columns: ['logging_target_bucket', 'logging_target_prefix'],
  async run(item, ctx) {
    const output = await ctx.s3(item.region).send(new GetBucketLoggingCommand({ Bucket: item.name }));
    // Access logging off is an empty answer, not an error: both columns are null then.
    const enabled = output.LoggingEnabled;
    return { logging_target_bucket: enabled?.TargetBucket ?? null, logging_target_prefix: enabled === undefined ? null : (enabled.TargetPrefix ?? '') };
  },
};

const lifecycle: EnrichStep<BucketItem> = {
  call: 's3:GetBucketLifecycleConfiguration',
  columns: ['lifecycle_rule_count', 'lifecycle_rules'],
  async run(item, ctx) {
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
};

const tagging: EnrichStep<BucketItem> = {
  call: 's3:GetBucketTagging',
  columns: ['tags'],
  async run(item, ctx) {
    try {
      const output = await ctx.s3(item.region).send(new GetBucketTaggingCommand({ Bucket: item.name }));
      return { tags: tagsJson(output.TagSet ?? []) };
    } catch (error) {
      // S3 answers an untagged bucket with an error; it is an empty tag set, as for queues.
      if (isAwsError(error, ['NoSuchTagSet', 'NoSuchTagSetError'])) return { tags: '{}' };
      throw error;
    }
  },
};

export const s3Buckets: TableDeclaration<BucketItem> = {
  name: 's3_buckets',
  description: 'S3 buckets of every crawled account, with versioning, encryption, public access, policy, ownership, logging, lifecycle and tags.',
  resource: 's3',
  scope: 'account',
  columns,
  primaryKey: ['account_id', 'name'],
  list: {
    call: 's3:ListBuckets',
    items: listBuckets,
    columns: ['name', 'arn', 'region', 'created_at'],
    row: bucketRow,
  },
  enrich: [versioning, encryption, publicAccessBlock, policyStatus, policy, ownership, logging, lifecycle, tagging],
};
