/**
 * What the connector's tables must hold after crawling the seeded organization: AWS's semantics
 * first (what the same seeding would give in AWS, per its API reference), then the documented
 * places where moto answers differently, each with its reason. The connector is checked against
 * moto's answers; the deviations list says exactly where those are not AWS's.
 */
import { json, jsonContaining, timeWithin } from './rowExpectations.js';
import type { Cell, ExpectedRow, TableExpectation } from './rowExpectations.js';
import type { SeededAccount, SeededBucket, SeededOrganization, SeededQueue } from './seedOrganization.js';

/** Where moto's answer differs from AWS's for the same seeding. */
export interface EmulatorDeviation {
  table: string;
  /** Primary key values joined by `/`. */
  key: string;
  column: string;
  aws: Cell;
  emulator: Cell;
  why: string;
}

export function expectedInventory(seeded: SeededOrganization): TableExpectation[] {
  const { start, end } = seeded.window;
  const during = timeWithin(start, end);
  const root = seeded.root;
  const nameOfTarget = (id: string): { name: string; arn: string } => {
    if (id === root.id) return { name: root.name, arn: root.arn };
    const ou = seeded.ous.find((o) => o.id === id);
    if (ou) return { name: ou.name, arn: ou.arn };
    const account = seeded.accounts.find((a) => a.id === id);
    if (account) return { name: account.name, arn: account.arn };
    throw new Error(`policy target ${id} was not seeded`);
  };
  const accountName = (id: string) => seeded.accounts.find((a) => a.id === id)?.name ?? null;

  return [
    {
      table: 'organization',
      primaryKey: ['id'],
      columns: ['id', 'arn', 'feature_set', 'management_account_id', 'management_account_arn', 'management_account_email'],
      rows: [
        {
          id: seeded.organization.id,
          arn: seeded.organization.arn,
          feature_set: seeded.organization.featureSet,
          management_account_id: seeded.organization.managementAccountId,
          management_account_arn: seeded.organization.managementAccountArn,
          management_account_email: seeded.organization.managementAccountEmail,
        },
      ],
    },
    {
      table: 'organization_roots',
      primaryKey: ['id'],
      columns: ['id', 'arn', 'name', 'policy_types', 'tags'],
      rows: [
        {
          id: root.id,
          arn: root.arn,
          name: root.name,
          policy_types: json([...root.policyTypes].sort().map((type) => ({ status: 'ENABLED', type }))),
          tags: json(root.tags),
        },
      ],
    },
    {
      table: 'organizational_units',
      primaryKey: ['id'],
      columns: ['id', 'arn', 'name', 'parent_id', 'path_ids', 'path_names', 'depth', 'tags'],
      rows: seeded.ous.map((ou) => ({
        id: ou.id,
        arn: ou.arn,
        name: ou.name,
        parent_id: ou.parentId,
        path_ids: ou.pathIds,
        path_names: ou.pathNames,
        depth: ou.depth,
        tags: json(ou.tags),
      })),
    },
    {
      table: 'accounts',
      primaryKey: ['id'],
      columns: [
        'id', 'arn', 'name', 'email', 'state', 'status', 'joined_method', 'joined_timestamp', 'parent_id',
        'ou_path_ids', 'ou_path_names', 'is_management_account', 'tags', 'crawl_status',
      ],
      rows: seeded.accounts.map((account) => accountRow(account, during)),
    },
    {
      table: 'policies',
      primaryKey: ['id'],
      columns: ['id', 'arn', 'name', 'type', 'aws_managed', 'description', 'content'],
      rows: seeded.policies.map((policy) => ({
        id: policy.id,
        arn: policy.arn,
        name: policy.name,
        type: policy.type,
        aws_managed: policy.awsManaged ? 1 : 0,
        description: policy.description,
        content: json(policy.content),
      })),
    },
    {
      table: 'policy_targets',
      primaryKey: ['policy_id', 'target_id'],
      columns: ['policy_id', 'target_id', 'target_type', 'target_name', 'target_arn'],
      rows: seeded.policies.flatMap((policy) =>
        policy.targets.map((target) => ({
          policy_id: policy.id,
          target_id: target.targetId,
          target_type: target.targetType,
          target_name: nameOfTarget(target.targetId).name,
          target_arn: nameOfTarget(target.targetId).arn,
        })),
      ),
    },
    {
      table: 'delegated_administrators',
      primaryKey: ['account_id', 'service_principal'],
      columns: ['account_id', 'account_name', 'service_principal', 'delegation_enabled_date', 'administrator_since'],
      rows: seeded.delegatedAdministrators.map((d) => ({
        account_id: d.accountId,
        account_name: accountName(d.accountId),
        service_principal: d.servicePrincipal,
        delegation_enabled_date: during,
        administrator_since: during,
      })),
    },
    {
      table: 'sqs_queues',
      primaryKey: ['account_id', 'region', 'name'],
      columns: [
        'partition', 'account_id', 'region', 'name', 'url', 'arn', 'fifo', 'content_based_deduplication', 'deduplication_scope',
        'fifo_throughput_limit', 'visibility_timeout_seconds', 'message_retention_seconds', 'maximum_message_size', 'delay_seconds',
        'receive_message_wait_time_seconds', 'approximate_number_of_messages', 'approximate_number_of_messages_not_visible',
        'approximate_number_of_messages_delayed', 'created_at', 'last_modified_at', 'sqs_managed_sse_enabled', 'kms_master_key_id',
        'kms_data_key_reuse_period_seconds', 'dead_letter_target_arn', 'max_receive_count', 'redrive_allow_policy', 'policy', 'tags',
      ],
      rows: seeded.queues.map((queue) => queueRow(queue, during)),
    },
    {
      table: 's3_buckets',
      primaryKey: ['account_id', 'name'],
      columns: [
        'partition', 'account_id', 'name', 'arn', 'region', 'created_at', 'versioning_status', 'mfa_delete', 'sse_algorithm', 'kms_key_id',
        'bucket_key_enabled', 'block_public_acls', 'ignore_public_acls', 'block_public_policy', 'restrict_public_buckets',
        'policy_is_public', 'has_policy', 'policy', 'object_ownership', 'logging_target_bucket', 'logging_target_prefix',
        'lifecycle_rule_count', 'lifecycle_rules', 'tags',
      ],
      rows: seeded.buckets.map((bucket) => bucketRow(bucket, during)),
    },
  ];
}

function accountRow(account: SeededAccount, during: ExpectedRow[string]): ExpectedRow {
  return {
    id: account.id,
    arn: account.arn,
    name: account.name,
    email: account.email,
    state: account.state,
    status: account.status,
    joined_method: account.joinedMethod,
    joined_timestamp: during,
    parent_id: account.parentId,
    ou_path_ids: account.ouPathIds,
    ou_path_names: account.ouPathNames,
    is_management_account: account.isManagement ? 1 : 0,
    tags: json(account.tags),
    // Accounts that are not ACTIVE stay in the table but are not crawled for resources.
    crawl_status: account.state === 'ACTIVE' ? 'crawled' : 'skipped-inactive',
  };
}

/** Attribute values as GetQueueAttributes reports them in AWS, defaults included (SQS developer guide). */
function queueRow(queue: SeededQueue, during: ExpectedRow[string]): ExpectedRow {
  const a = queue.attributes;
  const fifo = a.FifoQueue === 'true';
  const kms = a.KmsMasterKeyId !== undefined;
  const redrive = a.RedrivePolicy === undefined ? null : (JSON.parse(a.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number });
  const int = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
  return {
    partition: 'aws',
    account_id: queue.accountId,
    region: queue.region,
    name: queue.name,
    // AWS's URL for the queue, whatever host the emulator put in the one it answered.
    url: `https://sqs.${queue.region}.amazonaws.com/${queue.accountId}/${queue.name}`,
    arn: queue.arn,
    fifo: fifo ? 1 : 0,
    content_based_deduplication: fifo ? (a.ContentBasedDeduplication === 'true' ? 1 : 0) : null,
    deduplication_scope: fifo ? (a.DeduplicationScope ?? 'queue') : null,
    fifo_throughput_limit: fifo ? (a.FifoThroughputLimit ?? 'perQueue') : null,
    visibility_timeout_seconds: int(a.VisibilityTimeout, 30),
    message_retention_seconds: int(a.MessageRetentionPeriod, 345600),
    // 1 MiB has been the default (and the maximum) since August 2025.
    maximum_message_size: int(a.MaximumMessageSize, 1048576),
    delay_seconds: int(a.DelaySeconds, 0),
    receive_message_wait_time_seconds: int(a.ReceiveMessageWaitTimeSeconds, 0),
    approximate_number_of_messages: queue.messages.visible,
    approximate_number_of_messages_not_visible: 0,
    approximate_number_of_messages_delayed: queue.messages.delayed,
    created_at: during,
    last_modified_at: during,
    // SSE-SQS is on by default for new queues; a KMS key replaces it.
    sqs_managed_sse_enabled: kms ? 0 : a.SqsManagedSseEnabled === 'false' ? 0 : 1,
    kms_master_key_id: a.KmsMasterKeyId ?? null,
    kms_data_key_reuse_period_seconds: kms ? int(a.KmsDataKeyReusePeriodSeconds, 300) : null,
    dead_letter_target_arn: redrive?.deadLetterTargetArn ?? null,
    max_receive_count: redrive?.maxReceiveCount ?? null,
    redrive_allow_policy: a.RedriveAllowPolicy === undefined ? null : json(JSON.parse(a.RedriveAllowPolicy)),
    policy: a.Policy === undefined ? null : json(JSON.parse(a.Policy)),
    tags: json(queue.tags),
  };
}

/** Bucket settings as S3 reports them in AWS, including the defaults of buckets created since 2023. */
function bucketRow(bucket: SeededBucket, during: ExpectedRow[string]): ExpectedRow {
  const plan = bucket.plan;
  const block = plan.publicAccessBlock ?? { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
  const encryption = plan.encryption ?? { algorithm: 'AES256' as const };
  const bool = (value: boolean) => (value ? 1 : 0);
  return {
    partition: 'aws',
    account_id: bucket.accountId,
    name: bucket.name,
    arn: `arn:aws:s3:::${bucket.name}`,
    region: bucket.region,
    created_at: during,
    versioning_status: plan.versioning ?? 'Disabled',
    mfa_delete: 'Disabled',
    // Since January 2023 every bucket has SSE-S3 default encryption unless told otherwise.
    sse_algorithm: encryption.algorithm,
    kms_key_id: bucket.kmsKeyId,
    bucket_key_enabled: bool(encryption.bucketKeyEnabled ?? false),
    // Since April 2023 new buckets block public access and enforce bucket-owner ownership.
    block_public_acls: bool(block.BlockPublicAcls),
    ignore_public_acls: bool(block.IgnorePublicAcls),
    block_public_policy: bool(block.BlockPublicPolicy),
    restrict_public_buckets: bool(block.RestrictPublicBuckets),
    policy_is_public: bool(isPublicPolicy(bucket.policy)),
    has_policy: bool(bucket.policy !== null),
    policy: bucket.policy === null ? null : json(bucket.policy),
    object_ownership: plan.ownership ?? 'BucketOwnerEnforced',
    logging_target_bucket: plan.logging?.targetBucket ?? null,
    logging_target_prefix: plan.logging?.targetPrefix ?? null,
    lifecycle_rule_count: plan.lifecycleRules?.length ?? 0,
    lifecycle_rules: jsonContaining(plan.lifecycleRules ?? []),
    tags: json(plan.tags ?? {}),
  };
}

/** S3's rule for the policies seeded here: an unconditioned Allow to Principal "*" is public. */
function isPublicPolicy(policy: unknown): boolean {
  const statements = (policy as { Statement?: { Effect?: string; Principal?: unknown; Condition?: unknown }[] } | null)?.Statement ?? [];
  return statements.some((s) => s.Effect === 'Allow' && (s.Principal === '*' || (s.Principal as { AWS?: unknown } | undefined)?.AWS === '*') && s.Condition === undefined);
}

/** Replaces AWS's expected value by the emulator's where a deviation is documented. */
export function applyDeviations(expectations: TableExpectation[], deviations: readonly EmulatorDeviation[]): TableExpectation[] {
  return expectations.map((expectation) => ({
    ...expectation,
    rows: expectation.rows.map((row) => {
      const key = expectation.primaryKey.map((k) => String(row[k])).join('/');
      const out = { ...row };
      for (const d of deviations) if (d.table === expectation.table && d.key === key) out[d.column] = d.emulator;
      return out;
    }),
  }));
}
