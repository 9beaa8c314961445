/**
 * IAM Roles Anywhere CreateSession: `POST /sessions` signed with the certificate's private key,
 * exchanged for temporary credentials of the profile's role.
 *
 * @example
 *   const session = await createRolesAnywhereSession(params.roles_anywhere, { endpoint: endpointFor(params, 'rolesanywhere') });
 *   session.assumedRoleArn; // arn:aws:sts::111122223333:assumed-role/Inventory/3054…
 */
import { HttpRequest } from '@smithy/protocol-http';
import type { HttpHandler } from '@smithy/protocol-http';
import type { AwsCredentialIdentity } from '@smithy/types';
import pRetry, { AbortError } from 'p-retry';
import { InventoryError } from '../../errors/inventoryError.js';
import type { Logger } from '../../log/logger.js';
import { registerSecret } from '../../log/redact.js';
import type { RolesAnywhereParameters } from '../../parameters/schema.js';
import type { CertificateMaterial } from './certificateMaterial.js';
import { loadCertificateMaterial } from './certificateMaterial.js';
import { amzDate, authorizationHeader, canonicalRequest, credentialScope, signatureHex, stringToSign } from './x509Signature.js';

export interface CreateSessionOptions {
  /** `endpoints.rolesanywhere` or `endpoint_url`; the regional AWS endpoint when absent. */
  endpoint?: string;
  /** An SDK HTTP handler (recording wraps one); `fetch` when absent. */
  requestHandler?: Pick<HttpHandler, 'handle'>;
  logger?: Logger;
  /** The clock, for tests. */
  now?: () => Date;
  /** Attempts for throttling, 5xx answers and network errors (default 3). */
  maxAttempts?: number;
}

export interface RolesAnywhereSession {
  credentials: AwsCredentialIdentity & { sessionToken: string; expiration: Date };
  /** `arn:<partition>:sts::<account>:assumed-role/<role>/<session>` */
  assumedRoleArn: string;
  subjectArn: string | null;
  /** The certificate serial (decimal) the session was made with. */
  serialNumber: string;
}

export interface WireRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** The regional endpoint; China regions live under amazonaws.com.cn. */
export function defaultRolesAnywhereEndpoint(region: string): string {
  return `https://rolesanywhere.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/** Build and sign the CreateSession request for `material` at `date`. */
export function signedCreateSessionRequest(settings: RolesAnywhereParameters, material: CertificateMaterial, endpoint: string, date: Date): WireRequest {
  const url = new URL(endpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/sessions`;
  const body = JSON.stringify({
    profileArn: settings.profile_arn,
    roleArn: settings.role_arn,
    trustAnchorArn: settings.trust_anchor_arn,
    durationSeconds: settings.duration_seconds,
    ...(settings.session_name ? { roleSessionName: settings.session_name } : {}),
  });
  const timestamp = amzDate(date);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    host: url.host,
    'x-amz-date': timestamp,
    'x-amz-x509': material.certificate.raw.toString('base64'),
  };
  if (material.chain.length > 0) headers['x-amz-x509-chain'] = material.chain.map((certificate) => certificate.raw.toString('base64')).join(',');

  const signedHeaders = Object.keys(headers);
  const scope = credentialScope(timestamp, settings.region);
  const canonical = canonicalRequest({ method: 'POST', path: url.pathname, query: url.search.replace(/^\?/, ''), headers, signedHeaders, body });
  const signature = signatureHex(stringToSign(material.algorithm, timestamp, scope, canonical), material.privateKey);
  headers.authorization = authorizationHeader(material.algorithm, material.serialNumber, scope, signedHeaders, signature);
  return { url, headers, body };
}

/** Load the certificate material, sign CreateSession and return the role's credentials. */
export async function createRolesAnywhereSession(settings: RolesAnywhereParameters, options: CreateSessionOptions = {}): Promise<RolesAnywhereSession> {
  const now = options.now ?? (() => new Date());
  // Read the files on every call so a certificate rotated on disk is picked up at the next renewal.
  const material = loadCertificateMaterial(settings, now());
  const endpoint = options.endpoint ?? defaultRolesAnywhereEndpoint(settings.region);
  options.logger?.debug(
    { endpoint, profileArn: settings.profile_arn, roleArn: settings.role_arn, trustAnchorArn: settings.trust_anchor_arn, serialNumber: material.serialNumber, algorithm: material.algorithm },
    'IAM Roles Anywhere CreateSession',
  );

  const response = await pRetry(
    async () => {
      // Sign each attempt afresh: X-Amz-Date must stay within AWS's five-minute window.
      const request = signedCreateSessionRequest(settings, material, endpoint, now());
      let answer: WireResponse;
      try {
        answer = await send(request, options.requestHandler);
      } catch (error) {
        throw unreachable(endpoint, error);
      }
      if (answer.status >= 200 && answer.status < 300) return answer;
      const refusal = refusalOf(answer);
      const error = refused(settings, refusal);
      if (answer.status >= 500 || refusal.code === 'ThrottlingException' || refusal.code === 'TooManyRequestsException') throw error;
      throw new AbortError(error);
    },
    // p-retry rethrows the InventoryError inside an AbortError, so callers see the error itself.
    { retries: Math.max(0, (options.maxAttempts ?? 3) - 1), minTimeout: 200, maxTimeout: 2000, randomize: true },
  );

  const session = parseSession(response.body, material.serialNumber, endpoint);
  registerSecret(session.credentials.secretAccessKey);
  registerSecret(session.credentials.sessionToken);
  options.logger?.info(
    { assumedRoleArn: session.assumedRoleArn, expiration: session.credentials.expiration.toISOString(), serialNumber: material.serialNumber },
    'IAM Roles Anywhere session created',
  );
  return session;
}

interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function send(request: WireRequest, handler: Pick<HttpHandler, 'handle'> | undefined): Promise<WireResponse> {
  if (handler) {
    const { response } = await handler.handle(
      new HttpRequest({
        protocol: request.url.protocol,
        hostname: request.url.hostname,
        ...(request.url.port ? { port: Number(request.url.port) } : {}),
        method: 'POST',
        path: request.url.pathname,
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        body: request.body,
      }),
    );
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) headers[name.toLowerCase()] = value;
    return { status: response.statusCode, headers, body: await bodyText(response.body) };
  }
  // fetch sets Host itself, from the same URL the signature used.
  const { host: _host, ...headers } = request.headers;
  const response = await fetch(request.url, { method: 'POST', headers, body: request.body });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}

async function bodyText(body: unknown): Promise<string> {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (typeof body === 'object' && Symbol.asyncIterator in body) {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
  if (typeof body === 'object' && 'transformToString' in body && typeof body.transformToString === 'function') {
    return String(await (body as { transformToString(): Promise<string> }).transformToString());
  }
  return '';
}

interface Refusal {
  status: number;
  code: string;
  message: string;
}

function refusalOf(response: WireResponse): Refusal {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    // A proxy's HTML page or an empty body: keep the status alone.
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const rawCode = response.headers['x-amzn-errortype'] ?? (typeof fields.__type === 'string' ? fields.__type : undefined) ?? (typeof fields.code === 'string' ? fields.code : undefined);
  // `AccessDeniedException:http://internal.amazon.com/…` and `com.amazon…#AccessDeniedException` both name the code.
  const code = rawCode?.split(':')[0]?.split('#').pop() ?? `HTTP ${response.status}`;
  const message = typeof fields.message === 'string' ? fields.message : typeof fields.Message === 'string' ? fields.Message : response.body.slice(0, 200);
  return { status: response.status, code, message };
}

function refused(settings: RolesAnywhereParameters, refusal: Refusal): InventoryError {
  const what = `IAM Roles Anywhere refused CreateSession (${refusal.code}: ${refusal.message || 'no message'}) for trust anchor ${settings.trust_anchor_arn}, profile ${settings.profile_arn} and role ${settings.role_arn}.`;
  const hint =
    refusal.code === 'AccessDeniedException'
      ? 'Check that the trust anchor is enabled and holds the CA that issued the certificate (and that certificate_chain_path gives any intermediates), that the profile is enabled and lists the role, and that the role trust policy lets rolesanywhere.amazonaws.com call sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity.'
      : refusal.code === 'ValidationException'
        ? 'Check profile_arn, role_arn, trust_anchor_arn and duration_seconds (the profile may allow less than duration_seconds).'
        : refusal.code === 'ResourceNotFoundException'
          ? 'Check that the profile and trust anchor exist in roles_anywhere.region and in the account of their ARNs.'
          : 'Check roles_anywhere.region and endpoints.rolesanywhere, then try again.';
  return new InventoryError('auth', what, { field: 'roles_anywhere', hint, awsCode: refusal.code });
}

function unreachable(endpoint: string, error: unknown): InventoryError {
  const cause = error instanceof Error ? ((error.cause as NodeJS.ErrnoException | undefined)?.code ?? error.message) : String(error);
  return new InventoryError('auth', `IAM Roles Anywhere at ${endpoint} could not be reached (${cause}).`, {
    field: 'roles_anywhere.region',
    hint: 'Check roles_anywhere.region, endpoints.rolesanywhere and the network path (proxy, firewall, VPC endpoint).',
    cause: error,
  });
}

function parseSession(body: string, serialNumber: string, endpoint: string): RolesAnywhereSession {
  const malformed = (what: string) =>
    new InventoryError('auth', `IAM Roles Anywhere at ${endpoint} answered CreateSession without ${what}.`, {
      field: 'roles_anywhere',
      hint: 'Check that endpoints.rolesanywhere points at IAM Roles Anywhere.',
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw malformed('a JSON body');
  }
  const set = (parsed as { credentialSet?: unknown } | null)?.credentialSet;
  const first = Array.isArray(set) ? (set[0] as Record<string, unknown> | undefined) : undefined;
  const credentials = first?.credentials as Record<string, unknown> | undefined;
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  const accessKeyId = text(credentials?.accessKeyId);
  const secretAccessKey = text(credentials?.secretAccessKey);
  const sessionToken = text(credentials?.sessionToken);
  const expirationText = text(credentials?.expiration);
  if (!accessKeyId || !secretAccessKey || !sessionToken) throw malformed('credentialSet[0].credentials');
  const expiration = expirationText ? new Date(expirationText) : new Date(NaN);
  if (Number.isNaN(expiration.getTime())) throw malformed('a valid credentials.expiration');
  const assumedRoleArn = text((first?.assumedRoleUser as Record<string, unknown> | undefined)?.arn) ?? text(first?.roleArn) ?? 'unknown';
  const accountId = /^arn:[\w-]+:(?:sts|iam)::(\d{12}):/.exec(assumedRoleArn)?.[1];
  return {
    credentials: { accessKeyId, secretAccessKey, sessionToken, expiration, ...(accountId ? { accountId } : {}) },
    assumedRoleArn,
    subjectArn: text((parsed as { subjectArn?: unknown }).subjectArn),
    serialNumber,
  };
}
