/** AssumeRoleWithWebIdentity as STS answers it: unsigned, authenticated by the token alone. */
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';

let sim: RunningSimulator;
let other: RunningSimulator;
let podRole: string;

beforeAll(async () => {
  const probe = await startSimulator({ accounts: 1 });
  podRole = `arn:aws:iam::${probe.org.identityAccountId}:role/Pod`;
  await probe.close();
  sim = await startSimulator({ accounts: 1, roles: [{ arn: podRole, trustedAccounts: [], webIdentityAudience: 'sts.amazonaws.com' }] });
  other = await startSimulator({ accounts: 1 });
});
afterAll(async () => {
  await sim.close();
  await other.close();
});

/** An STS client without credentials: AssumeRoleWithWebIdentity is sent unsigned. */
const unsigned = () => new STSClient({ region: 'us-east-1', endpoint: sim.url, maxAttempts: 1 });
const assume = (token: string, roleArn = podRole) => unsigned().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'pod-1', WebIdentityToken: token }));
const failure = (promise: Promise<unknown>) => promise.then(() => ({ name: 'no error' }), (e: unknown) => e as { name: string });

describe('AssumeRoleWithWebIdentity', () => {
  it('gives the role’s credentials for a token of the simulator’s provider, and they sign as the role', async () => {
    const out = await assume(sim.webIdentityToken({ subject: 'system:serviceaccount:ns:sa' }));
    expect(out.SubjectFromWebIdentityToken).toBe('system:serviceaccount:ns:sa');
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${sim.org.identityAccountId}:assumed-role/Pod/pod-1`);
    const credentials = { accessKeyId: out.Credentials?.AccessKeyId ?? '', secretAccessKey: out.Credentials?.SecretAccessKey ?? '', sessionToken: out.Credentials?.SessionToken ?? '' };
    const who = await new STSClient({ region: 'us-east-1', endpoint: sim.url, credentials, maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(out.AssumedRoleUser?.Arn);
  });

  it('refuses a token of another provider, an expired one, another audience, and a role that does not trust the provider', async () => {
    // The SDK names STS's InvalidIdentityToken InvalidIdentityTokenException.
    expect((await failure(assume(other.webIdentityToken()))).name).toBe('InvalidIdentityTokenException');
    expect((await failure(assume(sim.webIdentityToken({ lifetimeSeconds: -10 })))).name).toBe('ExpiredTokenException');
    expect((await failure(assume(sim.webIdentityToken({ audience: 'someone-else' })))).name).toBe('AccessDenied');
    expect((await failure(assume(sim.webIdentityToken(), `arn:aws:iam::${sim.managementAccountId}:role/OrganizationAccountAccessRole`))).name).toBe('AccessDenied');
    expect((await failure(assume('not.a.jwt'))).name).toBe('InvalidIdentityTokenException');
  });
});
