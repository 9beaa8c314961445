/** What the server gives each simulated service, and what each service gives the server. */
import type { AuthContext, SimRequest, SimResponse } from './http.js';
import type { CredentialStore } from './credentials.js';
import type { IssuedRoleCredentials } from './roleCredentials.js';
import type { Counters } from './counters.js';
import type { FaultOptions } from './options.js';
import type { SimRole, SimulatedOrganization } from './organization.js';
import { SimError } from './simError.js';
import type { CommonFailure } from './simError.js';
import type { FailureDetails } from './failures.js';
import type { WebIdentityIssuer } from './webIdentity.js';

export interface ServiceEnvironment {
  readonly org: SimulatedOrganization;
  readonly credentials: CredentialStore;
  readonly faults: FaultOptions;
  readonly counters: Counters;
  readonly seed: number;
  /** Every `emptyPageEvery`-th Organizations page is empty but still carries a NextToken (0 ⇒ never). */
  readonly emptyPageEvery: number;
  /** ListBuckets leaves out `BucketRegion`, as older endpoints and emulators do. */
  omitBucketRegion: boolean;
  /** Host suffix for virtual-host-style S3 (`<bucket>.<suffix>`). */
  readonly virtualHostSuffix: string;
  /** `http://127.0.0.1:PORT`, the base of queue URLs. */
  baseUrl(): string;
  /** Issues session credentials acting as the role, honouring the credential-lifetime knob. */
  issueRoleCredentials(role: SimRole, sessionName: string, durationSeconds: number, mfaAuthenticated: boolean): IssuedRoleCredentials;
  /** The lifetime actually granted for a requested duration (the knob shortens it). */
  lifetimeFor(requestedSeconds: number): number;
  /** The simulator's OpenID Connect provider (web identity tokens). */
  readonly webIdentity: WebIdentityIssuer;
}

export interface SimService {
  /** The SigV4 signing name: `sts`, `organizations`, `sqs`, `s3`, `account`. */
  readonly name: string;
  /** Services whose calls a region not enabled for the account refuses. */
  readonly regional: boolean;
  /** The operation a request asks for (for routing, counters and deny rules). */
  operation(request: SimRequest): string;
  handle(operation: string, request: SimRequest, auth: AuthContext): SimResponse | Promise<SimResponse>;
  /**
   * Operations AWS answers without a signature (STS AssumeRoleWithWebIdentity, which the token
   * authenticates), handled here when a request carries none.
   */
  handleUnsigned?(operation: string, request: SimRequest): SimResponse | undefined;
  /** This service's error for a failure common to all services. */
  failure(kind: CommonFailure, details: FailureDetails): SimError;
  /** Renders an error in this service's wire format. */
  render(error: SimError, request: SimRequest, requestId: string): SimResponse;
}

export function jsonResponse(body: unknown, contentType: string, requestId?: string): SimResponse {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (requestId) headers['x-amzn-requestid'] = requestId;
  return { status: 200, headers, body: JSON.stringify(body) };
}

/** Parses a JSON request body; an empty body is an empty object. */
export function parseJsonBody(request: SimRequest): Record<string, unknown> {
  if (request.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new SimError('SerializationException', 400, 'The request body is not valid JSON.');
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

export function str(input: Record<string, unknown>, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' ? value : undefined;
}

export function num(input: Record<string, unknown>, key: string): number | undefined {
  const value = input[key];
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}
