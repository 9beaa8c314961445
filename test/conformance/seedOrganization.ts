/**
 * Seeds the plan of `seedPlan.ts` into an AWS-compatible endpoint through the AWS SDK for
 * JavaScript v3, the way an administrator would: Organizations with the management account's
 * credentials, everything inside a member account with that account's
 * OrganizationAccountAccessRole credentials. Returns what was created, with the ids the
 * endpoint assigned, for the expectations.
 */
import {
  AttachPolicyCommand,
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  CreatePolicyCommand,
  DescribeCreateAccountStatusCommand,
  DescribePolicyCommand,
  EnableAWSServiceAccessCommand,
  EnablePolicyTypeCommand,
  ListAccountsCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  RegisterDelegatedAdministratorCommand,
  TagResourceCommand,
} from '@aws-sdk/client-organizations';
import type { CreateAccountStatus } from '@aws-sdk/client-organizations';
import {
  CreateBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketLoggingCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { BucketLocationConstraint } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwsCredentialIdentity } from '@smithy/types';
import { seedRoles } from './seedRoles.js';
import {
  ACCOUNTS,
  BUCKETS,
  DELEGATED_ADMINISTRATORS,
  EXTERNAL_ID,
  FIRST_CREDENTIALS,
  HOME_REGION,
  MEMBER_ROLE_NAME,
  OUS,
  POLICIES,
  QUEUES,
  ROOT_TAGS,
} from './seedPlan.js';
import type { PlannedBucket, PlannedPolicy, PlannedQueue, Tags } from './seedPlan.js';

export { FIRST_CREDENTIALS } from './seedPlan.js';

export interface SeededOu {
  key: string;
  id: string;
  arn: string;
  name: string;
  parentId: string;
  pathIds: string;
  pathNames: string;
  depth: number;
  tags: Tags;
}

export interface SeededAccount {
  key: string;
  id: string;
  arn: string;
  name: string;
  email: string;
  parentId: string;
  ouPathIds: string;
  ouPathNames: string;
  tags: Tags;
  /** State and the deprecated Status as the endpoint reports them after seeding (CloseAccount: SUSPENDED or PENDING_CLOSURE). */
  state: string;
  status: string;
  joinedMethod: string;
  isManagement: boolean;
}

export interface SeededPolicy {
  id: string;
  arn: string;
  name: string;
  type: string;
  awsManaged: boolean;
  description: string;
  content: unknown;
  targets: { targetId: string; targetType: 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT' }[];
}

export interface SeededQueue {
  accountId: string;
  region: string;
  name: string;
  url: string;
  arn: string;
  /** The attributes CreateQueue was given. */
  attributes: Record<string, string>;
  tags: Tags;
  messages: { visible: number; delayed: number };
}

export interface SeededBucket {
  accountId: string;
  name: string;
  region: string;
  plan: PlannedBucket;
  kmsKeyId: string | null;
  policy: unknown;
}

export interface SeededOrganization {
  endpoint: string;
  /** When seeding started and ended: server-set times (creation, joining) fall inside. */
  window: { start: Date; end: Date };
  organization: { id: string; arn: string; featureSet: string; managementAccountId: string; managementAccountArn: string; managementAccountEmail: string };
  root: { id: string; arn: string; name: string; policyTypes: string[]; tags: Tags };
  ous: SeededOu[];
  accounts: SeededAccount[];
  policies: SeededPolicy[];
  delegatedAdministrators: { accountId: string; servicePrincipal: string }[];
  queues: SeededQueue[];
  buckets: SeededBucket[];
  /** The connector's role chain: hop ARNs in order, the external id, the member role name. */
  chain: { roleArns: string[]; externalId: string; memberRoleName: string };
}

const toTagList = (tags: Tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export async function seedOrganization(endpoint: string): Promise<SeededOrganization> {
  const start = new Date();
  const clientConfig = (credentials: AwsCredentialIdentity, region = HOME_REGION) => ({ endpoint, region, credentials, maxAttempts: 3 });
  const org = new OrganizationsClient(clientConfig(FIRST_CREDENTIALS));

  const created = (await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }))).Organization;
  if (!created?.Id || !created.Arn || !created.MasterAccountId || !created.MasterAccountArn || !created.MasterAccountEmail) {
    throw new Error(`CreateOrganization answered without ids: ${JSON.stringify(created)}`);
  }
  const managementAccountId = created.MasterAccountId;

  const root = (await org.send(new ListRootsCommand({}))).Roots?.[0];
  if (!root?.Id || !root.Arn || !root.Name) throw new Error('ListRoots answered no root');
  await org.send(new TagResourceCommand({ ResourceId: root.Id, Tags: toTagList(ROOT_TAGS) }));
  const policyTypes = ['SERVICE_CONTROL_POLICY', 'TAG_POLICY'] as const;
  for (const PolicyType of policyTypes) await org.send(new EnablePolicyTypeCommand({ RootId: root.Id, PolicyType }));

  // OUs parent first (the plan lists them so).
  const ous: SeededOu[] = [];
  const rootPath = { ids: root.Id, names: root.Name, depth: 0 };
  const pathOf = (parent: string) => {
    if (parent === 'root') return { id: root.Id as string, ...rootPath };
    const ou = ous.find((o) => o.key === parent);
    if (!ou) throw new Error(`seed plan: OU ${parent} is used before it is declared`);
    return { id: ou.id, ids: ou.pathIds, names: ou.pathNames, depth: ou.depth };
  };
  for (const planned of OUS) {
    const parent = pathOf(planned.parent);
    const ou = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: parent.id, Name: planned.name, Tags: toTagList(planned.tags) }))).OrganizationalUnit;
    if (!ou?.Id || !ou.Arn) throw new Error(`CreateOrganizationalUnit ${planned.name} answered no id`);
    ous.push({
      key: planned.key,
      id: ou.Id,
      arn: ou.Arn,
      name: planned.name,
      parentId: parent.id,
      pathIds: `${parent.ids}/${ou.Id}`,
      pathNames: `${parent.names}/${planned.name}`,
      depth: parent.depth + 1,
      tags: planned.tags,
    });
  }

  const accounts: SeededAccount[] = [
    {
      key: 'management',
      id: managementAccountId,
      arn: created.MasterAccountArn,
      name: '',
      email: created.MasterAccountEmail,
      parentId: root.Id,
      ouPathIds: root.Id,
      ouPathNames: root.Name,
      tags: {},
      state: 'ACTIVE',
      status: 'ACTIVE',
      joinedMethod: 'CREATED',
      isManagement: true,
    },
  ];
  for (const planned of ACCOUNTS) {
    let status: CreateAccountStatus | undefined = (await org.send(new CreateAccountCommand({ AccountName: planned.name, Email: planned.email, Tags: toTagList(planned.tags) }))).CreateAccountStatus;
    // CreateAccount is asynchronous in AWS; an emulator may answer SUCCEEDED at once.
    for (let poll = 0; status?.State === 'IN_PROGRESS' && poll < 50; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await org.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: status.Id }))).CreateAccountStatus;
    }
    if (status?.State !== 'SUCCEEDED' || !status.AccountId) throw new Error(`CreateAccount ${planned.name}: ${JSON.stringify(status)}`);
    const parent = pathOf(planned.parent);
    if (planned.parent !== 'root') await org.send(new MoveAccountCommand({ AccountId: status.AccountId, SourceParentId: root.Id, DestinationParentId: parent.id }));
    accounts.push({
      key: planned.key,
      id: status.AccountId,
      arn: `arn:aws:organizations::${managementAccountId}:account/${created.Id}/${status.AccountId}`,
      name: planned.name,
      email: planned.email,
      parentId: parent.id,
      ouPathIds: parent.ids,
      ouPathNames: parent.names,
      tags: planned.tags,
      state: 'ACTIVE',
      status: 'ACTIVE',
      joinedMethod: 'CREATED',
      isManagement: false,
    });
  }
  const accountId = (key: string) => {
    const account = accounts.find((a) => a.key === key);
    if (!account) throw new Error(`seed plan: unknown account ${key}`);
    return account.id;
  };


  const policies = await seedPolicies(org, POLICIES, { rootId: root.Id, ouId: (key) => pathOf(key).id, accountId });
  // AWS attaches FullAWSAccess to the root, every OU and every account once SCPs are enabled.
  const fullAccess = (await org.send(new DescribePolicyCommand({ PolicyId: 'p-FullAWSAccess' }))).Policy;
  if (fullAccess?.PolicySummary?.Id && fullAccess.PolicySummary.Arn) {
    policies.push({
      id: fullAccess.PolicySummary.Id,
      arn: fullAccess.PolicySummary.Arn,
      name: fullAccess.PolicySummary.Name ?? '',
      type: 'SERVICE_CONTROL_POLICY',
      awsManaged: true,
      description: fullAccess.PolicySummary.Description ?? '',
      content: JSON.parse(fullAccess.Content ?? 'null'),
      targets: [
        { targetId: root.Id, targetType: 'ROOT' },
        ...ous.map((ou) => ({ targetId: ou.id, targetType: 'ORGANIZATIONAL_UNIT' as const })),
        ...accounts.map((account) => ({ targetId: account.id, targetType: 'ACCOUNT' as const })),
      ],
    });
  }

  const delegatedAdministrators: SeededOrganization['delegatedAdministrators'] = [];
  for (const delegated of DELEGATED_ADMINISTRATORS) {
    await org.send(new EnableAWSServiceAccessCommand({ ServicePrincipal: delegated.servicePrincipal }));
    await org.send(new RegisterDelegatedAdministratorCommand({ AccountId: accountId(delegated.account), ServicePrincipal: delegated.servicePrincipal }));
    delegatedAdministrators.push({ accountId: accountId(delegated.account), servicePrincipal: delegated.servicePrincipal });
  }

  const { memberCredentials, roleArns } = await seedRoles(endpoint, {
    managementAccountId,
    members: accounts.filter((a) => !a.isManagement).map((a) => ({ key: a.key, id: a.id })),
  });

  const queues: SeededQueue[] = [];
  for (const planned of QUEUES) queues.push(await seedQueue(endpoint, planned, accountId(planned.account), memberCredentials.get(planned.account) ?? FIRST_CREDENTIALS));
  const buckets: SeededBucket[] = [];
  for (const planned of BUCKETS) buckets.push(await seedBucket(endpoint, planned, accountId(planned.account), memberCredentials.get(planned.account) ?? FIRST_CREDENTIALS));

  // Closed last: a closed account's role can no longer be assumed to seed it.
  for (const planned of ACCOUNTS.filter((a) => a.closed)) await org.send(new CloseAccountCommand({ AccountId: accountId(planned.key) }));
  // What the endpoint says of each account now: the management account's name and how it joined
  // are the endpoint's to choose, and closing is asynchronous in AWS.
  const listed = [];
  let nextToken: string | undefined;
  do {
    const page = await org.send(new ListAccountsCommand({ NextToken: nextToken }));
    listed.push(...(page.Accounts ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  for (const account of accounts) {
    const answer = listed.find((a) => a.Id === account.id);
    if (answer === undefined) throw new Error(`ListAccounts does not list seeded account ${account.id}`);
    if (account.isManagement) account.name = answer.Name ?? '';
    account.state = answer.State ?? answer.Status ?? 'UNKNOWN';
    account.status = answer.Status ?? account.state;
    account.joinedMethod = answer.JoinedMethod ?? 'CREATED';
  }

  return {
    endpoint,
    window: { start, end: new Date() },
    organization: {
      id: created.Id,
      arn: created.Arn,
      featureSet: created.FeatureSet ?? 'ALL',
      managementAccountId,
      managementAccountArn: created.MasterAccountArn,
      managementAccountEmail: created.MasterAccountEmail,
    },
    root: { id: root.Id, arn: root.Arn, name: root.Name, policyTypes: [...policyTypes], tags: ROOT_TAGS },
    ous,
    accounts,
    policies,
    delegatedAdministrators,
    queues,
    buckets,
    chain: { roleArns, externalId: EXTERNAL_ID, memberRoleName: MEMBER_ROLE_NAME },
  };
}

async function seedPolicies(
  org: OrganizationsClient,
  planned: PlannedPolicy[],
  ids: { rootId: string; ouId: (key: string) => string; accountId: (key: string) => string },
): Promise<SeededPolicy[]> {
  const out: SeededPolicy[] = [];
  for (const policy of planned) {
    const created = (
      await org.send(new CreatePolicyCommand({ Name: policy.name, Type: policy.type, Description: policy.description, Content: JSON.stringify(policy.content), Tags: toTagList(policy.tags) }))
    ).Policy?.PolicySummary;
    if (!created?.Id || !created.Arn) throw new Error(`CreatePolicy ${policy.name} answered no id`);
    const targets: SeededPolicy['targets'] = [];
    for (const target of policy.targets) {
      const resolved =
        target.kind === 'root'
          ? { targetId: ids.rootId, targetType: 'ROOT' as const }
          : target.kind === 'ou'
            ? { targetId: ids.ouId(target.key), targetType: 'ORGANIZATIONAL_UNIT' as const }
            : { targetId: ids.accountId(target.key), targetType: 'ACCOUNT' as const };
      await org.send(new AttachPolicyCommand({ PolicyId: created.Id, TargetId: resolved.targetId }));
      targets.push(resolved);
    }
    out.push({ id: created.Id, arn: created.Arn, name: policy.name, type: policy.type, awsManaged: false, description: policy.description, content: policy.content, targets });
  }
  return out;
}

export async function seedQueue(endpoint: string, planned: PlannedQueue, accountId: string, credentials: AwsCredentialIdentity): Promise<SeededQueue> {
  const sqs = new SQSClient({ endpoint, region: planned.region, credentials, maxAttempts: 3 });
  const arn = (name: string) => `arn:aws:sqs:${planned.region}:${accountId}:${name}`;
  const attributes = planned.attributes(arn);
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: planned.name, Attributes: attributes, tags: planned.tags }))).QueueUrl;
  if (!url) throw new Error(`CreateQueue ${planned.name} answered no QueueUrl`);
  const messages = planned.messages ?? { visible: 0, delayed: 0 };
  const fifo = planned.name.endsWith('.fifo') ? { MessageGroupId: 'conformance' } : {};
  for (let i = 0; i < messages.visible; i += 1) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `visible ${i}`, DelaySeconds: 0, ...fifo }));
  for (let i = 0; i < messages.delayed; i += 1) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `delayed ${i}`, DelaySeconds: 900, ...fifo }));
  return { accountId, region: planned.region, name: planned.name, url, arn: arn(planned.name), attributes, tags: planned.tags, messages };
}

async function seedBucket(endpoint: string, planned: PlannedBucket, accountId: string, credentials: AwsCredentialIdentity): Promise<SeededBucket> {
  const s3 = new S3Client({ endpoint, region: planned.region, credentials, forcePathStyle: true, maxAttempts: 3 });
  const Bucket = planned.name;
  const bucketArn = `arn:aws:s3:::${Bucket}`;
  await s3.send(
    new CreateBucketCommand({
      Bucket,
      ...(planned.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: planned.region as BucketLocationConstraint } }),
      ...(planned.ownership ? { ObjectOwnership: planned.ownership } : {}),
    }),
  );
  if (planned.tags) await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: toTagList(planned.tags) } }));
  if (planned.versioning) await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: planned.versioning } }));
  const kmsKeyId = planned.encryption?.kmsKeyId?.(accountId) ?? null;
  if (planned.encryption) {
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: planned.encryption.algorithm, ...(kmsKeyId ? { KMSMasterKeyID: kmsKeyId } : {}) },
              ...(planned.encryption.bucketKeyEnabled === undefined ? {} : { BucketKeyEnabled: planned.encryption.bucketKeyEnabled }),
            },
          ],
        },
      }),
    );
  }
  if (planned.publicAccessBlock) await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: planned.publicAccessBlock }));
  if (planned.ownership) await s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: planned.ownership }] } }));
  if (planned.lifecycleRules) await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: planned.lifecycleRules } }));
  if (planned.logging) {
    await s3.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: planned.logging.targetBucket, TargetPrefix: planned.logging.targetPrefix } } }));
  }
  const policy = planned.policy?.(bucketArn) ?? null;
  if (policy !== null) await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(policy) }));
  return { accountId, name: Bucket, region: planned.region, plan: planned, kmsKeyId, policy };
}
