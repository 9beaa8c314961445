/** Credentials issued for a role, by AssumeRole or by an extra route such as Roles Anywhere. */
import type { CredentialStore, IssuedCredentials } from './credentials.js';
import type { Counters } from './counters.js';
import type { SimRole } from './organization.js';

export interface IssuedRoleCredentials extends IssuedCredentials {
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  assumedRoleArn: string;
  /** `AROA…:<session>`. */
  assumedRoleId: string;
}

export function issueRoleCredentials(
  store: CredentialStore,
  counters: Counters,
  role: SimRole,
  sessionName: string,
  lifetimeSeconds: number,
  mfaAuthenticated: boolean,
): IssuedRoleCredentials {
  const assumedRoleArn = `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`;
  const assumedRoleId = `${role.roleId}:${sessionName}`;
  const issued = store.issue({ accountId: role.accountId, arn: assumedRoleArn, userId: assumedRoleId, kind: 'assumed-role', roleArn: role.arn, mfaAuthenticated }, lifetimeSeconds);
  counters.credentialsIssued();
  return { ...issued, assumedRoleArn, assumedRoleId };
}
