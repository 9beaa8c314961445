/**
 * One memoized credential provider per hop and per member account, shared by every client that
 * signs with it. It renews when less than the refresh window remains, lets concurrent callers
 * share one renewal (single flight), and can be told that the credentials it handed out were
 * refused as expired (`forceRefresh`).
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface RefreshingProviderOptions {
  /** Renew when less than this many seconds remain. */
  refreshWindowSeconds: number;
  /** A label for logs and errors: the role ARN, or `first credentials`. */
  label: string;
  now?: () => number;
}

export interface RefreshingProvider extends AwsCredentialIdentityProvider {
  /** Tells the SDK not to wrap this provider in its own memoization. */
  readonly memoized: true;
  readonly label: string;
  /**
   * Renew now, unless someone already renewed since `stale` was handed out (then the newer
   * credentials are returned without another call).
   */
  forceRefresh(stale?: AwsCredentialIdentity): Promise<AwsCredentialIdentity>;
  /** How many times the source was called (1 + renewals). */
  readonly fetches: number;
  /** The credentials currently held, if any (no fetch). */
  peek(): AwsCredentialIdentity | undefined;
}

/** Why a fetch is made: absent for a renewal in the window, set after a refusal as expired. */
export interface ForcedFetch {
  stale?: AwsCredentialIdentity;
}

export function refreshingProvider(
  fetch: (forced?: ForcedFetch) => Promise<AwsCredentialIdentity>,
  options: RefreshingProviderOptions,
): RefreshingProvider {
  const now = options.now ?? Date.now;
  const windowMs = options.refreshWindowSeconds * 1000;
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  let fetches = 0;

  const renew = (forced?: ForcedFetch): Promise<AwsCredentialIdentity> => {
    if (!pending) {
      fetches += 1;
      pending = fetch(forced)
        .then((credentials) => {
          current = credentials;
          return credentials;
        })
        .finally(() => {
          pending = undefined;
        });
    }
    return pending;
  };

  const fresh = (credentials: AwsCredentialIdentity | undefined): credentials is AwsCredentialIdentity =>
    credentials !== undefined && (credentials.expiration === undefined || credentials.expiration.getTime() - now() > windowMs);

  const provider = async (): Promise<AwsCredentialIdentity> => (fresh(current) ? current : renew());

  const result = Object.assign(provider, {
    memoized: true as const,
    label: options.label,
    forceRefresh: async (stale?: AwsCredentialIdentity) => {
      if (pending) return pending;
      if (stale !== undefined && current !== undefined && current.accessKeyId !== stale.accessKeyId) return current;
      return renew(stale !== undefined ? { stale } : {});
    },
    fetches: 0,
    peek: () => current,
  });
  // A live count: Object.assign would copy a getter's value once.
  Object.defineProperty(result, 'fetches', { get: () => fetches, enumerable: true });
  return result;
}
