/**
 * What the conformance organization holds, as data: the seeding creates exactly this through
 * the AWS SDK, and the expectations are derived from it (plus the ids the emulator assigned).
 * Keys (`workloads`, `payments-prod`) name things before they have AWS ids.
 */

import type { AwsCredentialIdentity } from '@smithy/types';

/**
 * The first credentials of the seeding and of the connector: an IAM user of the management
 * account. Emulators accept any key; these are not secrets, and the connector reads the secret
 * from the environment anyway.
 */
export const FIRST_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'AKIATESTCONFORMANCE1', secretAccessKey: 'conformance-not-a-secret' };

export const HOME_REGION = 'us-east-1';
/** Regions the connector crawls; buckets live in all three, queues in the first two. */
export const CRAWLED_REGIONS = ['ap-southeast-2', 'eu-west-1', 'us-east-1'] as const;

export const EXTERNAL_ID = 'conformance-external-id-7f3a';
export const MEMBER_ROLE_NAME = 'OrganizationAccountAccessRole';
/** The two hops: a jump role in the security account, then a reader role in the management account. */
export const JUMP_ROLE = { account: 'security-tooling', name: 'InventoryJump', path: '/inventory/' } as const;
export const READER_ROLE = { account: 'management', name: 'InventoryReader', path: '/inventory/' } as const;

export type Tags = Record<string, string>;

export interface PlannedOu {
  key: string;
  name: string;
  /** `root` or the key of another OU. */
  parent: string;
  tags: Tags;
}

export interface PlannedAccount {
  key: string;
  name: string;
  email: string;
  /** `root` or an OU key. */
  parent: string;
  tags: Tags;
  /** CloseAccount after creation: the account stays in the organization, not ACTIVE. */
  closed?: boolean;
}

export type PolicyTarget = { kind: 'root' } | { kind: 'ou'; key: string } | { kind: 'account'; key: string };

export interface PlannedPolicy {
  name: string;
  type: 'SERVICE_CONTROL_POLICY' | 'TAG_POLICY';
  description: string;
  content: unknown;
  targets: PolicyTarget[];
  tags: Tags;
}

export const ROOT_TAGS: Tags = { Scope: 'organization', ManagedBy: 'platform-team' };

export const OUS: PlannedOu[] = [
  { key: 'workloads', name: 'Workloads', parent: 'root', tags: { Tier: 'workloads' } },
  { key: 'security', name: 'Security', parent: 'root', tags: { Tier: 'foundation', Owner: 'secops' } },
  { key: 'prod', name: 'Prod', parent: 'workloads', tags: { Environment: 'prod' } },
  { key: 'dev', name: 'Dev', parent: 'workloads', tags: { Environment: 'dev' } },
  { key: 'payments', name: 'Payments', parent: 'prod', tags: { CostCenter: 'cc-4410', 'Data Class': 'pci' } },
];

export const ACCOUNTS: PlannedAccount[] = [
  { key: 'security-tooling', name: 'security-tooling', email: 'aws+security-tooling@example.com', parent: 'security', tags: { Owner: 'secops', Environment: 'shared' } },
  { key: 'payments-prod', name: 'payments-prod', email: 'aws+payments-prod@example.com', parent: 'payments', tags: { Owner: 'payments', Environment: 'prod', CostCenter: 'cc-4410' } },
  { key: 'web-dev', name: 'web-dev', email: 'aws+web-dev@example.com', parent: 'dev', tags: { Owner: 'web', Environment: 'dev' } },
  { key: 'sandbox', name: 'sandbox', email: 'aws+sandbox@example.com', parent: 'root', tags: {} },
  { key: 'retired', name: 'retired-2019', email: 'aws+retired@example.com', parent: 'workloads', tags: { Lifecycle: 'closed' }, closed: true },
];

export const POLICIES: PlannedPolicy[] = [
  {
    name: 'DenyLeaveOrganization',
    type: 'SERVICE_CONTROL_POLICY',
    description: 'Member accounts cannot leave the organization',
    content: { Version: '2012-10-17', Statement: [{ Sid: 'DenyLeave', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }] },
    targets: [{ kind: 'ou', key: 'workloads' }, { kind: 'account', key: 'sandbox' }],
    tags: { Guardrail: 'baseline' },
  },
  {
    name: 'RestrictRegions',
    type: 'SERVICE_CONTROL_POLICY',
    description: 'Production runs in us-east-1 and eu-west-1 only',
    content: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyOtherRegions',
          Effect: 'Deny',
          NotAction: ['iam:*', 'organizations:*', 'sts:*'],
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } },
        },
      ],
    },
    targets: [{ kind: 'ou', key: 'prod' }],
    tags: {},
  },
  {
    name: 'CostCenterTagging',
    type: 'TAG_POLICY',
    description: 'CostCenter tag keys and values',
    content: { tags: { costcenter: { tag_key: { '@@assign': 'CostCenter' }, tag_value: { '@@assign': ['cc-4410', 'cc-5200'] } } } },
    targets: [{ kind: 'root' }],
    tags: { Owner: 'finops' },
  },
];

export const DELEGATED_ADMINISTRATORS = [
  { account: 'security-tooling', servicePrincipal: 'guardduty.amazonaws.com' },
  { account: 'security-tooling', servicePrincipal: 'access-analyzer.amazonaws.com' },
] as const;

export interface PlannedQueue {
  account: string;
  region: string;
  name: string;
  /** Attributes as CreateQueue takes them; `arn(name)` builds a queue ARN in the same account and region. */
  attributes: (arn: (queueName: string) => string) => Record<string, string>;
  tags: Tags;
  /** Messages to send: visible ones, and ones delayed by 15 minutes (so they stay delayed during the run). */
  messages?: { visible: number; delayed: number };
}

export const QUEUES: PlannedQueue[] = [
  {
    account: 'payments-prod',
    region: 'us-east-1',
    name: 'payments-orders-dlq',
    attributes: (arn) => ({
      MessageRetentionPeriod: '1209600',
      RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [arn('payments-orders')] }),
    }),
    tags: { Role: 'dead-letter' },
    messages: { visible: 3, delayed: 0 },
  },
  {
    account: 'payments-prod',
    region: 'us-east-1',
    name: 'payments-orders',
    attributes: (arn) => ({
      VisibilityTimeout: '45',
      MessageRetentionPeriod: '86400',
      MaximumMessageSize: '65536',
      DelaySeconds: '5',
      ReceiveMessageWaitTimeSeconds: '10',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('payments-orders-dlq'), maxReceiveCount: 4 }),
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'OrdersProducer', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sqs:SendMessage', Resource: arn('payments-orders') }],
      }),
    }),
    tags: { Role: 'source', Team: 'payments' },
    messages: { visible: 0, delayed: 1 },
  },
  {
    account: 'payments-prod',
    region: 'us-east-1',
    name: 'payments-settlement.fifo',
    attributes: () => ({
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      KmsMasterKeyId: 'alias/aws/sqs',
      KmsDataKeyReusePeriodSeconds: '600',
    }),
    tags: { Team: 'payments', Ordering: 'strict' },
  },
  {
    account: 'web-dev',
    region: 'eu-west-1',
    name: 'web-events',
    attributes: () => ({ SqsManagedSseEnabled: 'false', VisibilityTimeout: '120' }),
    tags: { Team: 'web' },
    messages: { visible: 2, delayed: 0 },
  },
  {
    account: 'security-tooling',
    region: 'us-east-1',
    name: 'security-findings',
    attributes: () => ({}),
    tags: {},
  },
];

export interface PlannedBucket {
  account: string;
  region: string;
  name: string;
  tags?: Tags;
  versioning?: 'Enabled' | 'Suspended';
  encryption?: { algorithm: 'AES256' | 'aws:kms'; kmsKeyId?: (accountId: string) => string; bucketKeyEnabled?: boolean };
  publicAccessBlock?: { BlockPublicAcls: boolean; IgnorePublicAcls: boolean; BlockPublicPolicy: boolean; RestrictPublicBuckets: boolean };
  ownership?: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
  /** Lifecycle rules in the SDK's shape. */
  lifecycleRules?: LifecycleRule[];
  logging?: { targetBucket: string; targetPrefix: string };
  policy?: (bucketArn: string) => unknown;
}

export interface LifecycleRule {
  ID: string;
  Status: 'Enabled' | 'Disabled';
  Filter: { Prefix: string };
  Expiration?: { Days: number };
  Transitions?: { Days: number; StorageClass: 'GLACIER' | 'STANDARD_IA' }[];
  NoncurrentVersionExpiration?: { NoncurrentDays: number };
  AbortIncompleteMultipartUpload?: { DaysAfterInitiation: number };
}

export const BUCKETS: PlannedBucket[] = [
  {
    account: 'payments-prod',
    region: 'us-east-1',
    name: 'conformance-payments-access-logs',
    encryption: { algorithm: 'AES256' },
    ownership: 'BucketOwnerPreferred',
    // Server access logging delivers through the logging service principal.
    policy: (arn) => ({
      Version: '2012-10-17',
      Statement: [{ Sid: 'S3ServerAccessLogs', Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: `${arn}/*` }],
    }),
  },
  {
    account: 'payments-prod',
    region: 'us-east-1',
    name: 'conformance-payments-ledger',
    tags: { Team: 'payments', 'Data Class': 'pci' },
    versioning: 'Enabled',
    encryption: { algorithm: 'aws:kms', kmsKeyId: (accountId) => `arn:aws:kms:us-east-1:${accountId}:key/3f0c7b52-6a52-4a5e-9d3b-1f2e5c6d7a8b`, bucketKeyEnabled: true },
    publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    ownership: 'BucketOwnerEnforced',
    lifecycleRules: [
      { ID: 'expire-tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 7 } },
      {
        ID: 'archive-ledger',
        Status: 'Enabled',
        Filter: { Prefix: 'ledger/' },
        Transitions: [{ Days: 90, StorageClass: 'GLACIER' }],
        NoncurrentVersionExpiration: { NoncurrentDays: 365 },
      },
    ],
    logging: { targetBucket: 'conformance-payments-access-logs', targetPrefix: 'ledger/' },
    policy: (arn) => ({
      Version: '2012-10-17',
      Statement: [{ Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn, `${arn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
    }),
  },
  {
    account: 'web-dev',
    region: 'eu-west-1',
    name: 'conformance-web-assets-eu',
    tags: { Team: 'web' },
    versioning: 'Suspended',
    encryption: { algorithm: 'AES256', bucketKeyEnabled: false },
    publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
    ownership: 'ObjectWriter',
    policy: (arn) => ({ Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${arn}/*` }] }),
  },
  {
    account: 'web-dev',
    region: 'ap-southeast-2',
    name: 'conformance-web-archive-apse2',
    tags: { Team: 'web', Retention: 'long' },
    encryption: { algorithm: 'AES256' },
    publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    lifecycleRules: [{ ID: 'abort-uploads', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 } }],
  },
  // Nothing configured: every optional column comes out null, not an error.
  { account: 'security-tooling', region: 'eu-west-1', name: 'conformance-security-bare' },
];
