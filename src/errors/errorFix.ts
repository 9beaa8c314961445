/**
 * What to do about a failed AWS call: the one place that turns an error's cause (AWS's error
 * name, the call, who made it) into the fix a person should try. `test-connection` prints it
 * under each failing step, `run` prints it for each kind of error a partial run recorded, and the
 * HTML report shows it beside each group of errors. The error's meaning comes from the one
 * classifier (`classifyError`); this module only words the remedy.
 */
import { iamActionFor } from '../aws/iamActions.js';
import { classifyError } from './classify.js';

/** Which credentials made the call that failed. */
export type FailedStep =
  /** The first credentials (access keys, default chain, Roles Anywhere) calling STS. */
  | 'first-credentials'
  /** An AssumeRole hop of `master_assume_role_arn_chain`. */
  | 'chain-role'
  /** The AssumeRole into a member account (`member_account_role_name`). */
  | 'member-role'
  /** Any other call, made with the chain's last role (`chain`) or a member role (`member`). */
  | 'call';

export interface ErrorCause {
  /** AWS's error name (`AccessDenied`) or the connector's (`RegionNotEnabled`). */
  errorCode: string;
  /** `sts`, `organizations`, `sqs`, `s3`, `account`, … */
  service: string;
  /** The API operation, e.g. `GetBucketPolicy`. */
  operation: string;
  step: FailedStep;
  /** For `call`: whose role made it. The account the chain ends in uses the chain's last role. */
  principal?: 'chain' | 'member';
}

/** AWS answers calls into an opt-in region the account has not enabled with these. */
const REGION_NOT_ENABLED = new Set(['OptInRequired', 'RegionDisabledException', 'RegionNotEnabled']);
/** What AWS answers for an unknown access key; in a region an account has not enabled, also this. */
const UNKNOWN_TOKEN = new Set(['InvalidClientTokenId', 'UnrecognizedClientException']);

/** One sentence: what to change so that the call succeeds next time. */
export function fixFor(cause: ErrorCause): string {
  const { errorCode: code, step } = cause;
  const action = iamActionFor(`${cause.service}:${cause.operation}`);
  if (code === 'SignatureDoesNotMatch') return 'the secret access key does not match the access key id: check secret_access_key';
  if (code === 'ExpiredToken' || code === 'ExpiredTokenException') return 'the session token has expired: get fresh first credentials';
  if (code === 'AWSOrganizationsNotInUseException') return 'the account is not in an organization: the crawl will inventory it alone';
  if (code === 'MultiFactorAuthentication' || /MFA/i.test(code)) return 'check mfa_serial_number and use a fresh mfa_token_code';
  if (UNKNOWN_TOKEN.has(code)) {
    return step === 'call'
      ? 'AWS did not accept the credentials in this region, which is what it answers when the account has not enabled an opt-in region: enable the region for the account, or leave it out of regions'
      : 'the access key id is unknown to AWS: check access_key_id and the region/partition';
  }
  if (REGION_NOT_ENABLED.has(code)) return 'the region is not enabled for this account: enable it for the account, or leave it out of regions';

  const kind = classifyError({ name: code }).class;
  if (step === 'member-role') {
    return kind === 'denied'
      ? "the member role cannot be assumed: check that member_account_role_name exists in the account and trusts the chain's last role (and that member_account_external_id matches its sts:ExternalId condition), or leave the account out with exclude_accounts"
      : 'the member role could not be assumed: run again; if it persists, check STS in the home region';
  }
  if (step === 'first-credentials' || step === 'chain-role') {
    if (code === 'AccessDenied' || code === 'AccessDeniedException') {
      return `check the role's trust policy (it must trust the previous principal) and that assume_external_id matches its sts:ExternalId condition`;
    }
    return 'check the role ARN and its trust policy';
  }
  const who = cause.principal === 'member' ? 'the member role (member_account_role_name) in that account' : "the chain's last role";
  switch (kind) {
    case 'denied':
      return `grant ${action} to ${who}`;
    case 'throttled':
      return 'AWS kept throttling this call past max_attempts retries: lower concurrency or raise max_attempts, and run again';
    case 'transient':
    case 'expired':
      return 'AWS or the network kept failing this call: run again; if it persists, check the endpoint and the network';
    default:
      return `check that ${who} may call ${action}`;
  }
}
