/**
 * The same read calls, through the AWS SDK, against any endpoint: every operation the connector
 * relies on (and a few neighbours), over every item the endpoint has, collected per operation.
 * Run against moto and against the project's simulator, the answers are compared by shape.
 */
import {
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListDelegatedAdministratorsCommand,
  ListDelegatedServicesForAccountCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { Account, PolicyTypeSummary } from '@aws-sdk/client-organizations';
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
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, ListQueueTagsCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { Outcome } from './responseShape.js';

export interface EndpointUnderTest {
  endpoint: string;
  /** Credentials acting as the management account (the end of the role chain). */
  management: AwsCredentialIdentity;
  /** Member accounts to look into, and the role to assume there. */
  memberAccountIds: string[];
  memberRoleName: string;
  regions: readonly string[];
}

export type Battery = Map<string, Outcome[]>;

async function outcome(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { output: await call() };
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    return { error: e.name ?? 'Error', status: e.$metadata?.httpStatusCode };
  }
}

/** Every page of a paginated call (stops at a missing or empty token). */
async function allPages<T extends { NextToken?: string | undefined }>(call: (token: string | undefined) => Promise<T>): Promise<T[]> {
  const pages: T[] = [];
  let token: string | undefined;
  do {
    const page = await call(token);
    pages.push(page);
    token = page.NextToken === '' ? undefined : page.NextToken;
  } while (token !== undefined && pages.length < 100);
  return pages;
}

export async function runBattery(target: EndpointUnderTest): Promise<Battery> {
  const battery: Battery = new Map();
  const record = async (operation: string, call: () => Promise<unknown>): Promise<Outcome> => {
    const result = await outcome(call);
    const list = battery.get(operation) ?? [];
    list.push(result);
    battery.set(operation, list);
    return result;
  };
  const config = (credentials: AwsCredentialIdentity, region = 'us-east-1') => ({ endpoint: target.endpoint, region, credentials, maxAttempts: 2 });
  const sts = new STSClient(config(target.management));
  const org = new OrganizationsClient(config(target.management));

  await record('sts:GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({})));
  await record('organizations:DescribeOrganization', () => org.send(new DescribeOrganizationCommand({})));
  const roots = await org.send(new ListRootsCommand({}));
  await record('organizations:ListRoots', async () => roots);
  const parents: string[] = (roots.Roots ?? []).map((r) => r.Id ?? '');
  const enabledTypes = (roots.Roots ?? []).flatMap((r) => (r.PolicyTypes ?? []).filter((t: PolicyTypeSummary) => t.Status === 'ENABLED').map((t) => t.Type ?? ''));
  const accounts: Account[] = [];
  const ous: string[] = [];
  for (let i = 0; i < parents.length; i += 1) {
    const parent = parents[i] ?? '';
    for (const page of await allPages((NextToken) => org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent, NextToken })))) {
      await record('organizations:ListOrganizationalUnitsForParent', async () => page);
      for (const ou of page.OrganizationalUnits ?? []) {
        parents.push(ou.Id ?? '');
        ous.push(ou.Id ?? '');
      }
    }
    for (const page of await allPages((NextToken) => org.send(new ListAccountsForParentCommand({ ParentId: parent, NextToken })))) {
      await record('organizations:ListAccountsForParent', async () => page);
      accounts.push(...(page.Accounts ?? []));
    }
    await record('organizations:ListChildren', () => org.send(new ListChildrenCommand({ ParentId: parent, ChildType: 'ORGANIZATIONAL_UNIT' })));
  }
  for (const page of await allPages((NextToken) => org.send(new ListAccountsCommand({ NextToken })))) await record('organizations:ListAccounts', async () => page);
  for (const ou of ous) {
    await record('organizations:DescribeOrganizationalUnit', () => org.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ou })));
    await record('organizations:ListTagsForResource', () => org.send(new ListTagsForResourceCommand({ ResourceId: ou })));
  }
  for (const root of roots.Roots ?? []) await record('organizations:ListTagsForResource', () => org.send(new ListTagsForResourceCommand({ ResourceId: root.Id })));
  for (const account of accounts) {
    await record('organizations:DescribeAccount', () => org.send(new DescribeAccountCommand({ AccountId: account.Id })));
    await record('organizations:ListTagsForResource', () => org.send(new ListTagsForResourceCommand({ ResourceId: account.Id })));
    await record('organizations:ListParents', () => org.send(new ListParentsCommand({ ChildId: account.Id })));
    await record('organizations:ListPoliciesForTarget', () => org.send(new ListPoliciesForTargetCommand({ TargetId: account.Id, Filter: 'SERVICE_CONTROL_POLICY' })));
  }
  for (const type of enabledTypes) {
    const policies = await org.send(new ListPoliciesCommand({ Filter: type as 'SERVICE_CONTROL_POLICY' }));
    await record('organizations:ListPolicies', async () => policies);
    for (const policy of policies.Policies ?? []) {
      await record('organizations:DescribePolicy', () => org.send(new DescribePolicyCommand({ PolicyId: policy.Id })));
      for (const page of await allPages((NextToken) => org.send(new ListTargetsForPolicyCommand({ PolicyId: policy.Id, NextToken })))) {
        await record('organizations:ListTargetsForPolicy', async () => page);
      }
    }
  }
  // Answers for things that are not there: the connector decides "gone" and "absent" by these names.
  await record('organizations:DescribeAccount (no such account)', () => org.send(new DescribeAccountCommand({ AccountId: '000000000001' })));
  await record('organizations:ListTagsForResource (no such OU)', () =>
    org.send(new ListTagsForResourceCommand({ ResourceId: `ou-${(roots.Roots?.[0]?.Id ?? 'r-0000').slice(2)}-zzzzzzzz` })),
  );
  const delegated = await org.send(new ListDelegatedAdministratorsCommand({}));
  await record('organizations:ListDelegatedAdministrators', async () => delegated);
  for (const admin of delegated.DelegatedAdministrators ?? []) {
    await record('organizations:ListDelegatedServicesForAccount', () => org.send(new ListDelegatedServicesForAccountCommand({ AccountId: admin.Id })));
  }

  for (const accountId of target.memberAccountIds) {
    const assumed = await record('sts:AssumeRole', () =>
      sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/${target.memberRoleName}`, RoleSessionName: 'conformance-differential' })),
    );
    if (!('output' in assumed)) continue;
    const c = (assumed.output as { Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string } }).Credentials;
    const member = { accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretAccessKey ?? '', sessionToken: c?.SessionToken ?? '' };
    await record('sts:GetCallerIdentity', () => new STSClient(config(member)).send(new GetCallerIdentityCommand({})));
    for (const region of target.regions) {
      const sqs = new SQSClient(config(member, region));
      const listed = await record('sqs:ListQueues', () => sqs.send(new ListQueuesCommand({ MaxResults: 1000 })));
      const urls = 'output' in listed ? ((listed.output as { QueueUrls?: string[] }).QueueUrls ?? []) : [];
      const sample = urls[0];
      if (sample !== undefined) {
        const gone = `${sample.slice(0, sample.lastIndexOf('/'))}/conformance-deleted-queue`;
        await record('sqs:GetQueueAttributes (deleted queue)', () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: gone, AttributeNames: ['All'] })));
        await record('sqs:ListQueueTags (deleted queue)', () => sqs.send(new ListQueueTagsCommand({ QueueUrl: gone })));
      }
      for (const url of urls) {
        await record('sqs:GetQueueAttributes', () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })));
        await record('sqs:ListQueueTags', () => sqs.send(new ListQueueTagsCommand({ QueueUrl: url })));
        await record('sqs:GetQueueUrl', () => sqs.send(new GetQueueUrlCommand({ QueueName: decodeURIComponent(url.split('/').pop() ?? '') })));
      }
    }
    const home = new S3Client({ ...config(member), forcePathStyle: true });
    const listed = await record('s3:ListBuckets', () => home.send(new ListBucketsCommand({ MaxBuckets: 1000 })));
    const buckets = 'output' in listed ? ((listed.output as { Buckets?: { Name?: string }[] }).Buckets ?? []) : [];
    await record('s3:GetBucketTagging (no such bucket)', () => home.send(new GetBucketTaggingCommand({ Bucket: `conformance-no-such-bucket-${accountId}` })));
    await record('s3:HeadBucket (no such bucket)', () => home.send(new HeadBucketCommand({ Bucket: `conformance-no-such-bucket-${accountId}` })));
    for (const { Name: bucket } of buckets) {
      // GetBucketLocation answers from any region; null is us-east-1 and EU is eu-west-1.
      const location = await record('s3:GetBucketLocation', () => home.send(new GetBucketLocationCommand({ Bucket: bucket })));
      const constraint = 'output' in location ? ((location.output as { LocationConstraint?: string }).LocationConstraint ?? '') : '';
      const region = constraint === '' ? 'us-east-1' : constraint === 'EU' ? 'eu-west-1' : constraint;
      const s3 = new S3Client({ ...config(member, region), forcePathStyle: true });
      await record('s3:HeadBucket', () => s3.send(new HeadBucketCommand({ Bucket: bucket })));
      if (region !== 'us-east-1') await record('s3:HeadBucket from another region', () => home.send(new HeadBucketCommand({ Bucket: bucket })));
      await record('s3:GetBucketVersioning', () => s3.send(new GetBucketVersioningCommand({ Bucket: bucket })));
      await record('s3:GetBucketEncryption', () => s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })));
      await record('s3:GetPublicAccessBlock', () => s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })));
      await record('s3:GetBucketPolicyStatus', () => s3.send(new GetBucketPolicyStatusCommand({ Bucket: bucket })));
      await record('s3:GetBucketPolicy', () => s3.send(new GetBucketPolicyCommand({ Bucket: bucket })));
      await record('s3:GetBucketOwnershipControls', () => s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })));
      await record('s3:GetBucketLogging', () => s3.send(new GetBucketLoggingCommand({ Bucket: bucket })));
      await record('s3:GetBucketLifecycleConfiguration', () => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })));
      await record('s3:GetBucketTagging', () => s3.send(new GetBucketTaggingCommand({ Bucket: bucket })));
      await record('s3:GetBucketAcl', () => s3.send(new GetBucketAclCommand({ Bucket: bucket })));
    }
  }
  return battery;
}
