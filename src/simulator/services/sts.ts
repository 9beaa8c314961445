/** STS over the AWS query protocol: form-encoded POSTs, XML answers. */
import { requestId as newRequestId } from '../requestId.js';
import type { AuthContext, Caller, SimRequest, SimResponse } from '../http.js';
import type { ServiceEnvironment, SimService } from '../service.js';
import type { IssuedCredentials } from '../credentials.js';
import { BOOTSTRAP_USER_NAME } from '../credentials.js';
import { stsFailure } from '../failures.js';
import { SimError } from '../simError.js';
import { el, isoTime, wrap } from '../xml.js';

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const MFA_CODE = /^\d{6}$/;

function form(request: SimRequest): URLSearchParams {
  if (request.method === 'GET') {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(request.query)) params.set(key, Array.isArray(value) ? (value[0] ?? '') : value);
    return params;
  }
  return new URLSearchParams(request.body.toString('utf8'));
}

function validation(message: string): SimError {
  return new SimError('ValidationError', 400, message);
}

export class StsService implements SimService {
  readonly name = 'sts';
  readonly regional = false;

  constructor(private readonly env: ServiceEnvironment) {}

  operation(request: SimRequest): string {
    return form(request).get('Action') ?? 'Unknown';
  }

  failure = stsFailure;

  render(error: SimError, _request: SimRequest, requestId: string): SimResponse {
    const body =
      `<ErrorResponse xmlns="${NAMESPACE}">` +
      wrap('Error', el('Type', error.fault) + el('Code', error.code) + el('Message', error.message)) +
      el('RequestId', requestId) +
      `</ErrorResponse>`;
    return { status: error.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, ...error.headers }, body };
  }

  handle(operation: string, request: SimRequest, auth: AuthContext): SimResponse {
    const params = form(request);
    switch (operation) {
      case 'GetCallerIdentity':
        return this.answer(
          operation,
          el('UserId', auth.caller.userId) + el('Account', auth.caller.accountId) + el('Arn', auth.caller.arn),
        );
      case 'AssumeRole':
        return this.assumeRole(params, auth.caller);
      case 'GetSessionToken':
        return this.getSessionToken(params, auth.caller);
      default:
        throw new SimError('InvalidAction', 400, `Could not find operation ${operation} for version 2011-06-15`);
    }
  }

  handleUnsigned(operation: string, request: SimRequest): SimResponse | undefined {
    if (operation !== 'AssumeRoleWithWebIdentity') return undefined;
    return this.assumeRoleWithWebIdentity(form(request));
  }

  private answer(operation: string, result: string): SimResponse {
    const requestId = newRequestId();
    const body =
      `<${operation}Response xmlns="${NAMESPACE}">` +
      wrap(`${operation}Result`, result) +
      wrap('ResponseMetadata', el('RequestId', requestId)) +
      `</${operation}Response>`;
    return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
  }

  private assumeRole(params: URLSearchParams, caller: Caller): SimResponse {
    const roleArn = params.get('RoleArn');
    const sessionName = params.get('RoleSessionName');
    if (!roleArn) throw validation("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
    if (!sessionName) throw validation("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
    if (!SESSION_NAME.test(sessionName)) {
      throw validation(
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
      );
    }
    const duration = parseDuration(params.get('DurationSeconds'), 3600, 900, 43200);
    const denied = new SimError('AccessDenied', 403, `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    const role = this.env.org.roles.get(roleArn);
    if (!role || !role.trustedAccounts.includes(caller.accountId)) throw denied;
    if (!role.chainRole && this.env.faults.denyMemberRoles.includes(role.accountId)) {
      this.env.counters.fault('accessDenied');
      throw denied;
    }
    const account = this.env.org.accounts.get(role.accountId);
    if (account && account.state !== 'ACTIVE') throw denied;
    const externalId = params.get('ExternalId') ?? undefined;
    if (role.externalId !== undefined && externalId !== role.externalId) throw denied;
    const mfa = this.checkMfa(params, caller);
    if (caller.kind === 'assumed-role' && duration > 3600) {
      throw validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    }
    if (duration > role.maxSessionDurationSeconds) {
      throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    }
    const issued = this.env.issueRoleCredentials(role, sessionName, duration, mfa || caller.mfaAuthenticated);
    this.env.counters.assumeRole(role.accountId);
    return this.answer(
      'AssumeRole',
      credentialsXml(issued) +
        wrap('AssumedRoleUser', el('AssumedRoleId', issued.assumedRoleId) + el('Arn', issued.assumedRoleArn)) +
        el('PackedPolicySize', params.get('Policy') ? 6 : undefined) +
        el('SourceIdentity', params.get('SourceIdentity')),
    );
  }

  /** A role for the bearer of a token of the simulator's OpenID Connect provider. */
  private assumeRoleWithWebIdentity(params: URLSearchParams): SimResponse {
    const roleArn = params.get('RoleArn');
    const sessionName = params.get('RoleSessionName');
    const token = params.get('WebIdentityToken');
    if (!roleArn) throw validation("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
    if (!sessionName || !SESSION_NAME.test(sessionName)) throw validation("1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    if (!token) throw validation("1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null");
    const duration = parseDuration(params.get('DurationSeconds'), 3600, 900, 43200);
    const verified = this.env.webIdentity.verify(token);
    if ('refused' in verified) throw new SimError(verified.refused, 400, verified.message);
    const role = this.env.org.roles.get(roleArn);
    if (!role || role.webIdentityAudience === undefined || role.webIdentityAudience !== verified.claims.aud) {
      throw new SimError('AccessDenied', 403, 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
    }
    if (duration > role.maxSessionDurationSeconds) throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    const issued = this.env.issueRoleCredentials(role, sessionName, duration, false);
    this.env.counters.assumeRole(role.accountId);
    return this.answer(
      'AssumeRoleWithWebIdentity',
      credentialsXml(issued) +
        el('SubjectFromWebIdentityToken', verified.claims.sub) +
        wrap('AssumedRoleUser', el('AssumedRoleId', issued.assumedRoleId) + el('Arn', issued.assumedRoleArn)) +
        el('Provider', verified.claims.iss.replace(/^https:\/\//, '')) +
        el('Audience', verified.claims.aud),
    );
  }

  private getSessionToken(params: URLSearchParams, caller: Caller): SimResponse {
    if (caller.kind !== 'user') throw new SimError('AccessDenied', 403, 'Cannot call GetSessionToken with session credentials');
    const duration = parseDuration(params.get('DurationSeconds'), 43200, 900, 129600);
    const mfa = this.checkMfa(params, caller);
    const credentials = this.env.credentials.issue(
      { accountId: caller.accountId, arn: caller.arn, userId: caller.userId, kind: 'session', mfaAuthenticated: mfa },
      this.env.lifetimeFor(duration),
    );
    this.env.counters.credentialsIssued();
    return this.answer('GetSessionToken', credentialsXml(credentials));
  }

  /** MFA must name the bootstrap user's device and carry a six-digit code. */
  private checkMfa(params: URLSearchParams, caller: Caller): boolean {
    const serial = params.get('SerialNumber');
    const code = params.get('TokenCode');
    if (!serial && !code) return false;
    if (!serial || !code) throw validation('SerialNumber and TokenCode must be given together.');
    const device = mfaDeviceArn(this.env.org.identityAccountId);
    if (caller.kind !== 'user' || serial !== device || !MFA_CODE.test(code)) {
      throw new SimError('AccessDenied', 403, 'MultiFactorAuthentication failed with invalid MFA one time pass code. ');
    }
    return true;
  }
}

export function mfaDeviceArn(identityAccountId: string): string {
  return `arn:aws:iam::${identityAccountId}:mfa/${BOOTSTRAP_USER_NAME}`;
}

function parseDuration(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw validation(
      `1 validation error detected: Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`,
    );
  }
  return value;
}

function credentialsXml(c: IssuedCredentials): string {
  return wrap(
    'Credentials',
    el('AccessKeyId', c.accessKeyId) + el('SecretAccessKey', c.secretAccessKey) + el('SessionToken', c.sessionToken) + el('Expiration', isoTime(c.expiration)),
  );
}
