/**
 * Roles Anywhere as the first credentials of a real run and of test-connection: the certificate
 * gets a session (CreateSession), the crawl runs on top of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConnection } from '../../src/diagnostics/testConnection.js';
import { runInventory } from '../../src/crawl/run.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { rolesAnywhereRoute } from '../../src/simulator/rolesAnywhere.js';
import { collectLogs, parametersFor } from '../helpers/harness.js';
import type { Pki, Workspace } from '../helpers/rolesAnywhereHarness.js';
import { makePki, PROFILE_ARN, TRUST_ANCHOR_ARN, workspace } from '../helpers/rolesAnywhereHarness.js';

let ws: Workspace;
let sim: RunningSimulator;
let pki: Pki;

beforeAll(async () => {
  ws = workspace();
  pki = makePki(ws, { keyType: 'rsa', prefix: 'run' });
  sim = await startSimulator({ accounts: 2, queuesPerAccount: 2, bucketsPerAccount: 1 });
  sim.addRoute(
    rolesAnywhereRoute({
      region: 'eu-west-1',
      trustAnchors: [{ arn: TRUST_ANCHOR_ARN, certificatesPem: pki.root.certificatePem }],
      profiles: [{ arn: PROFILE_ARN, roleArns: [sim.chainRoleArn] }],
    }),
  );
});
afterAll(async () => {
  await sim.close();
  ws.cleanup();
});

function raParameters() {
  return parametersFor(sim, {
    access_key_id: null,
    secret_access_key: null,
    master_assume_role_arn_chain: [],
    authentication_type: 'roles_anywhere',
    roles_anywhere: { ...pki.settings, role_arn: sim.chainRoleArn, profile_arn: PROFILE_ARN, trust_anchor_arn: TRUST_ANCHOR_ARN },
  });
}

describe('a run whose first credentials come from IAM Roles Anywhere', () => {
  it('crawls the organization on top of the CreateSession credentials', async () => {
    const params = raParameters();
    const result = await runInventory({ params, logger: collectLogs().logger, progress: 'none' });
    expect(result.exitCode).toBe(0);
    expect(result.outcome.callerArn.startsWith(`arn:aws:sts::${sim.managementAccountId}:assumed-role/InventoryReader/`)).toBe(true);
    expect(result.summary.rows.accounts).toBe(3);
    expect(sim.counters().byOperation.rolesanywhere?.CreateSession).toBeGreaterThanOrEqual(1);
  });

  it('shows the certificate and the CreateSession step in test-connection', async () => {
    const report = await testConnection(raParameters(), collectLogs().logger);
    expect(report.checks[0]?.step).toBe('IAM Roles Anywhere certificate');
    expect(report.checks[0]?.detail).toMatch(/serial \d+/);
    expect(report.checks[1]).toMatchObject({ step: 'IAM Roles Anywhere CreateSession', status: 'PASS' });
    expect(report.exitCode).toBe(0);
  });
});
