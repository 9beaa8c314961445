/**
 * The chained AssumeRole authenticator:
 *
 *   first credentials ─ AssumeRole chain[0] ─ chain[1] ─ … ─ chain[n-1] = management credentials
 *        └─ per member account: AssumeRole arn:<partition>:iam::<id>:role/<member_account_role_name>
 *
 * Each hop is a refreshing provider whose source is the previous hop; nothing is fetched before
 * a request needs it, and every client of a hop shares its one provider.
 */
import { AssumeRoleCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import type { Credentials } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { createHash } from 'node:crypto';
import { endpointFor } from '../aws/endpoints.js';
import { classifyError } from '../errors/classify.js';
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
  durationSeconds: number;
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

export function buildCredentialChain(options: ChainOptions): CredentialChain {
  const { params, logger } = options;
  const partition = partitionOf(params.region);
  const window = params.credential_refresh_window_seconds;
  let assumeRoleCalls = 0;

  const sts = (credentials: AwsCredentialIdentityProvider) =>
    new STSClient({
      region: params.region,
      endpoint: endpointFor(params, 'sts'),
      credentials,
      maxAttempts: params.max_attempts,
      ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
    });

  const first = firstCredentials(options);
  // The first credentials' access key id (or a marker for the default chain), digested: cache
  // entries of one set of first credentials are not served to another.
  const cacheSource = createHash('sha256').update(params.access_key_id ?? params.authentication_type).digest('hex').slice(0, 16);

  const hops: Hop[] = [];
  let source: RefreshingProvider = first;
  let capWarned = false;
  const chainStartsWithRole = params.authentication_type === 'roles_anywhere' || params.session_token !== null || params.access_key_id === null;

  params.master_assume_role_arn_chain.forEach((roleArn, index) => {
    let durationSeconds = params.session_duration_seconds;
    if (index > 0 && durationSeconds > ROLE_CHAINING_LIMIT_SECONDS) {
      durationSeconds = ROLE_CHAINING_LIMIT_SECONDS;
      if (!capWarned) {
        capWarned = true;
        logger.warn(
          `session_duration_seconds ${params.session_duration_seconds} is capped at ${ROLE_CHAINING_LIMIT_SECONDS} for hops after the first: AWS limits roles assumed with role credentials (role chaining) to one hour`,
        );
      }
    }
    const mfa = index === 0 && params.mfa_serial_number !== null && params.mfa_token_code !== null ? { serial: params.mfa_serial_number, code: params.mfa_token_code } : null;
    const previous = source;
    const client = sts(previous);
    const provider = assumeRoleProvider({
      label: `master_assume_role_arn_chain[${index}] ${roleArn}`,
      roleArn,
      externalId: params.assume_external_id,
      sessionName: params.role_session_name,
      durationSeconds,
      mfa,
      client,
      source: previous,
      window,
      cache: options.cache,
      cacheSource,
      onCall: () => (assumeRoleCalls += 1),
      fatal: true,
      hint:
        index === 0
          ? 'Check that the first credentials are valid, that the role trusts their principal, and that assume_external_id matches the ExternalId condition of its trust policy.'
          : `Check that ${roleArn} trusts ${params.master_assume_role_arn_chain[index - 1] ?? 'the previous role'} and that assume_external_id matches its trust policy.`,
    });
    hops.push({ index, roleArn, durationSeconds, provider });
    source = provider;
  });

  // MFA without a role to assume: MFA-protected API access through GetSessionToken.
  if (hops.length === 0 && params.mfa_serial_number !== null && params.mfa_token_code !== null) {
    const client = sts(first);
    const serial = params.mfa_serial_number;
    const code = params.mfa_token_code;
    source = refreshingProvider(
      async () => {
        const out = await client.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code, DurationSeconds: params.session_duration_seconds })).catch((error: unknown) => {
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
  // A member role assumed with role credentials is role chaining (one hour at most).
  const memberDuration = hops.length > 0 || chainStartsWithRole ? Math.min(params.session_duration_seconds, ROLE_CHAINING_LIMIT_SECONDS) : params.session_duration_seconds;
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
          window,
          cache: options.cache,
          cacheSource,
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

interface AssumeRoleProviderOptions {
  label: string;
  roleArn: string;
  externalId: string | null;
  sessionName: string;
  durationSeconds: number;
  mfa: { serial: string; code: string } | null;
  client: STSClient;
  /** The credentials the AssumeRole is signed with. */
  source: RefreshingProvider;
  window: number;
  cache: CredentialCache | undefined;
  cacheSource: string;
  onCall: () => void;
  /** A failure stops the run (chain hops) rather than one account (member roles). */
  fatal: boolean;
  hint: string;
}

function assumeRoleProvider(o: AssumeRoleProviderOptions): RefreshingProvider {
  const cacheKey: CacheKey = { roleArn: o.roleArn, sessionName: o.sessionName, externalId: o.externalId, source: o.cacheSource };
  let fromCacheChecked = false;

  const assume = async (): Promise<AwsCredentialIdentity> => {
    o.onCall();
    const out = await o.client.send(
      new AssumeRoleCommand({
        RoleArn: o.roleArn,
        RoleSessionName: o.sessionName,
        DurationSeconds: o.durationSeconds,
        ...(o.externalId !== null ? { ExternalId: o.externalId } : {}),
        ...(o.mfa ? { SerialNumber: o.mfa.serial, TokenCode: o.mfa.code } : {}),
      }),
    );
    return toIdentity(out.Credentials, `AssumeRole ${o.roleArn}`);
  };

  return refreshingProvider(
    async () => {
      if (!fromCacheChecked && o.cache) {
        fromCacheChecked = true;
        const cached = o.cache.get(cacheKey, o.window);
        if (cached) {
          registerCredentials(cached);
          return cached;
        }
      }
      let credentials: AwsCredentialIdentity;
      try {
        credentials = await assume();
      } catch (error) {
        const c = classifyError(error);
        if (c.class === 'expired') {
          // The source's credentials were refused as expired: renew them once and try again.
          await o.source.forceRefresh(o.source.peek());
          try {
            credentials = await assume();
          } catch (again) {
            throw assumeRoleError(o, again);
          }
        } else {
          throw assumeRoleError(o, error);
        }
      }
      o.cache?.put(cacheKey, credentials);
      return credentials;
    },
    { refreshWindowSeconds: o.window, label: o.label },
  );
}

function assumeRoleError(o: AssumeRoleProviderOptions, error: unknown): InventoryError {
  if (error instanceof InventoryError) return error;
  const c = classifyError(error);
  const kind = o.fatal ? 'auth' : c.class === 'internal' ? 'denied' : c.class;
  return new InventoryError(kind, `AssumeRole ${o.roleArn} failed: ${c.code}: ${c.message}.`, { awsCode: c.code, hint: o.hint, cause: error });
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
    maxAttempts: params.max_attempts,
    ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
  });
  return assumeRoleProvider({
    label: `${role.purpose} ${role.roleArn}`,
    roleArn: role.roleArn,
    externalId: role.externalId,
    sessionName: role.sessionName,
    durationSeconds: Math.min(params.session_duration_seconds, ROLE_CHAINING_LIMIT_SECONDS),
    mfa: null,
    client,
    source: chain.management,
    window: params.credential_refresh_window_seconds,
    cache: undefined,
    cacheSource: '',
    onCall: () => undefined,
    fatal: false,
    hint: `Check that ${role.purpose} ${role.roleArn} trusts the chain's last role and that its ExternalId condition matches.`,
  });
}
