/**
 * Roles Anywhere inside the running simulated organization: the credentials CreateSession
 * returns are accepted by the simulated STS like AssumeRole credentials, so AssumeRole into a
 * member account works on top of them, as the chain does.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolesAnywhereProvider } from '../../src/auth/rolesAnywhere/rolesAnywhereProvider.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { rolesAnywhereRoute } from '../../src/simulator/rolesAnywhere.js';
import type { Pki, Workspace } from '../helpers/rolesAnywhereHarness.js';
import { makePki, PROFILE_ARN, TRUST_ANCHOR_ARN, workspace } from '../helpers/rolesAnywhereHarness.js';

let ws: Workspace;
let sim: RunningSimulator;
let pki: Pki;

beforeAll(async () => {
  ws = workspace();
  pki = makePki(ws, { keyType: 'ec', intermediate: true, prefix: 'sim' });
  sim = await startSimulator({ accounts: 2, queuesPerAccount: 0, bucketsPerAccount: 0 });
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

describe('Roles Anywhere in the simulated organization', () => {
  it('gives credentials that STS accepts, and AssumeRole into a member account works on top', async () => {
    const settings = { ...pki.settings, role_arn: sim.chainRoleArn, session_name: 'ra-session' };
    const credentials = rolesAnywhereProvider(settings, { endpoint: sim.url });
    const sts = new STSClient({ endpoint: sim.url, region: 'us-east-1', credentials });

    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(sim.chainRoleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/ra-session');

    const member = [...sim.org.accounts.keys()].find((id) => id !== sim.managementAccountId);
    expect(member).toBeDefined();
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`, RoleSessionName: 'inventory' }));
    expect(assumed.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/inventory`);
    expect(sim.counters().byOperation.rolesanywhere?.CreateSession).toBe(1);
  });

  it('answers an untrusted certificate with AccessDeniedException through the running server', async () => {
    const stranger = makePki(ws, { keyType: 'rsa', prefix: 'sim-stranger' });
    const credentials = rolesAnywhereProvider({ ...stranger.settings, role_arn: sim.chainRoleArn }, { endpoint: sim.url });
    await expect(credentials()).rejects.toMatchObject({ kind: 'auth', awsCode: 'AccessDeniedException', message: expect.stringContaining('Untrusted signing certificate') });
  });
});
