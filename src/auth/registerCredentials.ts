/**
 * Every credential the run obtains is registered with the log redactor as soon as it exists, so
 * no log line, error message or output can carry its secret parts. A module of its own because
 * every credential source (first credentials, chain hops, member roles) calls it.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { registerSecret } from '../log/redact.js';

export function registerCredentials(identity: AwsCredentialIdentity): void {
  registerSecret(identity.secretAccessKey);
  if (identity.sessionToken) registerSecret(identity.sessionToken);
}
