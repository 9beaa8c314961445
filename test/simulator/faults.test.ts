/**
 * Each fault knob, changed while the server runs, produces the answer AWS gives for that
 * fault — in the shape of the service's protocol — and is counted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ListAccountsCommand, ListRootsCommand, OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { GetBucketPolicyCommand, GetBucketVersioningCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListRegionsCommand } from '@aws-sdk/client-account';
import { defaultFaults, startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator, SimulatorCounters } from '../../src/simulator/index.js';
import type { Keys } from '../helpers/simulatorClients.js';
import * as clients from '../helpers/simulatorClients.js';

let sim: RunningSimulator;
let mgmt: Keys;
let memberId: string;
let member: Keys;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, accounts: 4, queuesPerAccount: 3, bucketsPerAccount: 3 });
  mgmt = await clients.management(sim);
  memberId = sim.org.allAccounts().find((a) => a.id !== sim.managementAccountId && a.state === 'ACTIVE')?.id ?? '';
  member = await clients.member(sim, memberId, mgmt);
});
afterEach(() => {
  Object.assign(sim.faults, defaultFaults());
});
afterAll(() => sim.close());

describe('throttling', () => {
  it('answers with each service’s own throttling error', async () => {
    sim.faults.throttleRate = { '*': 1 };
    const sts = await clients.failure(clients.sts(sim, mgmt).send(new GetCallerIdentityCommand({})));
    expect([sts.name, sts.$metadata?.httpStatusCode]).toEqual(['Throttling', 400]);
    const org = await clients.failure(clients.organizations(sim, mgmt).send(new ListRootsCommand({})));
    expect([org.name, org.$metadata?.httpStatusCode]).toEqual(['TooManyRequestsException', 400]);
    const sqs = await clients.failure(clients.sqs(sim, mgmt).send(new ListQueuesCommand({})));
    expect([sqs.name, sqs.$metadata?.httpStatusCode]).toEqual(['RequestThrottled', 400]);
    const s3 = await clients.failure(clients.s3(sim, mgmt).send(new ListBucketsCommand({})));
    expect([s3.name, s3.$metadata?.httpStatusCode]).toEqual(['SlowDown', 503]);
    const account = await clients.failure(clients.account(sim, mgmt).send(new ListRegionsCommand({})));
    expect([account.name, account.$metadata?.httpStatusCode]).toEqual(['TooManyRequestsException', 429]);
    expect(sim.counters().faults.throttled).toBeGreaterThanOrEqual(5);
  });

  it('throttles only the service named', async () => {
    sim.faults.throttleRate = { organizations: 1 };
    expect((await clients.failure(clients.organizations(sim, mgmt).send(new ListRootsCommand({})))).name).toBe('TooManyRequestsException');
    expect((await clients.sqs(sim, mgmt).send(new ListQueuesCommand({}))).QueueUrls).toHaveLength(1);
  });

  it('lets the SDK’s own retries get through a 30% Organizations throttling storm', async () => {
    sim.faults.throttleRate = { organizations: 0.3 };
    const before = sim.counters();
    const client = new OrganizationsClient({ endpoint: sim.url, region: 'us-east-1', credentials: mgmt, maxAttempts: 12, retryMode: 'standard' });
    const ids: string[] = [];
    for await (const page of paginateListAccounts({ client, pageSize: 1 }, {})) ids.push(...(page.Accounts ?? []).map((a) => a.Id as string));
    expect(ids).toEqual(sim.org.allAccounts().map((a) => a.id));
    const throttled = (sim.counters().faults.throttled ?? 0) - (before.faults.throttled ?? 0);
    expect(throttled).toBeGreaterThan(0);
  });
});

describe('server errors, resets and latency', () => {
  it('answers 500 or 503 at the 5xx rate', async () => {
    sim.faults.serverErrorRate = 1;
    const statuses = new Set<number | undefined>();
    for (let i = 0; i < 12; i++) statuses.add((await clients.failure(clients.s3(sim, mgmt).send(new ListBucketsCommand({})))).$metadata?.httpStatusCode);
    expect(statuses).toEqual(new Set([500, 503]));
    const sts = await clients.failure(clients.sts(sim, mgmt).send(new GetCallerIdentityCommand({})));
    expect(['InternalFailure', 'ServiceUnavailable']).toContain(sts.name);
    expect(sim.counters().faults.serverError).toBeGreaterThanOrEqual(13);
  });

  it('destroys the connection at the reset rate', async () => {
    sim.faults.connectionResetRate = 1;
    const error = await clients.failure(clients.sts(sim, mgmt).send(new GetCallerIdentityCommand({})));
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect(String((error as { code?: string }).code ?? error.message)).toMatch(/ECONNRESET|socket hang up/);
    expect(sim.counters().faults.connectionReset).toBeGreaterThanOrEqual(1);
  });

  it('delays every answer by the latency plus jitter', async () => {
    sim.faults.latencyMs = 80;
    sim.faults.jitterMs = 20;
    const started = performance.now();
    await clients.sts(sim, mgmt).send(new GetCallerIdentityCommand({}));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(78);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('expired tokens', () => {
  it('expires the next N session-credential requests, then recovers', async () => {
    sim.faults.expireNextRequests = 2;
    const client = clients.sqs(sim, member);
    expect((await clients.failure(client.send(new ListQueuesCommand({})))).name).toBe('ExpiredToken');
    expect((await clients.failure(clients.organizations(sim, mgmt).send(new ListRootsCommand({})))).name).toBe('ExpiredTokenException');
    expect((await client.send(new ListQueuesCommand({}))).QueueUrls).toHaveLength(1);
    expect(sim.faults.expireNextRequests).toBe(0);
  });

  it('expires a fraction of requests at the ExpiredToken rate, never the long-term bootstrap keys', async () => {
    sim.faults.expiredTokenRate = 1;
    expect((await clients.failure(clients.s3(sim, member).send(new ListBucketsCommand({})))).name).toBe('ExpiredToken');
    expect((await clients.sts(sim).send(new GetCallerIdentityCommand({}))).Arn).toContain(':user/');
  });

  it('shortens issued credentials to the configured lifetime', async () => {
    sim.faults.credentialLifetimeSeconds = 20;
    const answer = await clients
      .sts(sim)
      .send(new AssumeRoleCommand({ RoleArn: sim.chainRoleArn, RoleSessionName: 'short', ExternalId: sim.externalId, DurationSeconds: 3600 }));
    const lifetime = (answer.Credentials?.Expiration?.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan(15_000);
    expect(lifetime).toBeLessThanOrEqual(20_000);
  });
});

describe('access denied and regions', () => {
  it('denies by calling account, service, region and operation', async () => {
    sim.faults.deny = [{ account: memberId, service: 'sqs' }];
    const sqsDenied = await clients.failure(clients.sqs(sim, member).send(new ListQueuesCommand({})));
    expect(sqsDenied.name).toBe('AccessDenied');
    expect(sqsDenied.message).toContain('is not authorized to perform: sqs:ListQueues');
    expect((await clients.sqs(sim, mgmt).send(new ListQueuesCommand({}))).QueueUrls).toHaveLength(1);

    sim.faults.deny = [{ operation: 'GetBucketPolicy' }];
    const bucket = sim.org.bucketsOf(memberId).find((b) => b.region === 'us-east-1');
    const s3 = clients.s3(sim, member);
    expect((await clients.failure(s3.send(new GetBucketPolicyCommand({ Bucket: bucket?.name })))).name).toBe('AccessDenied');
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket?.name }))).$metadata.httpStatusCode).toBe(200);

    sim.faults.deny = [{ region: 'eu-west-1', service: 'sqs' }];
    expect((await clients.failure(clients.sqs(sim, member, 'eu-west-1').send(new ListQueuesCommand({})))).name).toBe('AccessDenied');
    expect((await clients.sqs(sim, member, 'us-east-1').send(new ListQueuesCommand({}))).QueueUrls).toHaveLength(1);

    sim.faults.deny = [{ service: 'organizations', operation: 'ListAccounts' }];
    expect((await clients.failure(clients.organizations(sim, mgmt).send(new ListAccountsCommand({})))).name).toBe('AccessDeniedException');
    expect(sim.counters().faults.accessDenied).toBeGreaterThanOrEqual(4);
  });

  it('refuses the member role of chosen accounts while the chain still works', async () => {
    sim.faults.denyMemberRoles = [memberId];
    expect((await clients.failure(clients.member(sim, memberId, mgmt))).name).toBe('AccessDenied');
    expect((await clients.management(sim)).accessKeyId).toMatch(/^ASIA/);
  });

  it('fails SQS in a region the account has not enabled as AWS does, and lists it DISABLED', async () => {
    sim.faults.regionsNotEnabled = { [memberId]: ['ap-southeast-2'] };
    const error = await clients.failure(clients.sqs(sim, member, 'ap-southeast-2').send(new ListQueuesCommand({})));
    expect(error.name).toBe('InvalidClientTokenId');
    expect(error.message).toBe('The security token included in the request is invalid.');
    expect((await clients.sqs(sim, member, 'eu-west-1').send(new ListQueuesCommand({}))).$metadata.httpStatusCode).toBe(200);
    const regions = (await clients.account(sim, member).send(new ListRegionsCommand({}))).Regions;
    expect(regions?.find((r) => r.RegionName === 'ap-southeast-2')?.RegionOptStatus).toBe('DISABLED');
    expect(sim.counters().faults.regionNotEnabled).toBeGreaterThanOrEqual(1);
  });

  it('answers AWSOrganizationsNotInUseException when the organization is switched off', async () => {
    sim.faults.organizationsNotInUse = true;
    expect((await clients.failure(clients.organizations(sim, mgmt).send(new ListRootsCommand({})))).name).toBe('AWSOrganizationsNotInUseException');
  });
});

describe('admin endpoint', () => {
  it('serves the counters and reset without a signature, and changes fault knobs over HTTP', async () => {
    sim.resetCounters();
    await clients.sqs(sim, member).send(new ListQueuesCommand({}));
    await clients.s3(sim, member).send(new ListBucketsCommand({}));
    const counters = (await (await fetch(`${sim.url}/_simulator/counters`)).json()) as SimulatorCounters;
    expect(counters.requests).toBe(2);
    expect(counters.byOperation).toEqual({ sqs: { ListQueues: 1 }, s3: { ListBuckets: 1 } });
    expect(counters.byAccount).toEqual({ [memberId]: 2 });
    expect(counters).toEqual(sim.counters());

    const patched = await fetch(`${sim.url}/_simulator/faults`, { method: 'POST', body: JSON.stringify({ throttleRate: { s3: 1 } }) });
    expect(patched.status).toBe(200);
    expect(sim.faults.throttleRate).toEqual({ s3: 1 });
    const refused = await fetch(`${sim.url}/_simulator/faults`, { method: 'POST', body: JSON.stringify({ throtleRate: 1 }) });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('unknown fault knobs: throtleRate');

    await fetch(`${sim.url}/_simulator/counters/reset`, { method: 'POST' });
    expect(sim.counters().requests).toBe(0);
  });
});

describe('malformed requests', () => {
  it('answers a body that is not JSON with SerializationException, not a crash', async () => {
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { HttpRequest } = await import('@smithy/protocol-http');
    const { NodeSha256 } = await import('../../src/simulator/sigv4.js');
    const signer = new SignatureV4({ service: 'sqs', region: 'us-east-1', credentials: member, sha256: NodeSha256 });
    const body = '{not json';
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: sim.port,
        path: '/',
        headers: { host: `127.0.0.1:${sim.port}`, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
        body,
      }),
    );
    const response = await fetch(`${sim.url}/`, { method: 'POST', headers: signed.headers, body });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toBe('SerializationException');
  });
});
