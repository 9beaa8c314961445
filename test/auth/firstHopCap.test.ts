/**
 * The one-hour cap of role chaining applies from the first hop when the first credentials are
 * already a role's (a session token, IAM Roles Anywhere, the default chain's web identity or
 * container role): AWS refuses a longer DurationSeconds there, as the simulator does.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runInventory } from '../../src/crawl/run.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { rolesAnywhereRoute } from '../../src/simulator/rolesAnywhere.js';
import { collectLogs, parametersFor, spyHandler } from '../helpers/harness.js';
import type { Pki, Workspace } from '../helpers/rolesAnywhereHarness.js';
import { makePki, PROFILE_ARN, TRUST_ANCHOR_ARN, workspace } from '../helpers/rolesAnywhereHarness.js';

const EXTERNAL_ID = 'cap-external-id';
let sim: RunningSimulator;
let ws: Workspace;
let pki: Pki;
let workload: string;
let reader: string;

beforeAll(async () => {
  const probe = await startSimulator({ accounts: 1 });
  const identity = probe.org.identityAccountId;
  const management = probe.managementAccountId;
  await probe.close();
  // A role of the identity account (what a CI job, a pod or a certificate is) and the inventory
  // role it may assume.
  workload = `arn:aws:iam::${identity}:role/Workload`;
  reader = `arn:aws:iam::${management}:role/InventoryReader`;
  sim = await startSimulator({
    accounts: 1,
    queuesPerAccount: 1,
    bucketsPerAccount: 1,
    roles: [
      { arn: workload, trustedAccounts: [identity] },
      { arn: reader, externalId: EXTERNAL_ID, trustedAccounts: [identity] },
    ],
  });
  ws = workspace();
  pki = makePki(ws, { keyType: 'ec', prefix: 'cap' });
  sim.addRoute(
    rolesAnywhereRoute({
      region: 'eu-west-1',
      trustAnchors: [{ arn: TRUST_ANCHOR_ARN, certificatesPem: pki.root.certificatePem }],
      profiles: [{ arn: PROFILE_ARN, roleArns: [workload] }],
    }),
  );
});
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});
afterEach(() => sim.resetCounters());

async function runWith(extra: Record<string, unknown>) {
  const params = parametersFor(sim, { master_assume_role_arn_chain: [reader], assume_external_id: EXTERNAL_ID, session_duration_seconds: 7200, resources: ['organizations'], ...extra });
  const spy = spyHandler();
  const logs = collectLogs();
  const result = await runInventory({ params, logger: logs.logger, progress: 'none', requestHandler: spy.handler });
  const durations = spy.seen.filter((r) => r.form.get('Action') === 'AssumeRole').map((r) => r.form.get('DurationSeconds'));
  return { result, durations, capLines: logs.lines.filter((l) => l.includes('capped at 3600')) };
}

describe('session_duration_seconds above an hour', () => {
  it('is asked for in full on the first hop when the first credentials are long-term keys', async () => {
    const { result, durations, capLines } = await runWith({});
    expect(result.exitCode).toBe(0);
    expect(durations).toEqual(['7200']);
    expect(capLines).toEqual([]);
  });

  it('is capped at 3600 from the first hop, with one warning, when the first credentials carry a session token', async () => {
    const issued = sim.issueCredentials(workload, 'ci-job', 3600);
    const { result, durations, capLines } = await runWith({ access_key_id: issued.accessKeyId, secret_access_key: issued.secretAccessKey, session_token: issued.sessionToken });
    expect(result.exitCode).toBe(0);
    expect(durations).toEqual(['3600']);
    expect(capLines).toHaveLength(1);
    expect(capLines[0]).toContain('from the first hop (session_token is set');
  });

  it('is capped at 3600 from the first hop when the first credentials come from IAM Roles Anywhere', async () => {
    const { result, durations, capLines } = await runWith({
      access_key_id: null,
      secret_access_key: null,
      authentication_type: 'roles_anywhere',
      roles_anywhere: { ...pki.settings, role_arn: workload, profile_arn: PROFILE_ARN, trust_anchor_arn: TRUST_ANCHOR_ARN },
    });
    expect(result.exitCode).toBe(0);
    expect(durations).toEqual(['3600']);
    expect(capLines).toHaveLength(1);
    expect(capLines[0]).toContain('IAM Roles Anywhere');
    expect(sim.counters().byOperation.rolesanywhere?.CreateSession).toBe(1);
  });
});
