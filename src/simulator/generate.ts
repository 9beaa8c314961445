/**
 * Builds a deterministic simulated organization from a seed: an OU tree, accounts in every
 * state, tags, SCPs and tag policies, a delegated administrator, roles, and queues and buckets
 * whose settings cover every column the inventory reads (including each setting being absent).
 */
import { createPrng, randomDigits, randomString, randomUpper } from './prng.js';
import { DEFAULT_EXTERNAL_ID } from './options.js';
import type { ChainRoleOptions } from './options.js';
import { SimulatedOrganization } from './organization.js';
import type { SimAccount, SimBucket, SimPolicy, SimQueue, SimRole, SimTag } from './organization.js';

export interface GenerateOptions {
  seed: number;
  accounts: number;
  ouDepth: number;
  ouBreadth: number;
  queuesPerAccount: number;
  bucketsPerAccount: number;
  regions: string[];
  /** The configured role chain; empty ⇒ the default `InventoryReader` in the management account. */
  roles: ChainRoleOptions[];
}

export const MEMBER_ROLE_NAME = 'OrganizationAccountAccessRole';
export const DEFAULT_CHAIN_ROLE_NAME = 'InventoryReader';

const OU_NAMES = ['Workloads', 'Security', 'Infrastructure', 'Sandbox', 'Shared', 'Suspended', 'Policy', 'Deployments'];
const OU_SUBNAMES = ['Prod', 'NonProd', 'Dev', 'Test', 'Staging', 'Data', 'Apps', 'Edge'];
const TEAMS = ['payments', 'identity', 'search', 'platform', 'analytics', 'mobile'];
/** Fixed base time so that generated timestamps do not depend on when the simulator starts. */
const BASE_TIME_MS = Date.UTC(2023, 0, 15, 9, 30, 0);
const DAY_MS = 86_400_000;

export function generateOrganization(options: GenerateOptions): SimulatedOrganization {
  const random = createPrng(options.seed);
  const usedAccountIds = new Set<string>();
  const accountId = (): string => {
    for (;;) {
      const id = String(1 + Math.floor(random() * 9)) + randomDigits(random, 11);
      if (!usedAccountIds.has(id)) {
        usedAccountIds.add(id);
        return id;
      }
    }
  };
  const managementAccountId = accountId();
  const identityAccountId = accountId();
  const organizationId = `o-${randomString(random, 10)}`;
  const rootId = `r-${randomString(random, 4)}`;
  const orgArn = (kind: string, id: string): string => `arn:aws:organizations::${managementAccountId}:${kind}/${organizationId}/${id}`;

  const org = new SimulatedOrganization(
    {
      organizationId,
      managementAccountId,
      managementAccountEmail: 'aws-management@example.com',
      managementAccountName: 'Management',
      identityAccountId,
      featureSet: 'ALL',
    },
    {
      id: rootId,
      arn: orgArn('root', rootId),
      name: 'Root',
      tags: [
        { Key: 'Owner', Value: 'cloud-platform' },
        { Key: 'DataClassification', Value: 'internal' },
      ],
      policyTypes: [
        { Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' },
        { Type: 'TAG_POLICY', Status: 'ENABLED' },
      ],
    },
  );

  // OU tree, breadth-first so that ids and names read in level order.
  const parents: string[] = [rootId];
  let level: { id: string; path: string }[] = [{ id: rootId, path: '' }];
  for (let depth = 1; depth <= options.ouDepth; depth++) {
    const next: { id: string; path: string }[] = [];
    for (const parent of level) {
      for (let b = 0; b < options.ouBreadth; b++) {
        const id = `ou-${rootId.slice(2)}-${randomString(random, 8)}`;
        const base = depth === 1 ? OU_NAMES[b % OU_NAMES.length] : OU_SUBNAMES[b % OU_SUBNAMES.length];
        const name = b < 8 ? `${base}` : `${base}${Math.floor(b / 8) + 1}`;
        const tags: SimTag[] = b % 3 === 2 ? [] : [{ Key: 'CostCenter', Value: `cc-${1000 + depth * 100 + b}` }];
        if (b % 3 === 0) tags.push({ Key: 'Level', Value: String(depth) });
        org.addOrganizationalUnit({ id, arn: orgArn('ou', id), name, parentId: parent.id, tags });
        parents.push(id);
        next.push({ id, path: `${parent.path}/${name}` });
      }
    }
    level = next;
  }

  // The management account sits under the root, like most real organizations.
  org.addAccount({
    id: managementAccountId,
    arn: orgArn('account', managementAccountId),
    name: 'Management',
    email: 'aws-management@example.com',
    state: 'ACTIVE',
    joinedMethod: 'CREATED',
    joinedTimestamp: BASE_TIME_MS - 900 * DAY_MS,
    parentId: rootId,
    tags: [{ Key: 'Role', Value: 'management' }],
  });
  const members: SimAccount[] = [];
  for (let i = 1; i <= options.accounts; i++) {
    const id = accountId();
    const number = String(i).padStart(4, '0');
    // Accounts spread over every parent, the root included, deepest OUs last.
    const parentId = parents[i % parents.length] ?? rootId;
    const state = i % 17 === 0 ? 'SUSPENDED' : i % 41 === 0 ? 'PENDING_CLOSURE' : 'ACTIVE';
    const team = TEAMS[i % TEAMS.length] ?? 'platform';
    const tags: SimTag[] = i % 4 === 3 ? [] : [{ Key: 'Team', Value: team }, { Key: 'Environment', Value: i % 2 ? 'prod' : 'dev' }];
    const account: SimAccount = {
      id,
      arn: orgArn('account', id),
      name: `sim-${team}-${number}`,
      email: `aws+sim-${number}@example.com`,
      state,
      joinedMethod: i % 5 === 0 ? 'INVITED' : 'CREATED',
      joinedTimestamp: BASE_TIME_MS - (i % 700) * DAY_MS + i * 1000,
      parentId,
      tags,
    };
    org.addAccount(account);
    members.push(account);
  }

  addPolicies(org, members, random);

  const delegated = members.find((a) => a.state === 'ACTIVE');
  if (delegated) {
    org.delegatedAdministrators.push(
      { accountId: delegated.id, servicePrincipal: 'securityhub.amazonaws.com', delegationEnabledDate: BASE_TIME_MS + 10 * DAY_MS },
      { accountId: delegated.id, servicePrincipal: 'guardduty.amazonaws.com', delegationEnabledDate: BASE_TIME_MS + 12 * DAY_MS },
    );
  }

  addRoles(org, options.roles, members, random);

  for (const account of [org.accounts.get(managementAccountId), ...members]) {
    if (!account) continue;
    for (let q = 0; q < options.queuesPerAccount; q++) addGeneratedQueue(org, account.id, options.regions, q, options.queuesPerAccount);
    for (let b = 0; b < options.bucketsPerAccount; b++) addGeneratedBucket(org, account.id, options.regions, b);
  }
  return org;
}

function addPolicies(org: SimulatedOrganization, members: SimAccount[], random: () => number): void {
  const policyArn = (type: string, id: string): string =>
    `arn:aws:organizations::${org.managementAccountId}:policy/${org.organizationId}/${type.toLowerCase()}/${id}`;
  const ous = [...org.organizationalUnits.values()];
  const add = (policy: Omit<SimPolicy, 'arn'> & { arn?: string }): void => {
    org.policies.set(policy.id, { ...policy, arn: policy.arn ?? policyArn(policy.type, policy.id) });
  };
  // Like AWS: FullAWSAccess is attached to every root, OU and account when SCPs are enabled.
  add({
    id: 'p-FullAWSAccess',
    arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
    name: 'FullAWSAccess',
    description: 'Allows access to every operation',
    type: 'SERVICE_CONTROL_POLICY',
    awsManaged: true,
    content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
    targets: [org.root.id, ...ous.map((o) => o.id), ...org.allAccounts().map((a) => a.id)],
  });
  add({
    id: `p-${randomString(random, 8)}`,
    name: 'DenyLeaveOrganization',
    description: 'Member accounts cannot leave the organization',
    type: 'SERVICE_CONTROL_POLICY',
    awsManaged: false,
    content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }] }),
    targets: [org.root.id],
  });
  add({
    id: `p-${randomString(random, 8)}`,
    name: 'RestrictRegions',
    description: 'Only the approved regions',
    type: 'SERVICE_CONTROL_POLICY',
    awsManaged: false,
    content: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          NotAction: ['iam:*', 'organizations:*', 'sts:*'],
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1', 'ap-southeast-2'] } },
        },
      ],
    }),
    targets: ous.filter((_, i) => i % 2 === 0).map((o) => o.id),
  });
  add({
    id: `p-${randomString(random, 8)}`,
    name: 'DenyPublicS3',
    description: 'No public bucket policies',
    type: 'SERVICE_CONTROL_POLICY',
    awsManaged: false,
    content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:PutBucketPublicAccessBlock', Resource: '*' }] }),
    targets: members.filter((_, i) => i % 3 === 0).map((a) => a.id),
  });
  add({
    id: `p-${randomString(random, 8)}`,
    name: 'Unattached',
    description: 'Drafted, not yet attached',
    type: 'SERVICE_CONTROL_POLICY',
    awsManaged: false,
    content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ec2:*', Resource: '*' }] }),
    targets: [],
  });
  add({
    id: `p-${randomString(random, 8)}`,
    name: 'CostCenterTags',
    description: 'CostCenter tag values',
    type: 'TAG_POLICY',
    awsManaged: false,
    content: JSON.stringify({ tags: { costcenter: { tag_key: { '@@assign': 'CostCenter' }, tag_value: { '@@assign': ['cc-*'] } } } }),
    targets: [org.root.id, ...ous.slice(0, 1).map((o) => o.id)],
  });
}

function addRoles(org: SimulatedOrganization, chain: ChainRoleOptions[], members: SimAccount[], random: () => number): void {
  const roleId = (): string => `AROA${randomUpper(random, 17)}`;
  const configured: ChainRoleOptions[] =
    chain.length > 0
      ? chain
      : [{ arn: `arn:aws:iam::${org.managementAccountId}:role/${DEFAULT_CHAIN_ROLE_NAME}`, externalId: DEFAULT_EXTERNAL_ID }];
  let previousAccount = org.identityAccountId;
  for (const role of configured) {
    const match = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(role.arn);
    if (!match?.[1] || !match[2]) throw new Error(`roles: ${role.arn} is not an IAM role ARN`);
    const sim: SimRole = {
      arn: role.arn,
      accountId: match[1],
      name: match[2],
      roleId: roleId(),
      trustedAccounts: role.trustedAccounts ?? [previousAccount],
      maxSessionDurationSeconds: role.maxSessionDurationSeconds ?? 43_200,
      chainRole: true,
    };
    if (role.externalId !== undefined) sim.externalId = role.externalId;
    if (role.webIdentityAudience !== undefined) sim.webIdentityAudience = role.webIdentityAudience;
    org.addRole(sim);
    previousAccount = sim.accountId;
  }
  for (const account of members) {
    org.addRole({
      arn: `arn:aws:iam::${account.id}:role/${MEMBER_ROLE_NAME}`,
      accountId: account.id,
      name: MEMBER_ROLE_NAME,
      roleId: roleId(),
      trustedAccounts: [org.managementAccountId],
      maxSessionDurationSeconds: 3600,
      chainRole: false,
    });
  }
}

/**
 * Eight queue profiles (plain, dead-letter queue, redriven to it with KMS, FIFO with and without
 * deduplication settings, policy and non-default attributes, SSE off, customer KMS key), rotated
 * by region; nine queues over three regions cover every attribute.
 */
export function addGeneratedQueue(org: SimulatedOrganization, accountId: string, regions: readonly string[], index: number, total: number): SimQueue {
  const region = regions[index % regions.length] ?? 'us-east-1';
  // Per-region ordinal: related queues (a queue and its dead-letter queue) share a region.
  const k = Math.floor(index / regions.length);
  const width = Math.max(4, String(total).length);
  const base = `queue-${String(k).padStart(width, '0')}`;
  const arnOf = (name: string): string => `arn:aws:sqs:${region}:${accountId}:${name}`;
  const nameOf = (ordinal: number, profile: number): string => `queue-${String(ordinal).padStart(width, '0')}${profile === 1 ? '-dlq' : profile === 3 || profile === 4 ? '.fifo' : ''}`;
  // Profiles rotate by region so that even a few queues per region cover every column.
  const profile = (k + 3 * (index % regions.length)) % 8;
  const created = Math.floor(BASE_TIME_MS / 1000) - ((k * 7919 + index) % 400) * 86_400;
  const attributes: Record<string, string> = {};
  let tags: Record<string, string> = { team: TEAMS[k % TEAMS.length] ?? 'platform', env: k % 2 ? 'prod' : 'dev' };
  let name = base;
  let fifo = false;
  switch (profile) {
    case 0:
      tags = {};
      break;
    case 1:
      name = nameOf(k, 1);
      attributes.RedriveAllowPolicy = JSON.stringify({ redrivePermission: 'allowAll' });
      attributes.MessageRetentionPeriod = '1209600';
      break;
    case 2:
      if (k >= 1) attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arnOf(nameOf(k - 1, 1)), maxReceiveCount: 5 });
      attributes.VisibilityTimeout = '120';
      attributes.SqsManagedSseEnabled = 'false';
      attributes.KmsMasterKeyId = 'alias/aws/sqs';
      attributes.KmsDataKeyReusePeriodSeconds = '600';
      break;
    case 3:
      name = nameOf(k, 3);
      fifo = true;
      attributes.FifoQueue = 'true';
      attributes.ContentBasedDeduplication = 'true';
      attributes.DeduplicationScope = 'messageGroup';
      attributes.FifoThroughputLimit = 'perMessageGroupId';
      break;
    case 4:
      name = nameOf(k, 4);
      fifo = true;
      attributes.FifoQueue = 'true';
      tags = {};
      break;
    case 5:
      attributes.DelaySeconds = '10';
      attributes.ReceiveMessageWaitTimeSeconds = '20';
      attributes.MaximumMessageSize = '1024';
      attributes.MessageRetentionPeriod = '86400';
      attributes.Policy = JSON.stringify({
        Version: '2012-10-17',
        Id: `${arnOf(base)}/SQSDefaultPolicy`,
        Statement: [
          {
            Sid: 'AllowSns',
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: arnOf(base),
            Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:sns:${region}:${accountId}:events` } },
          },
        ],
      });
      attributes.RedriveAllowPolicy =
        k >= 3 ? JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [arnOf(nameOf(k - 3, 2))] }) : JSON.stringify({ redrivePermission: 'denyAll' });
      break;
    case 6:
      attributes.SqsManagedSseEnabled = 'false';
      tags = {};
      break;
    case 7:
      if (k >= 6) attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arnOf(nameOf(k - 6, 1)), maxReceiveCount: 3 });
      attributes.KmsMasterKeyId = `arn:aws:kms:${region}:${accountId}:key/${fakeUuid(accountId, k)}`;
      attributes.KmsDataKeyReusePeriodSeconds = '300';
      attributes.SqsManagedSseEnabled = 'false';
      break;
  }
  return org.addQueue({
    name,
    accountId,
    region,
    fifo,
    createdTimestamp: created,
    lastModifiedTimestamp: profile % 2 ? created + 3600 * ((k % 50) + 1) : created,
    attributes,
    tags,
    backlog: { visible: (k * 37) % 500, notVisible: (k * 11) % 7, delayed: profile === 5 ? k % 3 : 0 },
    messages: [],
  });
}

/** The pattern repeats every 6 buckets; profile 1 has every setting absent. */
export function addGeneratedBucket(org: SimulatedOrganization, accountId: string, regions: readonly string[], index: number): SimBucket {
  const region = regions[index % regions.length] ?? 'us-east-1';
  const name = `sim-${accountId}-${region}-${String(index).padStart(3, '0')}`;
  const profile = index % 6;
  const bucket: SimBucket = { name, accountId, region, creationDate: BASE_TIME_MS - ((index * 13) % 300) * DAY_MS + index * 60_000 };
  const logsBucket = `sim-${accountId}-${regions[0] ?? 'us-east-1'}-000`;
  const kmsKey = `arn:aws:kms:${region}:${accountId}:key/${fakeUuid(accountId, index + 1000)}`;
  const allBlocked = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };
  switch (profile) {
    case 0:
      bucket.versioning = { status: 'Enabled' };
      bucket.encryption = { algorithm: 'AES256', bucketKeyEnabled: false };
      bucket.publicAccessBlock = allBlocked;
      bucket.objectOwnership = 'BucketOwnerEnforced';
      bucket.lifecycle = [{ id: 'expire-tmp', prefix: 'tmp/', status: 'Enabled', expirationDays: 7 }];
      bucket.tags = [{ Key: 'team', Value: TEAMS[index % TEAMS.length] ?? 'platform' }, { Key: 'purpose', Value: 'logs' }];
      break;
    case 1:
      break;
    case 2:
      bucket.versioning = { status: 'Suspended' };
      bucket.encryption = { algorithm: 'aws:kms', kmsKeyId: kmsKey, bucketKeyEnabled: true };
      bucket.publicAccessBlock = { blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: false };
      bucket.policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*` }],
      });
      bucket.objectOwnership = 'ObjectWriter';
      bucket.logging = { targetBucket: logsBucket, targetPrefix: `access/${name}/` };
      bucket.tags = [{ Key: 'public', Value: 'true' }];
      break;
    case 3:
      bucket.versioning = { status: 'Enabled', mfaDelete: 'Enabled' };
      bucket.encryption = { algorithm: 'AES256', bucketKeyEnabled: false };
      bucket.publicAccessBlock = allBlocked;
      bucket.policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AccountRead', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*` },
        ],
      });
      bucket.objectOwnership = 'BucketOwnerPreferred';
      bucket.lifecycle = [
        { id: 'archive', prefix: 'data/', status: 'Enabled', transitionDays: 30, transitionStorageClass: 'GLACIER', noncurrentExpirationDays: 90 },
        { id: 'multipart', prefix: '', status: 'Disabled', abortIncompleteMultipartDays: 3 },
      ];
      break;
    case 4:
      bucket.encryption = { algorithm: 'aws:kms', kmsKeyId: kmsKey, bucketKeyEnabled: false };
      bucket.logging = { targetBucket: logsBucket, targetPrefix: '' };
      bucket.tags = [{ Key: 'team', Value: TEAMS[(index + 1) % TEAMS.length] ?? 'platform' }];
      break;
    case 5:
      bucket.encryption = { algorithm: 'AES256', bucketKeyEnabled: true };
      bucket.publicAccessBlock = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false };
      bucket.objectOwnership = 'BucketOwnerPreferred';
      bucket.lifecycle = [{ id: 'expire-all', prefix: '', status: 'Enabled', expirationDays: 365 }];
      break;
  }
  return org.addBucket(bucket);
}

function fakeUuid(accountId: string, n: number): string {
  const hex = (BigInt(accountId) * 1_000_003n + BigInt(n) * 7_919n).toString(16).padStart(32, '0').slice(-32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
