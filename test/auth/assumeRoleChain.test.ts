/**
 * The chained AssumeRole authenticator at the wire level: real STS clients sending signed
 * requests to the simulated organization, which checks trust, ExternalId and expiry.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandler, HttpRequest } from '@smithy/protocol-http';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCredentialChain } from '../../src/auth/assumeRoleChain.js';
import { InventoryError } from '../../src/errors/inventoryError.js';
import { runInventory } from '../../src/crawl/run.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { collectLogs, parametersFor, spyHandler, wrapHandler } from '../helpers/harness.js';

const EXTERNAL_ID = 'chain-external-id-42';
const running: RunningSimulator[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.close();
});

/**
 * Arms the simulator's "next request is ExpiredToken" fault when the crawl sends its request
 * number `at[i]`, never twice on one call. The fault goes to whichever request reaches the
 * simulator next, so every request in flight while it is armed may take it; a call whose
 * request may have taken one (the same host, path, query, body and target) holds the next
 * fault back until it is no longer in flight. Otherwise a retry, renewed once already, could
 * take a second fault, which the crawl rightly does not renew again.
 */
function expireOncePerCall(sim: RunningSimulator, at: number[], inner: HttpHandler): HttpHandler {
  const positions = [...at];
  const inFlight = new Map<object, string>();
  const exposed = new Set<string>();
  let count = 0;
  const identity = (r: HttpRequest): string =>
    JSON.stringify([r.hostname, r.path, r.query ?? {}, typeof r.body === 'string' ? r.body : '', r.headers['x-amz-target'] ?? '']);
  return wrapHandler(inner, (request, options) => {
    count += 1;
    const token = {};
    inFlight.set(token, identity(request));
    const next = positions[0];
    if (next !== undefined && count >= next && ![...inFlight.values()].some((id) => exposed.has(id))) {
      positions.shift();
      sim.faults.expireNextRequests = 1;
    }
    if (sim.faults.expireNextRequests > 0) for (const id of inFlight.values()) exposed.add(id);
    return inner.handle(request, options).finally(() => inFlight.delete(token));
  });
}

/** A simulator whose chain is three roles in three accounts, each trusting only the previous one. */
async function threeHopSimulator(extra: Parameters<typeof startSimulator>[0] = {}) {
  const probe = await startSimulator({ accounts: 2 });
  const management = probe.managementAccountId;
  const identity = probe.org.identityAccountId;
  await probe.close();
  const roles = [
    { arn: 'arn:aws:iam::210000000001:role/Entry', externalId: EXTERNAL_ID, trustedAccounts: [identity] },
    { arn: 'arn:aws:iam::210000000002:role/Audit/Middle', externalId: EXTERNAL_ID, trustedAccounts: ['210000000001'] },
    { arn: `arn:aws:iam::${management}:role/InventoryReader`, externalId: EXTERNAL_ID, trustedAccounts: ['210000000002'] },
  ];
  const sim = await startSimulator({ accounts: 2, roles, ...extra });
  running.push(sim);
  return { sim, roles };
}

describe('the role chain', () => {
  it('assumes three roles in order, each with the previous hop’s credentials and the external id', async () => {
    const { sim, roles } = await threeHopSimulator();
    const params = parametersFor(sim, { master_assume_role_arn_chain: roles.map((r) => r.arn).join(';\n'), assume_external_id: EXTERNAL_ID });
    const spy = spyHandler();
    const logs = collectLogs();
    const chain = buildCredentialChain({ params, logger: logs.logger, requestHandler: spy.handler });
    const final = await chain.management();

    const assumes = spy.seen.filter((r) => r.form.get('Action') === 'AssumeRole');
    expect(assumes.map((r) => r.form.get('RoleArn'))).toEqual(roles.map((r) => r.arn));
    expect(assumes.map((r) => r.form.get('ExternalId'))).toEqual([EXTERNAL_ID, EXTERNAL_ID, EXTERNAL_ID]);
    expect(assumes.map((r) => r.form.get('RoleSessionName'))).toEqual(['aws-org-inventory', 'aws-org-inventory', 'aws-org-inventory']);
    // Hop n is signed with the credentials hop n-1 obtained; the first with the long-term key.
    expect(assumes[0]?.accessKeyId).toBe(sim.bootstrap.accessKeyId);
    expect(assumes[1]?.accessKeyId).toBe(chain.hops[0]?.provider.peek()?.accessKeyId);
    expect(assumes[2]?.accessKeyId).toBe(chain.hops[1]?.provider.peek()?.accessKeyId);
    expect(final.accessKeyId).toBe(chain.hops[2]?.provider.peek()?.accessKeyId);

    // Asking again rebuilds nothing: the providers are memoized.
    await Promise.all([chain.management(), chain.management(), chain.hops[0]?.provider()]);
    expect(spy.seen.filter((r) => r.form.get('Action') === 'AssumeRole')).toHaveLength(3);
    expect(chain.assumeRoleCalls()).toBe(3);
  });

  it('caps hops after the first at 3600 s with one warning (role chaining)', async () => {
    const { sim, roles } = await threeHopSimulator();
    const params = parametersFor(sim, { master_assume_role_arn_chain: roles.map((r) => r.arn), assume_external_id: EXTERNAL_ID, session_duration_seconds: 7200 });
    const spy = spyHandler();
    const logs = collectLogs();
    const chain = buildCredentialChain({ params, logger: logs.logger, requestHandler: spy.handler });
    await chain.management();
    const durations = spy.seen.filter((r) => r.form.get('Action') === 'AssumeRole').map((r) => r.form.get('DurationSeconds'));
    expect(durations).toEqual(['7200', '3600', '3600']);
    expect(logs.lines.filter((l) => l.includes('role chaining'))).toHaveLength(1);
  });

  it('fails the run with exit 3 and writes nothing when the first hop is denied', async () => {
    const { sim, roles } = await threeHopSimulator();
    const params = parametersFor(sim, { master_assume_role_arn_chain: roles.map((r) => r.arn), assume_external_id: 'the-wrong-external-id' });
    const logs = collectLogs();
    const error = await runInventory({ params, logger: logs.logger, progress: 'none' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InventoryError);
    const e = error as InventoryError;
    expect(e.kind).toBe('auth');
    expect(e.message).toContain(roles[0]?.arn);
    expect(e.message).toContain('AccessDenied');
    expect(e.hint).toMatch(/trust policy/);
    expect(existsSync(path.join(params.output_dir, 'inventory.sqlite'))).toBe(false);
    expect(existsSync(path.join(params.output_dir, 'csv'))).toBe(false);
  });
});

describe('a crawl through the chain', () => {
  it('renews credentials as they age, recovers injected ExpiredToken, and calls AssumeRole once per provider per renewal', async () => {
    // Credentials live 62 s and are renewed with less than 60 s left: every provider renews about
    // every 2 s. At 60 ms a request and 4 in flight, the crawl's ~150 requests take at least
    // ~2.3 s however fast the machine, so every hop renews at least once.
    const { sim, roles } = await threeHopSimulator({ accounts: 4, queuesPerAccount: 6, bucketsPerAccount: 4, latencyMs: 60, credentialLifetimeSeconds: 62 });
    const params = parametersFor(sim, { master_assume_role_arn_chain: roles.map((r) => r.arn), assume_external_id: EXTERNAL_ID, credential_refresh_window_seconds: 60, concurrency: 4 });
    const logs = collectLogs();
    // ExpiredToken at three points of the crawl, one request each: the request renews its
    // provider's credentials and is retried once.
    const spy = spyHandler(expireOncePerCall(sim, [40, 80, 120], new NodeHttpHandler()));
    const result = await runInventory({ params, logger: logs.logger, progress: 'none', requestHandler: spy.handler });

    expect(result.summary.errorCount).toBe(0);
    expect(result.exitCode).toBe(0);
    expect(sim.counters().faults.expiredToken).toBe(3);
    // Each was recovered: by the scheduler's renew-and-retry, or (when it hit an AssumeRole) by
    // the hop renewing its source once.
    expect(result.requests.expiredRenewals).toBeLessThanOrEqual(3);
    expect(result.wallSeconds).toBeGreaterThan(2);
    const renewalsOf = (arn: string) => spy.seen.filter((r) => r.form.get('Action') === 'AssumeRole' && r.form.get('RoleArn') === arn).length;
    for (const role of roles) expect(renewalsOf(role.arn), `${role.arn} was renewed`).toBeGreaterThan(1);
    // AssumeRole requests on the wire: one per provider per renewal (each renews about every 2 s,
    // plus forced renewals and retried attempts), never one per client (there are dozens).
    const assumes = spy.seen.filter((r) => r.form.get('Action') === 'AssumeRole').length;
    const providers = 3 + 4; // hops + member accounts (the management account uses the chain)
    const renewalsBound = Math.ceil(result.wallSeconds / 2) + 2;
    expect(assumes).toBeGreaterThan(providers);
    expect(assumes).toBeLessThanOrEqual(providers * renewalsBound + result.requests.expiredRenewals);
  }, 60_000);

  it('records a member account whose role is denied and crawls the others', async () => {
    const sim = await startSimulator({ accounts: 3, queuesPerAccount: 2, bucketsPerAccount: 1 });
    running.push(sim);
    const denied = [...sim.org.accounts.keys()].find((id) => id !== sim.managementAccountId) ?? '';
    sim.faults.denyMemberRoles = [denied];
    const params = parametersFor(sim);
    const logs = collectLogs();
    const result = await runInventory({ params, logger: logs.logger, progress: 'none' });
    expect(result.exitCode).toBe(1);
    expect(result.outcome.accounts.denied).toBe(1);
    expect(result.outcome.accounts.crawled).toBe(3);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(result.sqlitePath ?? '', { readonly: true });
    const errors = db.prepare('select * from errors').all() as Array<Record<string, string>>;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ account_id: denied, service: 'sts', operation: 'AssumeRole', error_code: 'AccessDenied', resource: `arn:aws:iam::${denied}:role/OrganizationAccountAccessRole` });
    const status = db.prepare('select crawl_status from accounts where id = ?').pluck().get(denied);
    expect(status).toBe('denied');
    const others = db.prepare("select count(distinct account_id) from sqs_queues where account_id != ?").pluck().get(denied);
    expect(others).toBe(3);
    db.close();
  });

  it('never writes a secret or a session token to logs, the database or CSV', async () => {
    const sim = await startSimulator({ accounts: 2, queuesPerAccount: 2, bucketsPerAccount: 1 });
    running.push(sim);
    sim.faults.denyMemberRoles = [[...sim.org.accounts.keys()].find((id) => id !== sim.managementAccountId) ?? ''];
    const params = parametersFor(sim);
    const spy = spyHandler();
    const logs = collectLogs('trace');
    await runInventory({ params, logger: logs.logger, progress: 'none', requestHandler: spy.handler });
    const secrets = new Set<string>([sim.bootstrap.secretAccessKey]);
    for (const r of spy.seen) if (r.securityToken) secrets.add(r.securityToken);
    expect(secrets.size).toBeGreaterThan(2);
    const written = [logs.lines.join('\n')];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else written.push(readFileSync(p).toString('latin1'));
      }
    };
    walk(params.output_dir);
    for (const text of written) for (const secret of secrets) expect(text.includes(secret), `a secret appears in the output`).toBe(false);
  });
});
