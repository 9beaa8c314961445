/**
 * The chained AssumeRole authenticator:
 *
 *   first credentials ─ AssumeRole chain[0] ─ chain[1] ─ … ─ chain[n-1] = management credentials
 *        └─ per member account: AssumeRole arn:<partition>:iam::<id>:role/<member_account_role_name>
 *
 * Each hop is a refreshing provider whose source is the previous hop; nothing is fetched before
 * a request needs it, and every client of a hop shares its one provider.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import type { Credentials } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { createHash } from 'node:crypto';
import pRetry from 'p-retry';
import { endpointFor } from '../aws/endpoints.js';
import { classifyError, isRetryable } from '../errors/classify.js';
import { InventoryError } from '../errors/inventoryError.js';
import type { CacheKey, CredentialCache } from './credentialCache.js';
import type { ChainOptions } from './chainOptions.js';
import { firstCredentials } from './firstCredentials.js';
import { registerCredentials } from './registerCredentials.js';
import type { Partition } from './partition.js';
import { memberRoleArn, partitionOf } from './partition.js';
import type { RefreshingProvider } from './refreshingProvider.js';
import { refreshingProvider } from './refreshingProvider.js';

/** AWS refuses more than an hour for a role assumed with role credentials. */
export const ROLE_CHAINING_LIMIT_SECONDS = 3600;

export interface Hop {
  /** 0-based position in `master_assume_role_arn_chain`. */
  index: number;
  roleArn: string;
  /** DurationSeconds asked for: the last AssumeRole's, or the planned one before it ran. */
  readonly durationSeconds: number;
  provider: RefreshingProvider;
}

export interface CredentialChain {
  partition: Partition;
  first: RefreshingProvider;
  hops: readonly Hop[];
  /** The chain's last credentials (the first ones when the chain is empty). */
  management: RefreshingProvider;
  /** The member-account provider (memoized per account). */
  member(accountId: string): RefreshingProvider;
  /** AssumeRole calls made so far (chain + members), for logs and benchmarks. */
  assumeRoleCalls(): number;
}

/**
 * Whether the first credentials are already role credentials, for which AWS limits AssumeRole to
 * one hour (role chaining) from the very first hop, and why. IAM Roles Anywhere always gives a
 * role session; a `session_token` in the parameters, or one the default chain found (web
 * identity, a container or instance role, SSO, AWS_SESSION_TOKEN), is temporary credentials that
 * are most often a role's — and AWS's answer to the rare GetSessionToken user session that is
 * not is the same hour at most, so the one hour is the safe request. Long-term keys are not.
 */
function roleFirstCredentials(params: ChainOptions['params'], first: AwsCredentialIdentity): string | null {
  if (params.authentication_type === 'roles_anywhere') return 'IAM Roles Anywhere gives a role session';
  if (params.access_key_id !== null) return params.session_token !== null ? 'session_token is set: temporary credentials, usually a role session' : null;
  return first.sessionToken !== undefined ? 'the default provider chain found temporary credentials (web identity, container or instance role, SSO or a session token)' : null;
}

export function buildCredentialChain(options: ChainOptions): CredentialChain {
  const { params, logger } = options;
  const partition = partitionOf(params.region);
  const window = params.credential_refresh_window_seconds;
  let assumeRoleCalls = 0;

  // The SDK's own retries are off: `stsCall` retries every STS call of the chain within
  // max_attempts, ExpiredToken included (renewing the signing credentials when they are stale).
  const sts = (credentials: AwsCredentialIdentityProvider) =>
    new STSClient({
      region: params.region,
      endpoint: endpointFor(params, 'sts'),
      credentials,
      maxAttempts: 1,
      ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
    });

  const first = firstCredentials(options);
  let firstClient: STSClient | undefined;
  const cacheIdentity = options.cache ? lazy(() => cacheIdentityOf(params, first, (firstClient ??= sts(first)))) : () => Promise.resolve('');

  // The one-hour cap, decided when the first AssumeRole is about to be made (the default chain's
  // credentials are known only then) and logged once.
  let capLogged = false;
  const capped = (requested: number, reason: string): number => {
    if (requested <= ROLE_CHAINING_LIMIT_SECONDS) return requested;
    if (!capLogged) {
      capLogged = true;
      logger.warn(`session_duration_seconds ${requested} is capped at ${ROLE_CHAINING_LIMIT_SECONDS} ${reason}: AWS limits roles assumed with role credentials (role chaining) to one hour`);
    }
    return ROLE_CHAINING_LIMIT_SECONDS;
  };
  const firstHopDuration = async (): Promise<number> => {
    const why = roleFirstCredentials(params, await first());
    return why === null ? params.session_duration_seconds : capped(params.session_duration_seconds, `from the first hop (${why})`);
  };

  const hops: Hop[] = [];
  let source: RefreshingProvider = first;

  params.master_assume_role_arn_chain.forEach((roleArn, index) => {
    const mfa = index === 0 && params.mfa_serial_number !== null && params.mfa_token_code !== null ? { serial: params.mfa_serial_number, code: params.mfa_token_code } : null;
    const previous = source;
    let durationSeconds = index === 0 ? params.session_duration_seconds : Math.min(params.session_duration_seconds, ROLE_CHAINING_LIMIT_SECONDS);
    const provider = assumeRoleProvider({
      label: `master_assume_role_arn_chain[${index}] ${roleArn}`,
      roleArn,
      externalId: params.assume_external_id,
      sessionName: params.role_session_name,
      durationSeconds: async () => {
        durationSeconds = index === 0 ? await firstHopDuration() : capped(params.session_duration_seconds, 'for hops after the first');
        return durationSeconds;
      },
      mfa,
      client: sts(previous),
      source: previous,
      maxAttempts: params.max_attempts,
      window,
      cache: options.cache,
      cacheIdentity,
      onCall: () => (assumeRoleCalls += 1),
      fatal: true,
      hint:
        index === 0
          ? 'Check that the first credentials are valid, that the role trusts their principal, and that assume_external_id matches the ExternalId condition of its trust policy.'
          : `Check that ${roleArn} trusts ${params.master_assume_role_arn_chain[index - 1] ?? 'the previous role'} and that assume_external_id matches its trust policy.`,
    });
    hops.push({
      index,
      roleArn,
      provider,
      get durationSeconds() {
        return durationSeconds;
      },
    });
    source = provider;
  });

  // MFA without a role to assume: MFA-protected API access through GetSessionToken.
  if (hops.length === 0 && params.mfa_serial_number !== null && params.mfa_token_code !== null) {
    const client = sts(first);
    const serial = params.mfa_serial_number;
    const code = params.mfa_token_code;
    source = refreshingProvider(
      async () => {
        const out = await stsCall(first, params.max_attempts, () =>
          client.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code, DurationSeconds: params.session_duration_seconds })),
        ).catch((error: unknown) => {
          if (error instanceof InventoryError) throw error;
          const c = classifyError(error);
          throw new InventoryError('auth', `GetSessionToken with MFA device ${serial} failed: ${c.code}: ${c.message}`, {
            awsCode: c.code,
            hint: 'Check mfa_serial_number and that mfa_token_code is the current code (each code works once).',
          });
        });
        return toIdentity(out.Credentials, 'GetSessionToken');
      },
      { refreshWindowSeconds: window, label: `GetSessionToken ${serial}` },
    );
  }

  const management = source;
  const memberRoleName = params.member_account_role_name;
  const members = new Map<string, RefreshingProvider>();
  // A member role assumed with role credentials is role chaining (one hour at most). A
  // GetSessionToken session is a user's, not a role's: not capped.
  const memberDuration = async (): Promise<number> => {
    if (hops.length > 0 || roleFirstCredentials(params, await first()) !== null) return Math.min(params.session_duration_seconds, ROLE_CHAINING_LIMIT_SECONDS);
    return params.session_duration_seconds;
  };
  let memberClient: STSClient | undefined;

  return {
    partition,
    first,
    hops,
    management,
    member(accountId) {
      if (memberRoleName === null) throw new InventoryError('internal', 'member_account_role_name is null: member accounts are not assumed');
      let provider = members.get(accountId);
      if (!provider) {
        memberClient ??= sts(management);
        const roleArn = memberRoleArn(partition, accountId, memberRoleName);
        provider = assumeRoleProvider({
          label: roleArn,
          roleArn,
          externalId: params.member_account_external_id,
          sessionName: params.role_session_name,
          durationSeconds: memberDuration,
          mfa: null,
          client: memberClient,
          source: management,
          maxAttempts: params.max_attempts,
          window,
          cache: options.cache,
          cacheIdentity,
          onCall: () => (assumeRoleCalls += 1),
          fatal: false,
          hint: `Check that ${roleArn} exists and trusts the chain's last role, and that member_account_external_id matches its trust policy.`,
        });
        members.set(accountId, provider);
      }
      return provider;
    },
    assumeRoleCalls: () => assumeRoleCalls,
  };
}

/** Runs `make` once, on first use; a failure is not kept (the next use tries again). */
function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= make().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

/**
 * Who the first credentials are, as the credential cache keys entries: entries cached for one
 * identity are never served to another. Long-term keys are their access key id. Temporary first
 * credentials change key with every session (a web identity token, a container role, Roles
 * Anywhere), so they are keyed by their principal (GetCallerIdentity, one request when the cache
 * is on): a role's sessions share entries (any of them could assume the same roles), two roles or
 * users never do. Digested: the cache file never names them.
 */
async function cacheIdentityOf(params: ChainOptions['params'], first: RefreshingProvider, client: STSClient): Promise<string> {
  const credentials = await first();
  let principal: string;
  if (credentials.sessionToken === undefined) {
    principal = `key:${credentials.accessKeyId}`;
  } else {
    const out = await stsCall(first, params.max_attempts, () => client.send(new GetCallerIdentityCommand({}))).catch((error: unknown) => {
      if (error instanceof InventoryError) throw error;
      const c = classifyError(error);
      throw new InventoryError('auth', `GetCallerIdentity with the first credentials failed: ${c.code}: ${c.message}`, { awsCode: c.code, cause: error });
    });
    // arn:aws:sts::123456789012:assumed-role/Role/session-name: the role, whatever the session.
    principal = `arn:${(out.Arn ?? '').replace(/^(arn:[^:]+:sts::\d{12}:assumed-role\/[^/]+\/).*$/, '$1')}`;
  }
  return createHash('sha256').update(`${params.authentication_type}\n${principal}`).digest('hex').slice(0, 32);
}

/**
 * One STS call a provider makes (AssumeRole, GetSessionToken, GetCallerIdentity), retried as the
 * scheduler retries the crawl's calls: throttling, transient failures and ExpiredToken answers
 * alike, at most `maxAttempts` attempts in all, with full-jitter backoff. An ExpiredToken answer
 * asks the source to renew the credentials the call was signed with (the source decides whether
 * they are stale; see `renewAfterRefusal`); a source that cannot renew ends the call with its error.
 */
export async function stsCall<T>(source: RefreshingProvider, maxAttempts: number, send: () => Promise<T>): Promise<T> {
  let used: AwsCredentialIdentity | undefined;
  return pRetry(
    async () => {
      // What the client will sign with: the source is memoized, so this is what `send` resolves.
      used = await source();
      return send();
    },
    {
      retries: Math.max(0, maxAttempts - 1),
      minTimeout: 100,
      maxTimeout: 20_000,
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => {
        const cls = classifyError(error).class;
        return isRetryable(cls) || cls === 'expired';
      },
      onFailedAttempt: async ({ error, retriesLeft }) => {
        if (retriesLeft > 0 && classifyError(error).class === 'expired') await source.renewAfterRefusal(used);
      },
    },
  );
}

interface AssumeRoleProviderOptions {
  label: string;
  roleArn: string;
  externalId: string | null;
  sessionName: string;
  /** DurationSeconds of the next AssumeRole. */
  durationSeconds: () => Promise<number>;
  mfa: { serial: string; code: string } | null;
  client: STSClient;
  /** The credentials the AssumeRole is signed with. */
  source: RefreshingProvider;
  maxAttempts: number;
  window: number;
  cache: CredentialCache | undefined;
  /** Who the first credentials are (see `cacheIdentityOf`). */
  cacheIdentity: () => Promise<string>;
  onCall: () => void;
  /** A failure stops the run (chain hops) rather than one account (member roles). */
  fatal: boolean;
  hint: string;
}

function assumeRoleProvider(o: AssumeRoleProviderOptions): RefreshingProvider {
  let fromCacheChecked = false;
  const cacheKey = async (): Promise<CacheKey> => ({ roleArn: o.roleArn, sessionName: o.sessionName, externalId: o.externalId, source: await o.cacheIdentity() });

  const assume = async (): Promise<AwsCredentialIdentity> => {
    const durationSeconds = await o.durationSeconds();
    const out = await stsCall(o.source, o.maxAttempts, () => {
      o.onCall();
      return o.client.send(
        new AssumeRoleCommand({
          RoleArn: o.roleArn,
          RoleSessionName: o.sessionName,
          DurationSeconds: durationSeconds,
          ...(o.externalId !== null ? { ExternalId: o.externalId } : {}),
          ...(o.mfa ? { SerialNumber: o.mfa.serial, TokenCode: o.mfa.code } : {}),
        }),
      );
    });
    return toIdentity(out.Credentials, `AssumeRole ${o.roleArn}`);
  };

  return refreshingProvider(
    async () => {
      try {
        if (!fromCacheChecked && o.cache) {
          fromCacheChecked = true;
          const cached = o.cache.get(await cacheKey(), o.window);
          if (cached) {
            registerCredentials(cached);
            return cached;
          }
        }
        const credentials = await assume();
        if (o.cache) o.cache.put(await cacheKey(), credentials);
        return credentials;
      } catch (error) {
        throw assumeRoleError(o, error);
      }
    },
    { refreshWindowSeconds: o.window, label: o.label },
  );
}

function assumeRoleError(o: AssumeRoleProviderOptions, error: unknown): InventoryError {
  if (error instanceof InventoryError) return error;
  const c = classifyError(error);
  const kind = o.fatal ? 'auth' : c.class === 'internal' ? 'denied' : c.class;
  const hint =
    c.class === 'expired'
      ? `AWS refused the credentials that sign this AssumeRole as expired on each of ${o.maxAttempts} attempts (max_attempts), renewed or not: check this machine's clock, and that the session they come from (${o.source.label}) is still valid.`
      : o.hint;
  return new InventoryError(kind, `AssumeRole ${o.roleArn} failed: ${c.code}: ${c.message}.`, { awsCode: c.code, hint, cause: error });
}

function toIdentity(credentials: Credentials | undefined, what: string): AwsCredentialIdentity {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
    throw new InventoryError('auth', `${what} answered without credentials.`);
  }
  const identity: AwsCredentialIdentity = {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
    ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
  };
  registerCredentials(identity);
  return identity;
}

export interface DedicatedRole {
  roleArn: string;
  externalId: string | null;
  sessionName: string;
  /** What the role is for, in errors: `publish.role_arn`. */
  purpose: string;
}

/**
 * A role assumed from the chain's last credentials for one purpose besides the crawl (publishing
 * events), renewed like every hop. Role chaining limits it to an hour. A refusal is not an
 * authentication failure of the run: it is the purpose that fails.
 */
export function dedicatedRoleProvider(chain: CredentialChain, role: DedicatedRole, options: ChainOptions): RefreshingProvider {
  const { params } = options;
  const client = new STSClient({
    region: params.region,
    endpoint: endpointFor(params, 'sts'),
    credentials: chain.management,
    maxAttempts: 1,
    ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
  });
  const durationSeconds = Math.min(params.session_duration_seconds, ROLE_CHAINING_LIMIT_SECONDS);
  return assumeRoleProvider({
    label: `${role.purpose} ${role.roleArn}`,
    roleArn: role.roleArn,
    externalId: role.externalId,
    sessionName: role.sessionName,
    durationSeconds: () => Promise.resolve(durationSeconds),
    mfa: null,
    client,
    source: chain.management,
    maxAttempts: params.max_attempts,
    window: params.credential_refresh_window_seconds,
    cache: undefined,
    cacheIdentity: () => Promise.resolve(''),
    onCall: () => undefined,
    fatal: false,
    hint: `Check that ${role.purpose} ${role.roleArn} trusts the chain's last role and that its ExternalId condition matches.`,
  });
}
