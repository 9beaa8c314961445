/**
 * IAM Roles Anywhere as the first credentials of the chain: a signed CreateSession, renewed
 * like every other hop (a new CreateSession when less than the refresh window remains).
 */
import { endpointFor } from '../aws/endpoints.js';
import { InventoryError } from '../errors/inventoryError.js';
import type { ChainOptions } from './chainOptions.js';
import type { RefreshingProvider } from './refreshingProvider.js';
import { refreshingProvider } from './refreshingProvider.js';
import { rolesAnywhereProvider } from './rolesAnywhere/rolesAnywhereProvider.js';

export function rolesAnywhereFirstCredentials(options: ChainOptions): RefreshingProvider {
  const { params } = options;
  const settings = params.roles_anywhere;
  if (settings === null) {
    throw new InventoryError('config', 'authentication_type is "roles_anywhere" but roles_anywhere is not set.', {
      field: 'roles_anywhere',
      hint: 'Add a roles_anywhere object with profile_arn, role_arn, trust_anchor_arn, region, certificate_path and private_key_path.',
    });
  }
  const endpoint = endpointFor(params, 'rolesanywhere');
  return refreshingProvider(
    rolesAnywhereProvider(settings, {
      ...(endpoint !== undefined ? { endpoint } : {}),
      ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
      logger: options.logger,
    }),
    { refreshWindowSeconds: params.credential_refresh_window_seconds, label: `first credentials (IAM Roles Anywhere ${settings.role_arn})` },
  );
}
