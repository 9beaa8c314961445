/** The simulator's options and its fault knobs, with their defaults. */

/** A rule that refuses matching requests with the service's AccessDenied answer. Unset fields match anything. */
export interface DenyRule {
  /** The calling account (the account of the credentials that signed the request). */
  account?: string;
  region?: string;
  /** `sts`, `organizations`, `sqs`, `s3`, `account`. */
  service?: string;
  /** The operation name, e.g. `ListQueues`, `GetBucketPolicy`. */
  operation?: string;
}

/**
 * Faults and knobs that tests and benchmarks change while the server runs: the running
 * simulator reads this object on every request.
 */
export interface FaultOptions {
  /** Fixed delay before every answer, in ms. */
  latencyMs: number;
  /** Extra uniformly random delay, 0…jitterMs. */
  jitterMs: number;
  /** Fraction (0–1) of requests answered with the service's throttling error, by service (`*` for all). */
  throttleRate: Record<string, number>;
  /** Fraction of requests answered with a 500 InternalError or 503 ServiceUnavailable. */
  serverErrorRate: number;
  /** Fraction of requests whose connection is destroyed without an answer. */
  connectionResetRate: number;
  /** Fraction of authenticated requests answered with ExpiredToken although the credentials are valid. */
  expiredTokenRate: number;
  /** The next N authenticated requests are answered with ExpiredToken. */
  expireNextRequests: number;
  /**
   * Requests signed with temporary credentials that match a rule are all answered with
   * ExpiredToken, however fresh the credentials (as AWS answers a session it considers expired).
   */
  expireMatching: DenyRule[];
  /** Lifetime in seconds of every credential the simulator issues (0 ⇒ the requested duration). */
  credentialLifetimeSeconds: number;
  /** Requests refused with AccessDenied. */
  deny: DenyRule[];
  /** Accounts whose member roles (every role but the configured chain roles) cannot be assumed. */
  denyMemberRoles: string[];
  /** Regions not enabled, by account id: SQS calls signed for them fail as AWS fails them. */
  regionsNotEnabled: Record<string, string[]>;
  /** Organizations answers AWSOrganizationsNotInUseException, as for an account outside any organization. */
  organizationsNotInUse: boolean;
  /** The next N SendMessageBatch entries (matching `batchEntryFailureMatch`) are refused one by one; the rest of their batch goes through. */
  failNextBatchEntries: number;
  /** Fraction (0–1) of SendMessageBatch entries refused one by one. */
  batchEntryFailureRate: number;
  /** Only entries whose message body contains this text are refused; null ⇒ any entry. */
  batchEntryFailureMatch: string | null;
  /** How a refused entry is answered in the batch's `Failed` list. */
  batchEntryFailure: BatchEntryFailure;
}

export interface BatchEntryFailure {
  code: string;
  message: string;
  /** False ⇒ a retryable refusal (AWS's InternalError); true ⇒ the message itself is wrong. */
  senderFault: boolean;
}

export interface ChainRoleOptions {
  arn: string;
  externalId?: string;
  /** Accounts allowed to assume it; default: the account of the previous role, the identity account for the first. */
  trustedAccounts?: string[];
  maxSessionDurationSeconds?: number;
  /**
   * The role trusts the simulator's OpenID Connect provider for tokens of this audience
   * (`sts.amazonaws.com`, as for an EKS service account): AssumeRoleWithWebIdentity works for it.
   */
  webIdentityAudience?: string;
}

export function defaultFaults(): FaultOptions {
  return {
    latencyMs: 0,
    jitterMs: 0,
    throttleRate: {},
    serverErrorRate: 0,
    connectionResetRate: 0,
    expiredTokenRate: 0,
    expireNextRequests: 0,
    expireMatching: [],
    credentialLifetimeSeconds: 0,
    deny: [],
    denyMemberRoles: [],
    regionsNotEnabled: {},
    organizationsNotInUse: false,
    failNextBatchEntries: 0,
    batchEntryFailureRate: 0,
    batchEntryFailureMatch: null,
    batchEntryFailure: { code: 'InternalError', message: 'We encountered an internal error. Please try again.', senderFault: false },
  };
}

export const DEFAULT_REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
export const DEFAULT_EXTERNAL_ID = 'simulated-external-id';
