/**
 * The project's simulator against moto: the same SDK calls against both, compared by the shape
 * of the parsed answers (field names, types, error names), by the attributes of identically
 * created queues, and by pagination behaviour. Every difference is either listed below with its
 * verdict (checked against AWS's API reference) or fails the test.
 */
import { ListAccountsCommand, ListOrganizationalUnitsForParentCommand, ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, ListQueuesCommand, ListQueueTagsCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startMoto } from '../helpers/motoServer.js';
import type { MotoServer } from '../helpers/motoServer.js';
import { runBattery } from './operationBattery.js';
import type { Battery } from './operationBattery.js';
import { diffShapes, shapeOf } from './responseShape.js';
import type { ShapeDifference } from './responseShape.js';
import { FIRST_CREDENTIALS, seedOrganization, seedQueue } from './seedOrganization.js';
import type { SeededOrganization } from './seedOrganization.js';
import { CRAWLED_REGIONS, QUEUES } from './seedPlan.js';

const moto = inject('moto');

/**
 * Who is right where the two differ:
 * - `moto`: moto departs from AWS; the simulator follows AWS.
 * - `simulator-bug`: the simulator departs from AWS; its owner should fix it (and delete the entry).
 * - `coverage`: the simulator's generated data never exercises the field; not wrong, but untested.
 */
interface KnownDifference {
  operation: string;
  path: string;
  kind: ShapeDifference['kind'];
  verdict: 'moto' | 'simulator-bug' | 'coverage';
  why: string;
}

const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    operation: 's3:ListBuckets',
    path: 'Buckets[].BucketRegion',
    kind: 'only-simulator',
    verdict: 'moto',
    why: 'ListBuckets API reference: BucketRegion is returned for each bucket; moto omits it',
  },
  {
    operation: 's3:HeadBucket',
    path: 'AccessPointAlias',
    kind: 'only-simulator',
    verdict: 'moto',
    why: 'HeadBucket API reference: x-amz-access-point-alias is returned (false for a bucket); moto omits the header',
  },
  {
    operation: 's3:HeadBucket from another region',
    path: '!error',
    kind: 'only-simulator',
    verdict: 'moto',
    why: 'HeadBucket API reference: a request to the wrong region is answered 301 with x-amz-bucket-region (the SDK names the header-only error "Unknown"); moto answers 200 from any region',
  },
  {
    operation: 's3:HeadBucket from another region',
    path: 'BucketRegion',
    kind: 'only-moto',
    verdict: 'moto',
    why: 'see the 301 above: AWS gives the region in the error response, moto in a 200',
  },
  {
    operation: 's3:GetBucketPolicyStatus',
    path: '!error',
    kind: 'only-simulator',
    verdict: 'moto',
    why: 'AWS answers NoSuchBucketPolicy (404) for a bucket without a policy; moto answers an empty PolicyStatus',
  },
  {
    operation: 's3:GetBucketPolicyStatus',
    path: 'PolicyStatus.IsPublic',
    kind: 'only-simulator',
    verdict: 'moto',
    why: 'GetBucketPolicyStatus API reference: PolicyStatus.IsPublic is the answer; moto never evaluates policies',
  },
  {
    operation: 's3:GetBucketVersioning',
    path: 'MFADelete',
    kind: 'only-simulator',
    verdict: 'coverage',
    why: 'the generated organization has buckets configured with MFA delete, which alone answer MfaDelete; the seeded one cannot have any (enabling MFA delete takes the root user\'s MFA device)',
  },
  {
    operation: 's3:GetBucketAcl',
    path: 'Owner.DisplayName',
    kind: 'only-moto',
    verdict: 'moto',
    why: 'Owner API reference: since November 21, 2025 S3 no longer returns DisplayName; moto still does',
  },
  {
    operation: 's3:ListBuckets',
    path: 'Owner.DisplayName',
    kind: 'only-moto',
    verdict: 'moto',
    why: 'Owner API reference: since November 21, 2025 S3 no longer returns DisplayName; moto still does',
  },
  {
    operation: 'sqs:GetQueueAttributes',
    path: 'Attributes.RedriveAllowPolicy',
    kind: 'only-simulator',
    verdict: 'moto',
    why: 'moto ignores RedriveAllowPolicy on CreateQueue and never returns it',
  },
  {
    operation: 'sts:AssumeRole',
    path: 'PackedPolicySize',
    kind: 'only-moto',
    verdict: 'moto',
    why: 'AssumeRole API reference: PackedPolicySize reports the size of session policies and tags passed in the request; none are passed, and moto returns it anyway',
  },
  {
    operation: 'organizations:ListTargetsForPolicy',
    path: 'NextToken',
    kind: 'only-simulator',
    verdict: 'coverage',
    why: 'FullAWSAccess has more targets in the generated organization (pages of 20) than in the seeded one; both paginate',
  },
];

/** Attributes of identically created queues where the simulator departs from AWS. */
const KNOWN_QUEUE_ATTRIBUTE_BUGS: { attribute: string; why: string }[] = [];

const MAP_PATHS: Record<string, string[]> = { 'sqs:ListQueueTags': ['Tags'] };

if (!moto.available) {
  it.skip(`SKIPPED: moto is not available (${moto.reason}); the simulator differential check did not run`, () => {});
} else {
  describe('the simulator answers like moto, except where AWS says otherwise', () => {
    let server: MotoServer | undefined;
    let sim: RunningSimulator | undefined;
    let seeded: SeededOrganization;
    let simManagement: AwsCredentialIdentity;
    let simMembers: string[];
    let motoBattery: Battery;
    let simBattery: Battery;
    const differences = new Map<string, ShapeDifference[]>();

    const assume = async (endpoint: string, source: AwsCredentialIdentity, roleArn: string, externalId?: string): Promise<AwsCredentialIdentity> => {
      const answer = await new STSClient({ endpoint, region: 'us-east-1', credentials: source }).send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'conformance-differential', ...(externalId ? { ExternalId: externalId } : {}) }),
      );
      return { accessKeyId: answer.Credentials?.AccessKeyId ?? '', secretAccessKey: answer.Credentials?.SecretAccessKey ?? '', sessionToken: answer.Credentials?.SessionToken ?? '' };
    };

    beforeAll(async () => {
      server = await startMoto();
      seeded = await seedOrganization(server.endpoint);
      sim = await startSimulator({ seed: 10, accounts: 5, ouDepth: 3, ouBreadth: 2, queuesPerAccount: 6, bucketsPerAccount: 6, regions: [...CRAWLED_REGIONS] });
      simManagement = await assume(sim.url, sim.bootstrap, sim.chainRoleArn, sim.externalId);
      simMembers = [...sim.org.accounts.values()].filter((a) => a.id !== sim?.managementAccountId && a.state === 'ACTIVE').map((a) => a.id).slice(0, 2);
      // The simulator takes CreateQueue: the seeded queues go into its first member account too.
      const simMember = simMembers[0] ?? '';
      const memberCredentials = await assume(sim.url, simManagement, `arn:aws:iam::${simMember}:role/${seeded.chain.memberRoleName}`);
      for (const planned of QUEUES) await seedQueue(sim.url, planned, simMember, memberCredentials);

      const motoMembers = seeded.accounts.filter((a) => ['payments-prod', 'web-dev', 'security-tooling'].includes(a.key)).map((a) => a.id);
      motoBattery = await runBattery({ endpoint: seeded.endpoint, management: FIRST_CREDENTIALS, memberAccountIds: motoMembers, memberRoleName: seeded.chain.memberRoleName, regions: CRAWLED_REGIONS });
      simBattery = await runBattery({ endpoint: sim.url, management: simManagement, memberAccountIds: simMembers, memberRoleName: seeded.chain.memberRoleName, regions: CRAWLED_REGIONS });
      for (const operation of new Set([...motoBattery.keys(), ...simBattery.keys()])) {
        const options = { mapPaths: MAP_PATHS[operation] ?? [] };
        differences.set(operation, diffShapes(shapeOf(motoBattery.get(operation) ?? [], options), shapeOf(simBattery.get(operation) ?? [], options)));
      }
    });

    afterAll(async () => {
      await sim?.close();
      await server?.stop();
    });

    it('both serve the same operations', () => {
      expect([...simBattery.keys()].sort()).toEqual([...motoBattery.keys()].sort());
    });

    it('answers have the same fields, types and error names, except the listed differences', () => {
      const unexplained: string[] = [];
      for (const [operation, diffs] of [...differences].sort(([a], [b]) => a.localeCompare(b))) {
        for (const d of diffs) {
          const known = KNOWN_DIFFERENCES.some((k) => k.operation === operation && k.path === d.path && k.kind === d.kind);
          if (!known) unexplained.push(`${operation} ${d.path}: ${d.kind} (moto ${JSON.stringify(d.moto)}, simulator ${JSON.stringify(d.simulator)})`);
        }
      }
      expect(unexplained).toEqual([]);
    });

    it('every listed difference still occurs (delete entries that were fixed)', () => {
      const stale = KNOWN_DIFFERENCES.filter((k) => !(differences.get(k.operation) ?? []).some((d) => d.path === k.path && d.kind === k.kind)).map(
        (k) => `${k.operation} ${k.path} (${k.verdict})`,
      );
      expect(stale).toEqual([]);
      const bugs = [
        ...KNOWN_DIFFERENCES.filter((k) => k.verdict === 'simulator-bug').map((b) => `${b.operation} ${b.path}: ${b.why}`),
        ...KNOWN_QUEUE_ATTRIBUTE_BUGS.map((b) => `sqs:GetQueueAttributes ${b.attribute}: ${b.why}`),
      ];
      console.info(bugs.length === 0 ? 'simulator bugs found by the differential check: none' : `simulator bugs found by the differential check:\n${bugs.map((b) => `  ${b}`).join('\n')}`);
    });

    it('both answer for missing things with the error names AWS documents', () => {
      // The connector's error classes ("gone", "absent") are decided by these names.
      const expected: Record<string, string> = {
        'organizations:DescribeAccount (no such account)': 'AccountNotFoundException',
        'organizations:ListTagsForResource (no such OU)': 'TargetNotFoundException',
        'sqs:GetQueueAttributes (deleted queue)': 'QueueDoesNotExist',
        'sqs:ListQueueTags (deleted queue)': 'QueueDoesNotExist',
        's3:GetBucketTagging (no such bucket)': 'NoSuchBucket',
        's3:HeadBucket (no such bucket)': 'NotFound',
      };
      const answers = (battery: Battery, operation: string) => [...new Set((battery.get(operation) ?? []).map((o) => ('error' in o ? o.error : 'success')))];
      for (const [operation, name] of Object.entries(expected)) {
        expect(answers(motoBattery, operation), `moto, ${operation}`).toEqual([name]);
        expect(answers(simBattery, operation), `simulator, ${operation}`).toEqual([name]);
      }
    });

    it('identically created queues report the same attributes and tags', async () => {
      const simMember = simMembers[0] ?? '';
      const simCredentials = await assume(sim?.url ?? '', simManagement, `arn:aws:iam::${simMember}:role/${seeded.chain.memberRoleName}`);
      const problems: { attribute: string; text: string }[] = [];
      const problem = (attribute: string, text: string) => problems.push({ attribute, text });
      for (const queue of seeded.queues) {
        const motoCredentials = await assume(seeded.endpoint, FIRST_CREDENTIALS, `arn:aws:iam::${queue.accountId}:role/${seeded.chain.memberRoleName}`);
        const read = async (endpoint: string, credentials: AwsCredentialIdentity, accountId: string) => {
          const sqs = new SQSClient({ endpoint, region: queue.region, credentials });
          const url = (await sqs.send(new ListQueuesCommand({ QueueNamePrefix: queue.name, MaxResults: 1000 }))).QueueUrls?.find((u) => u.endsWith(`/${queue.name}`)) ?? '';
          const attributes = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
          const tags = (await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {};
          // Account ids and times differ by construction; everything else must not.
          const normalized = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, (v ?? '').split(accountId).join('<account>')]));
          return { attributes: normalized, tags };
        };
        const m = await read(seeded.endpoint, motoCredentials, queue.accountId);
        const s = await read(sim?.url ?? '', simCredentials, simMember);
        for (const name of [...new Set([...Object.keys(m.attributes), ...Object.keys(s.attributes)])].sort()) {
          const mv = m.attributes[name];
          const sv = s.attributes[name];
          if (name === 'CreatedTimestamp' || name === 'LastModifiedTimestamp') {
            // AWS: whole epoch seconds. moto adds a fraction (a moto difference, asserted below for the simulator only).
            if (!/^\d+$/.test(sv ?? '')) problem(name, `${queue.name}.${name}: the simulator answers ${JSON.stringify(sv)}, AWS answers whole epoch seconds`);
            continue;
          }
          if (name === 'RedriveAllowPolicy' && mv === undefined) continue; // moto ignores it (listed above)
          if (name === 'SqsManagedSseEnabled' && queue.attributes.KmsMasterKeyId !== undefined) {
            // moto says true next to a KMS key; AWS has one kind of SSE per queue.
            if (sv !== 'false') problem(name, `${queue.name}.${name}: the simulator answers ${JSON.stringify(sv)} next to a KMS key, AWS answers "false"`);
            continue;
          }
          const same = name === 'Policy' || name === 'RedrivePolicy' || name === 'RedriveAllowPolicy' ? sameJson(mv, sv) : mv === sv;
          if (!same) problem(name, `${queue.name}.${name}: moto ${JSON.stringify(mv)}, simulator ${JSON.stringify(sv)}`);
        }
        if (JSON.stringify(sortedEntries(m.tags)) !== JSON.stringify(sortedEntries(s.tags))) problem('tags', `${queue.name} tags: moto ${JSON.stringify(m.tags)}, simulator ${JSON.stringify(s.tags)}`);
      }
      const isKnown = (attribute: string) => KNOWN_QUEUE_ATTRIBUTE_BUGS.some((k) => k.attribute === attribute);
      expect(problems.filter((p) => !isKnown(p.attribute)).map((p) => p.text)).toEqual([]);
      const fixed = KNOWN_QUEUE_ATTRIBUTE_BUGS.filter((k) => !problems.some((p) => p.attribute === k.attribute)).map((k) => k.attribute);
      expect(fixed, 'listed simulator bugs that no longer occur: delete them from KNOWN_QUEUE_ATTRIBUTE_BUGS').toEqual([]);
    });

    it('Organizations pagination: small pages carry NextToken and together list every account and OU once', async () => {
      for (const [endpoint, credentials] of [
        [seeded.endpoint, FIRST_CREDENTIALS],
        [sim?.url ?? '', simManagement],
      ] as const) {
        const org = new OrganizationsClient({ endpoint, region: 'us-east-1', credentials });
        const all = (await collectPages((NextToken) => org.send(new ListAccountsCommand({ NextToken }))).then((pages) => pages.flatMap((p) => p.Accounts ?? []))).map((a) => a.Id);
        const pages = await collectPages((NextToken) => org.send(new ListAccountsCommand({ MaxResults: 2, NextToken })));
        expect(pages.length, `${endpoint}: ListAccounts with MaxResults 2`).toBeGreaterThan(1);
        for (const page of pages) expect((page.Accounts ?? []).length).toBeLessThanOrEqual(2);
        expect(pages.flatMap((p) => (p.Accounts ?? []).map((a) => a.Id)).sort()).toEqual([...all].sort());
        const root = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
        const ouPages = await collectPages((NextToken) => org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root, MaxResults: 1, NextToken })));
        const ouIds = ouPages.flatMap((p) => (p.OrganizationalUnits ?? []).map((o) => o.Id));
        expect(ouIds.length, `${endpoint}: OUs under the root`).toBeGreaterThan(1);
        expect(new Set(ouIds).size).toBe(ouIds.length);
      }
    });

    it('SQS and S3 pagination: the simulator pages like AWS where moto does not', async () => {
      const simMember = simMembers[0] ?? '';
      const member = await assume(sim?.url ?? '', simManagement, `arn:aws:iam::${simMember}:role/${seeded.chain.memberRoleName}`);
      const sqs = new SQSClient({ endpoint: sim?.url ?? '', region: 'us-east-1', credentials: member });
      const everything = (await sqs.send(new ListQueuesCommand({ MaxResults: 1000 }))).QueueUrls ?? [];
      expect(everything.length).toBeGreaterThan(1);
      // ListQueues API reference: with MaxResults, a NextToken is returned while more queues remain.
      const pages = await collectPages((NextToken) => sqs.send(new ListQueuesCommand({ MaxResults: 1, NextToken })));
      expect(pages.length).toBe(everything.length);
      expect(pages.flatMap((p) => p.QueueUrls ?? []).sort()).toEqual([...everything].sort());
      // ListBuckets API reference: with MaxBuckets, a ContinuationToken is returned while more buckets remain.
      const s3 = new S3Client({ endpoint: sim?.url ?? '', region: 'us-east-1', credentials: member, forcePathStyle: true });
      const buckets = (await s3.send(new ListBucketsCommand({ MaxBuckets: 1000 }))).Buckets ?? [];
      expect(buckets.length).toBeGreaterThan(1);
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListBucketsCommand({ MaxBuckets: 1, ContinuationToken: token }));
        names.push(...(page.Buckets ?? []).map((b) => b.Name ?? ''));
        token = page.ContinuationToken;
      } while (token !== undefined && names.length <= buckets.length);
      expect(names.sort()).toEqual(buckets.map((b) => b.Name ?? '').sort());

      // moto's gaps, recorded so that a change in moto is noticed: no NextToken from ListQueues,
      // and ListBuckets cut at MaxBuckets without a ContinuationToken.
      const payments = seeded.accounts.find((a) => a.key === 'payments-prod')?.id ?? '';
      const motoMember = await assume(seeded.endpoint, FIRST_CREDENTIALS, `arn:aws:iam::${payments}:role/${seeded.chain.memberRoleName}`);
      const motoQueues = await new SQSClient({ endpoint: seeded.endpoint, region: 'us-east-1', credentials: motoMember }).send(new ListQueuesCommand({ MaxResults: 1 }));
      expect(motoQueues.NextToken).toBeUndefined();
      const motoBuckets = await new S3Client({ endpoint: seeded.endpoint, region: 'us-east-1', credentials: motoMember, forcePathStyle: true }).send(new ListBucketsCommand({ MaxBuckets: 1 }));
      expect(motoBuckets.ContinuationToken).toBeUndefined();
    });
  });
}

async function collectPages<T extends { NextToken?: string | undefined }>(call: (token: string | undefined) => Promise<T>): Promise<T[]> {
  const pages: T[] = [];
  let token: string | undefined;
  do {
    const page = await call(token);
    pages.push(page);
    token = page.NextToken === '' ? undefined : page.NextToken;
  } while (token !== undefined && pages.length < 200);
  return pages;
}

function sameJson(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  try {
    return JSON.stringify(sortKeys(JSON.parse(a))) === JSON.stringify(sortKeys(JSON.parse(b)));
  } catch {
    return a === b;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  return value;
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
