/** Real SDK clients pointed at a running simulator, and the credentials of its chain and member roles. */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3Client } from '@aws-sdk/client-s3';
import { AccountClient } from '@aws-sdk/client-account';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { MEMBER_ROLE_NAME } from '../../src/simulator/index.js';

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** One attempt only: tests look at the simulator's answer, not at the SDK's retries. */
const base = (sim: RunningSimulator, credentials: Keys, region = 'us-east-1') => ({ endpoint: sim.url, region, credentials, maxAttempts: 1 });

export const sts = (sim: RunningSimulator, credentials: Keys = sim.bootstrap, region = 'us-east-1') => new STSClient(base(sim, credentials, region));
export const organizations = (sim: RunningSimulator, credentials: Keys) => new OrganizationsClient(base(sim, credentials));
export const sqs = (sim: RunningSimulator, credentials: Keys, region = 'us-east-1') => new SQSClient(base(sim, credentials, region));
export const s3 = (sim: RunningSimulator, credentials: Keys, region = 'us-east-1') => new S3Client({ ...base(sim, credentials, region), forcePathStyle: true });
export const account = (sim: RunningSimulator, credentials: Keys) => new AccountClient(base(sim, credentials));

export async function assume(sim: RunningSimulator, from: Keys, roleArn: string, externalId?: string, durationSeconds?: number): Promise<Keys> {
  const answer = await sts(sim, from).send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sim-test', ExternalId: externalId, DurationSeconds: durationSeconds }),
  );
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole answered without credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** The management account's credentials, through the default chain role. */
export function management(sim: RunningSimulator): Promise<Keys> {
  return assume(sim, sim.bootstrap, sim.chainRoleArn, sim.externalId);
}

export async function member(sim: RunningSimulator, accountId: string, from?: Keys): Promise<Keys> {
  return assume(sim, from ?? (await management(sim)), `arn:aws:iam::${accountId}:role/${MEMBER_ROLE_NAME}`);
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number }; $response?: { headers: Record<string, string> }; Code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail, it succeeded');
}
