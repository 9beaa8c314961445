/**
 * Fidelity: the AWS SDK's own paginators and commands, unchanged, against the simulator, for
 * every operation it serves. Each listing is checked against the model the simulator holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DescribeOrganizationalUnitCommand,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListChildren,
  paginateListDelegatedAdministrators,
  paginateListDelegatedServicesForAccount,
  paginateListOrganizationalUnitsForParent,
  paginateListParents,
  paginateListPolicies,
  paginateListPoliciesForTarget,
  paginateListRoots,
  paginateListTagsForResource,
  paginateListTargetsForPolicy,
  ListAccountsCommand,
  ListPoliciesCommand,
} from '@aws-sdk/client-organizations';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueueTagsCommand, ListQueuesCommand, paginateListDeadLetterSourceQueues, paginateListQueues } from '@aws-sdk/client-sqs';
import { paginateListBuckets } from '@aws-sdk/client-s3';
import { paginateListRegions } from '@aws-sdk/client-account';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { Keys } from '../helpers/simulatorClients.js';
import * as clients from '../helpers/simulatorClients.js';

async function collect<P, T>(pages: AsyncIterable<P>, pick: (page: P) => T[] | undefined): Promise<{ items: T[]; pages: number; emptyPages: number }> {
  const items: T[] = [];
  let count = 0;
  let empty = 0;
  for await (const page of pages) {
    const got = pick(page) ?? [];
    count++;
    if (got.length === 0) empty++;
    items.push(...got);
  }
  return { items, pages: count, emptyPages: empty };
}

let sim: RunningSimulator;
let mgmt: Keys;

beforeAll(async () => {
  sim = await startSimulator({ seed: 42, accounts: 60, ouDepth: 3, ouBreadth: 2, queuesPerAccount: 9, bucketsPerAccount: 7 });
  mgmt = await clients.management(sim);
});
afterAll(() => sim.close());

describe('Organizations', () => {
  it('describes the organization and its management account', async () => {
    const { Organization } = await clients.organizations(sim, mgmt).send(new DescribeOrganizationCommand({}));
    expect(Organization?.Id).toBe(sim.org.organizationId);
    expect(Organization?.MasterAccountId).toBe(sim.managementAccountId);
    expect(Organization?.Arn).toBe(`arn:aws:organizations::${sim.managementAccountId}:organization/${sim.org.organizationId}`);
    expect(Organization?.FeatureSet).toBe('ALL');
  });

  it('walks the whole OU tree breadth-first and finds every account exactly once, with its parent', async () => {
    const client = clients.organizations(sim, mgmt);
    const roots = await collect(paginateListRoots({ client }, {}), (p) => p.Roots);
    expect(roots.items.map((r) => r.Id)).toEqual([sim.org.root.id]);
    expect(roots.items[0]?.PolicyTypes).toEqual([
      { Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' },
      { Type: 'TAG_POLICY', Status: 'ENABLED' },
    ]);
    const parentOf = new Map<string, string>();
    let ous = 0;
    let emptyPages = 0;
    const queue = [sim.org.root.id];
    while (queue.length > 0) {
      const parentId = queue.shift() as string;
      const children = await collect(paginateListOrganizationalUnitsForParent({ client }, { ParentId: parentId }), (p) => p.OrganizationalUnits);
      for (const ou of children.items) queue.push(ou.Id as string);
      ous += children.items.length;
      const accounts = await collect(paginateListAccountsForParent({ client }, { ParentId: parentId }), (p) => p.Accounts);
      emptyPages += accounts.emptyPages;
      for (const a of accounts.items) {
        expect(parentOf.has(a.Id as string)).toBe(false);
        parentOf.set(a.Id as string, parentId);
      }
    }
    expect(ous).toBe(2 + 4 + 8);
    expect(parentOf.size).toBe(61);
    for (const [id, parentId] of parentOf) expect(sim.org.accounts.get(id)?.parentId).toBe(parentId);
    // 61 accounts over 15 parents fit in one page each: no empty pages at this size.
    expect(emptyPages).toBe(0);
  });

  it('pages ListAccounts 20 at a time, with an empty page that still carries a NextToken, and respects a smaller MaxResults', async () => {
    const client = clients.organizations(sim, mgmt);
    const all = await collect(paginateListAccounts({ client, pageSize: 3 }, {}), (p) => p.Accounts);
    expect(all.items.map((a) => a.Id)).toEqual(sim.org.allAccounts().map((a) => a.id));
    // 61 accounts in pages of 3 ⇒ 21 full pages, plus the deterministic empty ones (every 7th page).
    expect(all.emptyPages).toBeGreaterThanOrEqual(2);
    expect(all.pages).toBe(21 + all.emptyPages);
    const first = await client.send(new ListAccountsCommand({}));
    expect(first.Accounts).toHaveLength(20);
    expect(first.NextToken).toBeTypeOf('string');
    const states = new Set(all.items.map((a) => a.State));
    expect(states).toEqual(new Set(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE']));
    for (const a of all.items) expect(a.Status).toBe(a.State);
  });

  it('refuses a NextToken from another listing', async () => {
    const client = clients.organizations(sim, mgmt);
    const other = await client.send(new ListPoliciesCommand({ Filter: 'SERVICE_CONTROL_POLICY', MaxResults: 1 }));
    expect(other.NextToken).toBeTypeOf('string');
    const error = await clients.failure(client.send(new ListAccountsCommand({ MaxResults: 2, NextToken: other.NextToken })));
    expect(error.name).toBe('InvalidInputException');
  });

  it('answers ListChildren, ListParents, DescribeAccount, DescribeOrganizationalUnit and tags like the model', async () => {
    const client = clients.organizations(sim, mgmt);
    const ou = [...sim.org.organizationalUnits.values()][3];
    expect(ou).toBeDefined();
    if (!ou) return;
    const described = await client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ou.id }));
    expect(described.OrganizationalUnit).toEqual({ Id: ou.id, Arn: ou.arn, Name: ou.name });
    const children = await collect(paginateListChildren({ client }, { ParentId: ou.parentId, ChildType: 'ORGANIZATIONAL_UNIT' }), (p) => p.Children);
    expect(children.items.map((c) => c.Id)).toContain(ou.id);
    const parents = await collect(paginateListParents({ client }, { ChildId: ou.id }), (p) => p.Parents);
    expect(parents.items).toEqual([{ Id: ou.parentId, Type: ou.parentId === sim.org.root.id ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }]);
    const tagged = [...sim.org.accounts.values()].find((a) => a.tags.length === 2);
    expect(tagged).toBeDefined();
    if (!tagged) return;
    const account = await client.send(new DescribeAccountCommand({ AccountId: tagged.id }));
    expect(account.Account?.Email).toBe(tagged.email);
    expect(account.Account?.JoinedTimestamp?.getTime()).toBe(tagged.joinedTimestamp);
    const tags = await collect(paginateListTagsForResource({ client }, { ResourceId: tagged.id }), (p) => p.Tags);
    expect(tags.items).toEqual(tagged.tags);
    const rootTags = await collect(paginateListTagsForResource({ client }, { ResourceId: sim.org.root.id }), (p) => p.Tags);
    expect(rootTags.items.length).toBeGreaterThan(0);
  });

  it('lists policies of each enabled type, their content and every target (paged)', async () => {
    const client = clients.organizations(sim, mgmt);
    const scps = await collect(paginateListPolicies({ client }, { Filter: 'SERVICE_CONTROL_POLICY' }), (p) => p.Policies);
    const tagPolicies = await collect(paginateListPolicies({ client }, { Filter: 'TAG_POLICY' }), (p) => p.Policies);
    expect(scps.items.map((p) => p.Name)).toContain('FullAWSAccess');
    expect(scps.items.find((p) => p.Name === 'FullAWSAccess')?.AwsManaged).toBe(true);
    expect(tagPolicies.items).toHaveLength(1);
    for (const summary of [...scps.items, ...tagPolicies.items]) {
      const policy = sim.org.policies.get(summary.Id as string);
      const described = await client.send(new DescribePolicyCommand({ PolicyId: summary.Id }));
      expect(JSON.parse(described.Policy?.Content ?? 'null')).toEqual(JSON.parse(policy?.content ?? ''));
      const targets = await collect(paginateListTargetsForPolicy({ client }, { PolicyId: summary.Id }), (p) => p.Targets);
      expect(targets.items.map((t) => t.TargetId)).toEqual(policy?.targets);
    }
    const fullAccessTargets = sim.org.policies.get('p-FullAWSAccess')?.targets.length ?? 0;
    expect(fullAccessTargets).toBe(1 + 14 + 61);
    const forRoot = await collect(paginateListPoliciesForTarget({ client }, { TargetId: sim.org.root.id, Filter: 'SERVICE_CONTROL_POLICY' }), (p) => p.Policies);
    expect(forRoot.items.map((p) => p.Name).sort()).toEqual(['DenyLeaveOrganization', 'FullAWSAccess']);
  });

  it('lists delegated administrators and their services', async () => {
    const client = clients.organizations(sim, mgmt);
    const admins = await collect(paginateListDelegatedAdministrators({ client }, {}), (p) => p.DelegatedAdministrators);
    expect(admins.items).toHaveLength(1);
    const adminId = admins.items[0]?.Id as string;
    expect(admins.items[0]?.DelegationEnabledDate).toBeInstanceOf(Date);
    const services = await collect(paginateListDelegatedServicesForAccount({ client }, { AccountId: adminId }), (p) => p.DelegatedServices);
    expect(services.items.map((s) => s.ServicePrincipal).sort()).toEqual(['guardduty.amazonaws.com', 'securityhub.amazonaws.com']);
  });

  it('omits State when asked to, leaving the deprecated Status', async () => {
    sim.org.omitAccountState = true;
    try {
      const { Accounts } = await clients.organizations(sim, mgmt).send(new ListAccountsCommand({ MaxResults: 5 }));
      expect(Accounts?.every((a) => a.State === undefined && a.Status !== undefined)).toBe(true);
    } finally {
      sim.org.omitAccountState = false;
    }
  });
});

describe('SQS', () => {
  it('pages ListQueues with MaxResults and gives no NextToken without it, like AWS', async () => {
    const creds = await clients.member(sim, sim.org.memberAccountIds()[0] as string, mgmt);
    const client = clients.sqs(sim, creds, 'eu-west-1');
    const accountId = sim.org.memberAccountIds()[0] as string;
    const expected = sim.org.queuesIn(accountId, 'eu-west-1').map((q) => sim.queueUrl(accountId, 'eu-west-1', q.name));
    expect(expected).toHaveLength(3);
    const paged = await collect(paginateListQueues({ client, pageSize: 2 }, {}), (p) => p.QueueUrls);
    expect(paged.items).toEqual(expected);
    expect(paged.pages).toBe(2);
    const unpaged = await client.send(new ListQueuesCommand({}));
    expect(unpaged.QueueUrls).toEqual(expected);
    expect(unpaged.NextToken).toBeUndefined();
    const prefixed = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'queue-0001' }));
    expect(prefixed.QueueUrls).toEqual(expected.filter((u) => u.includes('/queue-0001')));
  });

  it('answers every attribute AWS returns, for standard, FIFO, dead-letter and KMS queues, and their tags', async () => {
    const accountId = sim.managementAccountId;
    const client = clients.sqs(sim, mgmt, 'us-east-1');
    const urls = (await client.send(new ListQueuesCommand({ MaxResults: 1000 }))).QueueUrls ?? [];
    expect(urls).toHaveLength(3);
    const seen = new Set<string>();
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) {
      const regional = clients.sqs(sim, mgmt, region);
      for (const queue of sim.org.queuesIn(accountId, region)) {
        const { QueueUrl } = await regional.send(new GetQueueUrlCommand({ QueueName: queue.name }));
        const { Attributes } = await regional.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
        for (const key of Object.keys(Attributes ?? {})) seen.add(key);
        expect(Attributes?.QueueArn).toBe(`arn:aws:sqs:${region}:${accountId}:${queue.name}`);
        expect(Attributes?.FifoQueue).toBe(queue.fifo ? 'true' : undefined);
        const { Tags } = await regional.send(new ListQueueTagsCommand({ QueueUrl }));
        expect(Tags ?? {}).toEqual(queue.tags);
      }
    }
    // Nine queues per account cover every profile: every attribute AWS can return appears.
    for (const name of [
      'QueueArn', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed',
      'CreatedTimestamp', 'LastModifiedTimestamp', 'VisibilityTimeout', 'MaximumMessageSize', 'MessageRetentionPeriod', 'DelaySeconds',
      'ReceiveMessageWaitTimeSeconds', 'Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'FifoQueue', 'ContentBasedDeduplication',
      'DeduplicationScope', 'FifoThroughputLimit', 'SqsManagedSseEnabled', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds',
    ]) {
      expect(seen, name).toContain(name);
    }
  });
});

describe('SQS dead-letter sources', () => {
  it('pages ListDeadLetterSourceQueues to the queues whose redrive policy targets the queue', async () => {
    const accountId = sim.managementAccountId;
    const region = 'us-east-1';
    const dlq = sim.org.queuesIn(accountId, region).find((q) => q.name.endsWith('-dlq'));
    expect(dlq).toBeDefined();
    if (!dlq) return;
    const arn = `arn:aws:sqs:${region}:${accountId}:${dlq.name}`;
    const expected = sim.org
      .queuesIn(accountId, region)
      .filter((q) => q.attributes.RedrivePolicy?.includes(arn))
      .map((q) => sim.queueUrl(accountId, region, q.name));
    expect(expected.length).toBeGreaterThan(0);
    const client = clients.sqs(sim, mgmt, region);
    const sources = await collect(paginateListDeadLetterSourceQueues({ client, pageSize: 1 }, { QueueUrl: sim.queueUrl(accountId, region, dlq.name) }), (p) => p.queueUrls);
    expect(sources.items).toEqual(expected);
    expect(sources.pages).toBe(expected.length);
  });
});

describe('S3 and Account', () => {
  it('pages ListBuckets with MaxBuckets/ContinuationToken and BucketRegion, only the caller’s buckets', async () => {
    const client = clients.s3(sim, mgmt);
    const paged = await collect(paginateListBuckets({ client, pageSize: 3 }, {}), (p) => p.Buckets);
    const expected = sim.org.bucketsOf(sim.managementAccountId);
    expect(paged.items.map((b) => [b.Name, b.BucketRegion])).toEqual(expected.map((b) => [b.name, b.region]));
    expect(paged.pages).toBe(3);
    expect(paged.items[0]?.CreationDate?.getTime()).toBe(expected[0]?.creationDate);
  });

  it('lists the account’s enabled regions with ListRegions', async () => {
    const regions = await collect(paginateListRegions({ client: clients.account(sim, mgmt) }, {}), (p) => p.Regions);
    expect(regions.items).toEqual([
      { RegionName: 'ap-southeast-2', RegionOptStatus: 'ENABLED_BY_DEFAULT' },
      { RegionName: 'eu-west-1', RegionOptStatus: 'ENABLED_BY_DEFAULT' },
      { RegionName: 'us-east-1', RegionOptStatus: 'ENABLED_BY_DEFAULT' },
    ]);
  });

  it('says who is calling at each hop', async () => {
    const user = await clients.sts(sim).send(new GetCallerIdentityCommand({}));
    expect(user.Arn).toBe(`arn:aws:iam::${sim.org.identityAccountId}:user/inventory-simulated-user`);
    const role = await clients.sts(sim, mgmt).send(new GetCallerIdentityCommand({}));
    expect(role.Arn).toBe(`arn:aws:sts::${sim.managementAccountId}:assumed-role/InventoryReader/sim-test`);
    expect(role.Account).toBe(sim.managementAccountId);
  });
});
