/**
 * Authentication and isolation as AWS does them: only signed requests with credentials the
 * simulator issued and that have not expired get through; roles act as their own account, each
 * account sees only its own resources, and STS enforces trust, external ids, MFA and chaining.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { DescribeOrganizationCommand, ListAccountsCommand, ListRootsCommand } from '@aws-sdk/client-organizations';
import { GetQueueAttributesCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { GetBucketTaggingCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListRegionsCommand } from '@aws-sdk/client-account';
import { BOOTSTRAP_SECRET_ACCESS_KEY, MEMBER_ROLE_NAME, mfaDeviceArn, startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { Keys } from '../helpers/simulatorClients.js';
import * as clients from '../helpers/simulatorClients.js';

let sim: RunningSimulator;
let mgmt: Keys;
let memberA: string;
let memberB: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, accounts: 6, queuesPerAccount: 3, bucketsPerAccount: 3 });
  mgmt = await clients.management(sim);
  const active = sim.org.allAccounts().filter((a) => a.state === 'ACTIVE' && a.id !== sim.managementAccountId);
  // The first active member is a delegated administrator (not for Organizations); use two others.
  memberA = active[1]?.id ?? '';
  memberB = active[2]?.id ?? '';
});
afterAll(() => sim.close());

describe('signature verification', () => {
  const wrongSecret = (): Keys => ({ accessKeyId: sim.bootstrap.accessKeyId, secretAccessKey: `${BOOTSTRAP_SECRET_ACCESS_KEY}x` });
  const unknownKey: Keys = { accessKeyId: 'AKIATESTUNKNOWN00000', secretAccessKey: 'whatever' };

  it('answers SignatureDoesNotMatch for a wrong secret, in every protocol', async () => {
    expect((await clients.failure(clients.sts(sim, wrongSecret()).send(new GetCallerIdentityCommand({})))).name).toBe('SignatureDoesNotMatch');
    expect((await clients.failure(clients.s3(sim, wrongSecret()).send(new ListBucketsCommand({})))).name).toBe('SignatureDoesNotMatch');
    expect((await clients.failure(clients.sqs(sim, wrongSecret()).send(new ListQueuesCommand({})))).name).toBe('SignatureDoesNotMatch');
    expect((await clients.failure(clients.organizations(sim, wrongSecret()).send(new ListRootsCommand({})))).name).toBe('InvalidSignatureException');
  });

  it('answers InvalidClientTokenId (S3: InvalidAccessKeyId) for a key it never issued', async () => {
    const error = await clients.failure(clients.sts(sim, unknownKey).send(new GetCallerIdentityCommand({})));
    expect(error.name).toBe('InvalidClientTokenId');
    expect(error.message).toBe('The security token included in the request is invalid.');
    expect(error.$metadata?.httpStatusCode).toBe(403);
    expect((await clients.failure(clients.s3(sim, unknownKey).send(new ListBucketsCommand({})))).name).toBe('InvalidAccessKeyId');
    expect((await clients.failure(clients.sqs(sim, unknownKey).send(new ListQueuesCommand({})))).name).toBe('InvalidClientTokenId');
    expect((await clients.failure(clients.organizations(sim, unknownKey).send(new ListRootsCommand({})))).name).toBe('UnrecognizedClientException');
  });

  it('refuses a session key sent without its session token, or with another one', async () => {
    const noToken = { accessKeyId: mgmt.accessKeyId, secretAccessKey: mgmt.secretAccessKey };
    expect((await clients.failure(clients.sts(sim, noToken).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    const otherToken = { ...mgmt, sessionToken: `${mgmt.sessionToken}x` };
    expect((await clients.failure(clients.sts(sim, otherToken).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
  });

  it('answers ExpiredToken once issued credentials have expired, in every protocol', async () => {
    sim.faults.credentialLifetimeSeconds = 3;
    let answer;
    try {
      answer = await clients.sts(sim).send(new AssumeRoleCommand({ RoleArn: sim.chainRoleArn, RoleSessionName: 'short', ExternalId: sim.externalId }));
    } finally {
      sim.faults.credentialLifetimeSeconds = 0;
    }
    const c = answer.Credentials;
    const short: Keys = { accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretAccessKey ?? '', sessionToken: c?.SessionToken ?? '' };
    const expiresAt = c?.Expiration?.getTime() ?? 0;
    expect((await clients.sts(sim, short).send(new GetCallerIdentityCommand({}))).Account).toBe(sim.managementAccountId);
    // Wait for the expiry the answer announced, not a fixed time: a loaded machine must not make this flaky.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 50));
    const error = await clients.failure(clients.sts(sim, short).send(new GetCallerIdentityCommand({})));
    expect(error.name).toBe('ExpiredToken');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect((await clients.failure(clients.s3(sim, short).send(new ListBucketsCommand({})))).name).toBe('ExpiredToken');
    expect((await clients.failure(clients.sqs(sim, short).send(new ListQueuesCommand({})))).name).toBe('ExpiredToken');
    expect((await clients.failure(clients.organizations(sim, short).send(new ListRootsCommand({})))).name).toBe('ExpiredTokenException');
    expect((await clients.failure(clients.account(sim, short).send(new ListRegionsCommand({})))).name).toBe('ExpiredTokenException');
  });

  it('refuses a body that does not match the payload hash the client signed', async () => {
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { HttpRequest } = await import('@smithy/protocol-http');
    const { createHash } = await import('node:crypto');
    const { NodeSha256 } = await import('../../src/simulator/sigv4.js');
    const bucket = sim.org.bucketsOf(sim.managementAccountId).find((b) => b.region === 'us-east-1');
    const signed = '<Tagging><TagSet/></Tagging>';
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: mgmt, sha256: NodeSha256, uriEscapePath: false });
    const request = await signer.sign(
      new HttpRequest({
        method: 'PUT',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: sim.port,
        path: `/${bucket?.name}`,
        query: { tagging: '' },
        headers: { host: `127.0.0.1:${sim.port}`, 'x-amz-content-sha256': createHash('sha256').update(signed).digest('hex') },
        body: signed,
      }),
    );
    // The signed body passes authentication (and reaches the unimplemented PutBucketTagging) …
    const honest = await fetch(`${sim.url}/${bucket?.name}?tagging=`, { method: 'PUT', headers: request.headers, body: signed });
    expect(honest.status).toBe(501);
    // … another body under the same signature does not.
    const response = await fetch(`${sim.url}/${bucket?.name}?tagging=`, { method: 'PUT', headers: request.headers, body: '<Tagging><TagSet><Tag/></TagSet></Tagging>' });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('answers an unsigned request with MissingAuthenticationToken', async () => {
    const response = await fetch(`${sim.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });
});

describe('AssumeRole rules', () => {
  it('issues credentials that act as the role’s account, with the assumed-role ARN and an expiry', async () => {
    const answer = await clients
      .sts(sim)
      .send(new AssumeRoleCommand({ RoleArn: sim.chainRoleArn, RoleSessionName: 'nightly', ExternalId: sim.externalId, DurationSeconds: 7200 }));
    expect(answer.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${sim.managementAccountId}:assumed-role/InventoryReader/nightly`);
    expect(answer.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:nightly$/);
    const lifetime = (answer.Credentials?.Expiration?.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan(7190_000);
    expect(lifetime).toBeLessThanOrEqual(7200_000);
  });

  it('refuses a wrong or missing external id, an untrusted caller and an unknown role with AccessDenied', async () => {
    const bootstrap = clients.sts(sim);
    for (const externalId of ['wrong', undefined]) {
      const error = await clients.failure(bootstrap.send(new AssumeRoleCommand({ RoleArn: sim.chainRoleArn, RoleSessionName: 's1', ExternalId: externalId })));
      expect(error.name).toBe('AccessDenied');
      expect(error.message).toContain(`not authorized to perform: sts:AssumeRole on resource: ${sim.chainRoleArn}`);
    }
    // The bootstrap user is not trusted by member roles; only the management account is.
    const memberRole = `arn:aws:iam::${memberA}:role/${MEMBER_ROLE_NAME}`;
    expect((await clients.failure(bootstrap.send(new AssumeRoleCommand({ RoleArn: memberRole, RoleSessionName: 's1' })))).name).toBe('AccessDenied');
    const unknown = `arn:aws:iam::${memberA}:role/NoSuchRole`;
    expect((await clients.failure(clients.sts(sim, mgmt).send(new AssumeRoleCommand({ RoleArn: unknown, RoleSessionName: 's1' })))).name).toBe('AccessDenied');
  });

  it('caps role chaining at one hour with ValidationError, like AWS', async () => {
    const error = await clients.failure(
      clients.sts(sim, mgmt).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${memberA}:role/${MEMBER_ROLE_NAME}`, RoleSessionName: 's1', DurationSeconds: 3601 })),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain('1 hour session limit for roles assumed by role chaining');
  });

  it('accepts MFA for GetSessionToken and AssumeRole only with the user’s device and a six-digit code', async () => {
    const bootstrap = clients.sts(sim);
    const serial = mfaDeviceArn(sim.org.identityAccountId);
    const session = await bootstrap.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: '123456', DurationSeconds: 900 }));
    expect(session.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const bad = await clients.failure(bootstrap.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: '12ab56' })));
    expect(bad.name).toBe('AccessDenied');
    const withMfa = await bootstrap.send(
      new AssumeRoleCommand({ RoleArn: sim.chainRoleArn, RoleSessionName: 'mfa', ExternalId: sim.externalId, SerialNumber: serial, TokenCode: '654321' }),
    );
    expect(withMfa.Credentials?.SessionToken).toBeTypeOf('string');
    // Session credentials cannot ask for another session token.
    expect((await clients.failure(clients.sts(sim, mgmt).send(new GetSessionTokenCommand({})))).name).toBe('AccessDenied');
  });

  it('follows a configured three-role chain, each trusting the previous hop', async () => {
    const [a, b, c] = ['111111111111', '222222222222', sim.managementAccountId];
    const chained = await startSimulator({
      seed: 3,
      accounts: 2,
      roles: [
        { arn: `arn:aws:iam::${a}:role/Hop1`, externalId: 'ext-1' },
        { arn: `arn:aws:iam::${b}:role/Hop2` },
        { arn: `arn:aws:iam::${c}:role/Hop3`, externalId: 'ext-3' },
      ],
    });
    try {
      expect(chained.chainRoleArns).toHaveLength(3);
      const hop1 = await clients.assume(chained, chained.bootstrap, `arn:aws:iam::${a}:role/Hop1`, 'ext-1');
      // Hop3 trusts Hop2's account only: skipping a hop is refused.
      expect((await clients.failure(clients.assume(chained, hop1, `arn:aws:iam::${c}:role/Hop3`, 'ext-3'))).name).toBe('AccessDenied');
      const hop2 = await clients.assume(chained, hop1, `arn:aws:iam::${b}:role/Hop2`);
      const hop3 = await clients.assume(chained, hop2, `arn:aws:iam::${c}:role/Hop3`, 'ext-3');
      expect((await clients.sts(chained, hop3).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${c}:assumed-role/Hop3/sim-test`);
      expect(chained.counters().assumeRole).toBe(3);
    } finally {
      await chained.close();
    }
  });
});

describe('multi-account isolation', () => {
  it('lets only the management account list the organization; members may describe it', async () => {
    const creds = await clients.member(sim, memberA, mgmt);
    const client = clients.organizations(sim, creds);
    const error = await clients.failure(client.send(new ListAccountsCommand({})));
    expect(error.name).toBe('AccessDeniedException');
    expect((await client.send(new DescribeOrganizationCommand({}))).Organization?.Id).toBe(sim.org.organizationId);
    // An identity outside the organization is told Organizations is not in use.
    expect((await clients.failure(clients.organizations(sim, sim.bootstrap).send(new ListRootsCommand({})))).name).toBe('AWSOrganizationsNotInUseException');
  });

  it('lets a delegated administrator of Organizations list the organization', async () => {
    sim.org.delegatedAdministrators.push({ accountId: memberB, servicePrincipal: 'organizations.amazonaws.com', delegationEnabledDate: Date.now() });
    try {
      const creds = await clients.member(sim, memberB, mgmt);
      const { Accounts } = await clients.organizations(sim, creds).send(new ListAccountsCommand({}));
      expect(Accounts?.length).toBe(7);
    } finally {
      sim.org.delegatedAdministrators.pop();
    }
  });

  it('shows each account only its own queues and buckets', async () => {
    const a = await clients.member(sim, memberA, mgmt);
    const b = await clients.member(sim, memberB, mgmt);
    const queuesA = (await clients.sqs(sim, a).send(new ListQueuesCommand({}))).QueueUrls ?? [];
    expect(queuesA.length).toBe(1);
    expect(queuesA.every((u) => u.includes(`/${memberA}/`))).toBe(true);
    const bucketsA = (await clients.s3(sim, a).send(new ListBucketsCommand({}))).Buckets ?? [];
    expect(bucketsA.map((x) => x.Name)).toEqual(sim.org.bucketsOf(memberA).map((x) => x.name));
    // Account B addressing A's queue and bucket: not found / denied, as AWS answers.
    const queueError = await clients.failure(clients.sqs(sim, b).send(new GetQueueAttributesCommand({ QueueUrl: queuesA[0], AttributeNames: ['All'] })));
    expect(queueError.name).toBe('QueueDoesNotExist');
    const bucketA = sim.org.bucketsOf(memberA).find((x) => x.region === 'us-east-1');
    const bucketError = await clients.failure(clients.s3(sim, b).send(new GetBucketTaggingCommand({ Bucket: bucketA?.name })));
    expect(bucketError.name).toBe('AccessDenied');
  });

  it('refuses member roles of suspended accounts', async () => {
    const suspended = sim.org.allAccounts().find((x) => x.state === 'SUSPENDED');
    const target = suspended ?? sim.org.accounts.get(memberB);
    if (!target) throw new Error('no member account');
    const previous = target.state;
    target.state = 'SUSPENDED';
    try {
      expect((await clients.failure(clients.member(sim, target.id, mgmt))).name).toBe('AccessDenied');
    } finally {
      target.state = previous;
    }
  });
});
