/**
 * The first credentials of the chain: static keys from the parameters, the SDK's default
 * provider chain (environment, shared profile, container or instance role) when
 * `access_key_id` is null, or IAM Roles Anywhere.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { endpointFor } from '../aws/endpoints.js';
import type { AwsCredentialIdentity } from '@smithy/types';
import { InventoryError } from '../errors/inventoryError.js';
import { errorCode } from '../errors/classify.js';
import type { ChainOptions } from './chainOptions.js';
import { registerCredentials } from './registerCredentials.js';
import type { RefreshingProvider } from './refreshingProvider.js';
import { refreshingProvider } from './refreshingProvider.js';
import { rolesAnywhereFirstCredentials } from './rolesAnywhereFirstCredentials.js';

export function firstCredentials(options: ChainOptions): RefreshingProvider {
  const { params } = options;
  const window = params.credential_refresh_window_seconds;

  if (params.authentication_type === 'roles_anywhere') {
    return rolesAnywhereFirstCredentials(options);
  }

  if (params.access_key_id !== null) {
    if (params.secret_access_key === null) {
      throw new InventoryError('config', 'access_key_id is set but secret_access_key is not.', {
        field: 'secret_access_key',
        hint: 'Set secret_access_key (or env:NAME), or set access_key_id to null to use the default provider chain.',
      });
    }
    const identity: AwsCredentialIdentity = {
      accessKeyId: params.access_key_id,
      secretAccessKey: params.secret_access_key,
      ...(params.session_token !== null ? { sessionToken: params.session_token } : {}),
    };
    registerCredentials(identity);
    return refreshingProvider(async () => identity, { refreshWindowSeconds: window, label: 'first credentials (access_key_id)' });
  }

  // The STS calls the chain makes itself (AssumeRoleWithWebIdentity for a web identity token, a
  // profile's role_arn) go where the crawl's do: the parameter file's region and STS endpoint,
  // not the SDK's defaults (AWS_REGION, the global endpoint), which an offline or VPC-only host
  // cannot reach. Its HTTP handler is its own: a recording must not see the web identity token.
  const endpoint = endpointFor(params, 'sts');
  const chain = fromNodeProviderChain({ clientConfig: { region: params.region, maxAttempts: params.max_attempts, ...(endpoint !== undefined ? { endpoint } : {}) } });
  return refreshingProvider(
    async () => {
      try {
        // The chain memoizes too: asked only when this provider renews, it must fetch anew.
        const identity = await chain({ forceRefresh: true });
        registerCredentials(identity);
        return identity;
      } catch (error) {
        throw new InventoryError('auth', `No credentials found by the default provider chain (${errorCode(error)}: ${(error as Error).message}).`, {
          field: 'access_key_id',
          hint: 'Set access_key_id and secret_access_key, or provide AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, or a container or instance role.',
          cause: error,
        });
      }
    },
    { refreshWindowSeconds: window, label: 'first credentials (default provider chain)' },
  );
}
