/**
 * What the connector sends, seen on the wire in real crawls: the MFA device and code on the
 * first hop only, GetSessionToken when there is no role to assume, a custom RoleSessionName on
 * every AssumeRole, and each service's calls to its own `endpoints.*` entry.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runInventory } from '../../src/crawl/run.js';
import { mfaDeviceArn, startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { startForwarder } from '../helpers/forwarder.js';
import type { Forwarder } from '../helpers/forwarder.js';
import { collectLogs, parametersFor, spyHandler } from '../helpers/harness.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ accounts: 2, queuesPerAccount: 3, bucketsPerAccount: 2 });
});
afterAll(async () => sim.close());
afterEach(() => sim.resetCounters());

async function crawl(extra: Record<string, unknown>) {
  const params = parametersFor(sim, extra);
  const spy = spyHandler();
  const result = await runInventory({ params, logger: collectLogs().logger, progress: 'none', requestHandler: spy.handler });
  return { result, seen: spy.seen };
}

describe('MFA', () => {
  it('sends the device and the code with the first AssumeRole of the chain, and with no other', async () => {
    const serial = mfaDeviceArn(sim.org.identityAccountId);
    const { result, seen } = await crawl({ mfa_serial_number: serial, mfa_token_code: '123456' });
    expect(result.exitCode).toBe(0);
    const assumes = seen.filter((r) => r.form.get('Action') === 'AssumeRole');
    expect(assumes.length).toBe(1 + 2); // the chain's role, then the two member accounts
    expect(assumes[0]?.form.get('RoleArn')).toBe(sim.chainRoleArn);
    expect([assumes[0]?.form.get('SerialNumber'), assumes[0]?.form.get('TokenCode')]).toEqual([serial, '123456']);
    for (const member of assumes.slice(1)) {
      expect(member.form.get('RoleArn')).toMatch(/:role\/OrganizationAccountAccessRole$/);
      expect(member.form.has('SerialNumber') || member.form.has('TokenCode')).toBe(false);
    }
    expect(seen.some((r) => r.form.get('Action') === 'GetSessionToken')).toBe(false);
  });

  it('with an empty chain, gets a session with GetSessionToken and signs everything after it with that session', async () => {
    const serial = mfaDeviceArn(sim.org.identityAccountId);
    const { result, seen } = await crawl({ master_assume_role_arn_chain: [], mfa_serial_number: serial, mfa_token_code: '654321', member_account_role_name: null, resources: ['sqs'] });
    const sessions = seen.filter((r) => r.form.get('Action') === 'GetSessionToken');
    expect(sessions).toHaveLength(1);
    expect([sessions[0]?.form.get('SerialNumber'), sessions[0]?.form.get('TokenCode'), sessions[0]?.accessKeyId]).toEqual([serial, '654321', sim.bootstrap.accessKeyId]);
    expect(seen.some((r) => r.form.get('Action') === 'AssumeRole')).toBe(false);
    // Every request after it is signed with the session, never with the long-term key.
    const after = seen.slice(seen.indexOf(sessions[0] as (typeof seen)[number]) + 1);
    expect(after.length).toBeGreaterThan(1);
    for (const request of after) {
      expect(request.accessKeyId).toMatch(/^ASIA/);
      expect(request.securityToken).not.toBeNull();
    }
    expect(result.outcome.callerArn).toBe(`arn:aws:iam::${sim.org.identityAccountId}:user/inventory-simulated-user`);
    expect(result.exitCode).toBe(0);
  });

  it('fails the run with exit-code kind auth and a hint when the code is refused', async () => {
    const error = await crawl({ mfa_serial_number: 'arn:aws:iam::123456789012:mfa/someone-else', mfa_token_code: '123456' }).catch((e: unknown) => e as { kind?: string; message: string; hint?: string });
    expect(error).toMatchObject({ kind: 'auth' });
    expect((error as { message: string }).message).toMatch(/AssumeRole .* failed: AccessDenied: MultiFactorAuthentication failed/);
  });
});

describe('role_session_name', () => {
  it('names every AssumeRole session, chain and member roles alike', async () => {
    const { result, seen } = await crawl({ role_session_name: 'nightly-inventory@ci' });
    expect(result.exitCode).toBe(0);
    const names = seen.filter((r) => r.form.get('Action') === 'AssumeRole').map((r) => r.form.get('RoleSessionName'));
    expect(names).toEqual(['nightly-inventory@ci', 'nightly-inventory@ci', 'nightly-inventory@ci']);
    expect(result.outcome.callerArn).toBe(`arn:aws:sts::${sim.managementAccountId}:assumed-role/InventoryReader/nightly-inventory@ci`);
  });
});

describe('endpoints.*', () => {
  const services = ['sts', 'organizations', 'sqs', 's3', 'account'] as const;
  const forwarders = new Map<string, Forwarder>();
  beforeAll(async () => {
    for (const service of services) forwarders.set(service, await startForwarder(sim.url));
  });
  afterAll(async () => {
    for (const forwarder of forwarders.values()) await forwarder.close();
  });

  it('sends each service’s calls to its own endpoint, endpoint_url to none', async () => {
    const endpoints = Object.fromEntries(services.map((service) => [service, forwarders.get(service)?.url]));
    // endpoint_url names a closed port: anything sent there would fail.
    const { result, seen } = await crawl({ endpoint_url: 'http://127.0.0.1:9', endpoints, regions: 'all' });
    expect(result.exitCode).toBe(0);
    expect(result.summary.rows.sqs_queues).toBe(3 * 3);
    for (const service of services) {
      const sent = seen.filter((r) => r.signingService === service);
      expect(sent.length, service).toBeGreaterThan(0);
      expect(new Set(sent.map((r) => r.port)), service).toEqual(new Set([forwarders.get(service)?.port]));
      expect(forwarders.get(service)?.count(), service).toBe(sent.length);
    }
  });
});
