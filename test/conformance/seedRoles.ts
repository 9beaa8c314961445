/**
 * The IAM side of the seeding: the member role in every member account, and the connector's
 * two-hop chain (a jump role in the security account, then a reader role in the management
 * account, each trusting the previous hop and requiring the external id). Emulators check none of
 * this; the roles are still created as an administrator would, so the seeding also works as a
 * template against AWS.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { iamQueryClient } from './iamQuery.js';
import { EXTERNAL_ID, FIRST_CREDENTIALS, HOME_REGION, JUMP_ROLE, MEMBER_ROLE_NAME, READER_ROLE } from './seedPlan.js';

export interface SeededRoles {
  /** Credentials of each member account's member role, by plan key. */
  memberCredentials: Map<string, AwsCredentialIdentity>;
  /** The chain's hop ARNs in order. */
  roleArns: string[];
}

export async function seedRoles(endpoint: string, org: { managementAccountId: string; members: { key: string; id: string }[] }): Promise<SeededRoles> {
  const { managementAccountId } = org;
  const memberCredentials = new Map<string, AwsCredentialIdentity>();
  for (const member of org.members) {
    const credentials = await assume(endpoint, `arn:aws:iam::${member.id}:role/${MEMBER_ROLE_NAME}`, FIRST_CREDENTIALS);
    memberCredentials.set(member.key, credentials);
    // AWS (and moto) create this role with the account; an emulator that does not gets it here,
    // with the trust policy and permissions AWS gives it.
    const iam = iamQueryClient(endpoint, credentials);
    if ((await iam.getRole(MEMBER_ROLE_NAME)) !== null) continue;
    await iam.createRole({
      roleName: MEMBER_ROLE_NAME,
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${managementAccountId}:root` }, Action: 'sts:AssumeRole' }] },
    });
    await iam.attachRolePolicy(MEMBER_ROLE_NAME, 'arn:aws:iam::aws:policy/AdministratorAccess');
  }

  const jumpAccount = org.members.find((m) => m.key === JUMP_ROLE.account);
  const jumpCredentials = memberCredentials.get(JUMP_ROLE.account);
  if (jumpAccount === undefined || jumpCredentials === undefined) throw new Error(`seed plan: the jump role's account ${JUMP_ROLE.account} is not a member account`);
  const withExternalId = { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } };
  const jumpArn = `arn:aws:iam::${jumpAccount.id}:role${JUMP_ROLE.path}${JUMP_ROLE.name}`;
  const readerArn = `arn:aws:iam::${managementAccountId}:role${READER_ROLE.path}${READER_ROLE.name}`;

  // The first credentials are an IAM user of the management account; the jump role trusts that account.
  const jumpIam = iamQueryClient(endpoint, jumpCredentials);
  await jumpIam.createRole({
    roleName: JUMP_ROLE.name,
    path: JUMP_ROLE.path,
    description: 'First hop of the inventory role chain',
    trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${managementAccountId}:root` }, Action: 'sts:AssumeRole', Condition: withExternalId }] },
    tags: { Purpose: 'inventory' },
  });
  await jumpIam.putRolePolicy(JUMP_ROLE.name, 'assume-reader', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: readerArn }] });

  const readerIam = iamQueryClient(endpoint, FIRST_CREDENTIALS);
  await readerIam.createRole({
    roleName: READER_ROLE.name,
    path: READER_ROLE.path,
    description: 'Second hop: reads the organization and assumes member roles',
    trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: jumpArn }, Action: 'sts:AssumeRole', Condition: withExternalId }] },
    tags: { Purpose: 'inventory' },
  });
  await readerIam.putRolePolicy(READER_ROLE.name, 'inventory', {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['organizations:Describe*', 'organizations:List*', 'sqs:ListQueues', 'sqs:GetQueueAttributes', 'sqs:ListQueueTags', 's3:ListAllMyBuckets', 's3:GetBucket*', 's3:GetEncryptionConfiguration', 's3:GetLifecycleConfiguration'],
        Resource: '*',
      },
      { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::*:role/${MEMBER_ROLE_NAME}` },
    ],
  });
  return { memberCredentials, roleArns: [jumpArn, readerArn] };
}

async function assume(endpoint: string, roleArn: string, source: AwsCredentialIdentity): Promise<AwsCredentialIdentity> {
  const sts = new STSClient({ endpoint, region: HOME_REGION, credentials: source, maxAttempts: 3 });
  const answer = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'conformance-seeding' }));
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error(`AssumeRole ${roleArn} answered no credentials`);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}
