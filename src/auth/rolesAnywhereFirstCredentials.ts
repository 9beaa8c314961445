/**
 * IAM Roles Anywhere as the first credentials of the chain: a signed CreateSession, renewed
 * like every other hop.
 */
import { InventoryError } from '../errors/inventoryError.js';
import type { ChainOptions } from './assumeRoleChain.js';
import type { RefreshingProvider } from './refreshingProvider.js';

export function rolesAnywhereFirstCredentials(options: ChainOptions): RefreshingProvider {
  void options;
  throw new InventoryError('config', 'authentication_type "roles_anywhere" is not available in this build.', {
    field: 'authentication_type',
    hint: 'Use authentication_type "access_keys".',
  });
}
