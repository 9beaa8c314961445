/**
 * One memoized credential provider per hop and per member account, shared by every client that
 * signs with it. It renews when less than the refresh window remains, lets concurrent callers
 * share one renewal (single flight), and can be told that the credentials a request was signed
 * with were refused as expired (`renewAfterRefusal`).
 *
 * A renewal storm is impossible by construction: a refusal renews only when the refused request
 * was signed with the credentials held now (a request signed before the last renewal just retries
 * with the newer ones); concurrent refusals share one renewal; credentials that a refusal renewed
 * are not renewed for another refusal until `minAgeForRenewalMs` has passed (AWS has just issued
 * them: another set would be refused the same way — clock skew, or a fault on AWS's side — so
 * the caller backs off and retries with them); and a renewal that failed is not tried again for
 * the same credentials for as long. So refusals renew a provider at most once per
 * `minAgeForRenewalMs`, however many requests are refused, and every caller's retries stay
 * within its own `max_attempts`.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface RefreshingProviderOptions {
  /** Renew when less than this many seconds remain. */
  refreshWindowSeconds: number;
  /** A label for logs and errors: the role ARN, or `first credentials`. */
  label: string;
  now?: () => number;
  /** See the module comment; default 30 s. */
  minAgeForRenewalMs?: number;
}

/** What `renewAfterRefusal` did. */
export interface Renewal {
  /** The credentials to retry with. */
  credentials: AwsCredentialIdentity;
  /**
   * `renewed`: this refusal renewed them; `joined`: it waited for a renewal already under way;
   * `newer`: they were renewed after the refused request was signed; `kept`: the held credentials
   * come from a renewal for a refusal a moment ago, and are not renewed again yet (retry with them
   * after a backoff).
   */
  outcome: 'renewed' | 'joined' | 'newer' | 'kept';
}

export interface RefreshingProvider extends AwsCredentialIdentityProvider {
  /** Tells the SDK not to wrap this provider in its own memoization. */
  readonly memoized: true;
  readonly label: string;
  /**
   * The credentials `used` were refused as expired (ExpiredToken, RequestExpired). Renews them
   * when they are the ones held now and old enough (see the module comment); otherwise hands
   * back the credentials to retry with. Throws when the renewal fails.
   */
  renewAfterRefusal(used: AwsCredentialIdentity | undefined): Promise<Renewal>;
  /** How many times the source was called (1 + renewals). */
  readonly fetches: number;
  /** The credentials currently held, if any (no fetch). */
  peek(): AwsCredentialIdentity | undefined;
}

/** Why a fetch is made: absent for a renewal in the window, set after a refusal as expired. */
export interface ForcedFetch {
  stale?: AwsCredentialIdentity;
}

const DEFAULT_MIN_AGE_FOR_RENEWAL_MS = 30_000;

/** Two credential sets are the same when they sign the same way (across threads objects differ). */
export function sameCredentials(a: AwsCredentialIdentity | undefined, b: AwsCredentialIdentity | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return a.accessKeyId === b.accessKeyId && a.sessionToken === b.sessionToken && a.expiration?.getTime() === b.expiration?.getTime();
}

export function refreshingProvider(
  fetch: (forced?: ForcedFetch) => Promise<AwsCredentialIdentity>,
  options: RefreshingProviderOptions,
): RefreshingProvider {
  const now = options.now ?? Date.now;
  const windowMs = options.refreshWindowSeconds * 1000;
  const minAgeMs = options.minAgeForRenewalMs ?? DEFAULT_MIN_AGE_FOR_RENEWAL_MS;
  let current: AwsCredentialIdentity | undefined;
  /** When `current` was obtained, and whether a refusal made that renewal. */
  let obtainedAt = 0;
  let obtainedForRefusal = false;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  /** The last renewal that failed while credentials were held, and which ones it was to replace. */
  let failed: { at: number; replacing: AwsCredentialIdentity | undefined; error: unknown } | undefined;
  let fetches = 0;

  const renew = (forced?: ForcedFetch): Promise<AwsCredentialIdentity> => {
    if (!pending) {
      fetches += 1;
      const replacing = current;
      pending = fetch(forced)
        .then((credentials) => {
          current = credentials;
          obtainedAt = now();
          obtainedForRefusal = forced !== undefined;
          failed = undefined;
          return credentials;
        })
        .catch((error: unknown) => {
          failed = { at: now(), replacing, error };
          throw error;
        })
        .finally(() => {
          pending = undefined;
        });
    }
    return pending;
  };

  const fresh = (credentials: AwsCredentialIdentity | undefined): credentials is AwsCredentialIdentity =>
    credentials !== undefined && (credentials.expiration === undefined || credentials.expiration.getTime() - now() > windowMs);
  const stillValid = (credentials: AwsCredentialIdentity | undefined): credentials is AwsCredentialIdentity =>
    credentials !== undefined && (credentials.expiration === undefined || credentials.expiration.getTime() > now());
  /** A renewal of `credentials` failed a moment ago: do not call the source again yet. */
  const recentlyFailed = (credentials: AwsCredentialIdentity | undefined): boolean =>
    failed !== undefined && sameCredentials(failed.replacing, credentials) && now() - failed.at < minAgeMs;

  const provider = async (): Promise<AwsCredentialIdentity> => {
    if (fresh(current)) return current;
    if (pending) return pending;
    // In the refresh window but still valid, after a failed renewal: keep signing with them and
    // try again later, rather than every request calling the source while it fails.
    if (stillValid(current) && recentlyFailed(current)) return current;
    try {
      return await renew();
    } catch (error) {
      if (stillValid(current)) return current;
      throw error;
    }
  };

  const renewAfterRefusal = async (used: AwsCredentialIdentity | undefined): Promise<Renewal> => {
    if (pending) return { credentials: await pending, outcome: 'joined' };
    if (current !== undefined && used !== undefined && !sameCredentials(current, used)) return { credentials: current, outcome: 'newer' };
    if (current !== undefined && obtainedForRefusal && now() - obtainedAt < minAgeMs) return { credentials: current, outcome: 'kept' };
    if (failed !== undefined && recentlyFailed(current)) throw failed.error;
    return { credentials: await renew(used !== undefined ? { stale: used } : {}), outcome: 'renewed' };
  };

  const result = Object.assign(provider, {
    memoized: true as const,
    label: options.label,
    renewAfterRefusal,
    fetches: 0,
    peek: () => current,
  });
  // A live count: Object.assign would copy a getter's value once.
  Object.defineProperty(result, 'fetches', { get: () => fetches, enumerable: true });
  return result;
}
