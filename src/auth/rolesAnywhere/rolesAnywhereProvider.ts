/**
 * IAM Roles Anywhere as an SDK credential provider: every call makes a new signed CreateSession.
 * It does not cache: the chain's refreshing wrapper calls it again when the `expiration` it
 * returns comes within the refresh window, which is how the session gets renewed.
 *
 * @example
 *   const first = rolesAnywhereProvider(params.roles_anywhere, { endpoint: endpointFor(params, 'rolesanywhere'), logger });
 *   const credentials = await first(); // { accessKeyId, secretAccessKey, sessionToken, expiration }
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { RolesAnywhereParameters } from '../../parameters/schema.js';
import type { CreateSessionOptions } from './createSession.js';
import { createRolesAnywhereSession } from './createSession.js';

export type RolesAnywhereProviderOptions = CreateSessionOptions;

export function rolesAnywhereProvider(settings: RolesAnywhereParameters, options: RolesAnywhereProviderOptions = {}): AwsCredentialIdentityProvider {
  return async (): Promise<AwsCredentialIdentity> => (await createRolesAnywhereSession(settings, options)).credentials;
}
