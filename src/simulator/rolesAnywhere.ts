/**
 * The simulated IAM Roles Anywhere CreateSession (`POST /sessions`). Like the real service it
 * verifies the X.509 request signature against the certificate the request carries, checks that
 * the serial in the Credential scope is that certificate's, that the certificate is within its
 * validity and chains (through X-Amz-X509-Chain) to a CA of the named trust anchor, and that the
 * profile lists the role; then it issues credentials for the role. Refusals use Roles Anywhere's
 * restJson error shape: the code in `x-amzn-ErrorType`, `{"message": …}` in the body.
 */
import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import type { SimRequest, SimResponse } from './http.js';
import { headerValue } from './http.js';
import type { RouteContext, SimRoute } from './server.js';
import { decimalSerial } from '../auth/rolesAnywhere/certificateMaterial.js';
import type { RolesAnywhereAlgorithm } from '../auth/rolesAnywhere/certificateMaterial.js';
import { canonicalRequest, credentialScope, parseAuthorization, ROLES_ANYWHERE_SERVICE, stringToSign, verifySignatureHex } from '../auth/rolesAnywhere/x509Signature.js';

export interface SimTrustAnchor {
  arn: string;
  /** PEM of the CA certificate(s) the anchor trusts. */
  certificatesPem: string;
  enabled?: boolean;
}

export interface SimProfile {
  arn: string;
  roleArns: string[];
  enabled?: boolean;
  /** The longest session the profile grants (AWS's default is 3600). */
  durationSeconds?: number;
}

export interface IssuedSessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  /** Given by the simulator's credential store; derived from the role ARN when absent. */
  assumedRoleArn?: string;
  assumedRoleId?: string;
}

export interface SessionGrant {
  roleArn: string;
  roleSessionName: string;
  durationSeconds: number;
  /** The certificate's subject, as sourceIdentity would carry it. */
  subject: string;
}

export interface RolesAnywhereServiceOptions {
  /** The region the service answers for; requests scoped to another region are refused. */
  region: string;
  trustAnchors: SimTrustAnchor[];
  profiles: SimProfile[];
  /** Mint credentials the rest of the simulator will accept; random ones when absent. */
  issueCredentials?: (grant: SessionGrant) => IssuedSessionCredentials;
  now?: () => Date;
}

/** How far X-Amz-Date may be from the service's clock, as for SigV4. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const MAX_CHAIN_DEPTH = 5;
const ALGORITHMS: Record<string, RolesAnywhereAlgorithm> = {
  'AWS4-X509-RSA-SHA256': 'AWS4-X509-RSA-SHA256',
  'AWS4-X509-ECDSA-SHA256': 'AWS4-X509-ECDSA-SHA256',
};

class Refusal extends Error {
  constructor(
    readonly code: 'AccessDeniedException' | 'ValidationException' | 'ResourceNotFoundException' | 'UnknownOperationException',
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const denied = (message: string) => new Refusal('AccessDeniedException', 403, message);
const invalid = (message: string) => new Refusal('ValidationException', 400, message);

export type RolesAnywhereHandler = (request: SimRequest) => SimResponse;

/**
 * CreateSession as a route of the running simulator: credentials come from its credential store,
 * so the other simulated services accept them like AssumeRole credentials.
 *
 * @example
 *   const sim = await startSimulator();
 *   sim.addRoute(rolesAnywhereRoute({ region: 'us-east-1', trustAnchors: [{ arn, certificatesPem: ca.certificatePem }], profiles: [{ arn: profileArn, roleArns: [sim.chainRoleArn] }] }));
 */
export function rolesAnywhereRoute(options: Omit<RolesAnywhereServiceOptions, 'issueCredentials'>): SimRoute {
  let context: RouteContext | undefined;
  const handler = createRolesAnywhereService({
    ...options,
    issueCredentials: (grant) => {
      if (!context) throw new Error('rolesAnywhereRoute: no route context');
      const issued = context.issueCredentials(grant.roleArn, grant.roleSessionName, grant.durationSeconds);
      return { ...issued, expiration: new Date(issued.expiration) };
    },
  });
  return {
    service: ROLES_ANYWHERE_SERVICE,
    operation: () => 'CreateSession',
    // Only X.509-signed requests: a path-style S3 request for a bucket named "sessions" is not ours.
    match: (request) =>
      request.method === 'POST' && request.path.replace(/\/+$/, '') === '/sessions' && (headerValue(request.headers, 'x-amz-x509') !== undefined || (headerValue(request.headers, 'authorization') ?? '').startsWith('AWS4-X509-')),
    handle: (request, routeContext) => {
      context = routeContext;
      return handler(request);
    },
  };
}

export function createRolesAnywhereService(options: RolesAnywhereServiceOptions): RolesAnywhereHandler {
  const now = options.now ?? (() => new Date());
  const issue = options.issueCredentials ?? randomCredentials(now);
  const anchors = new Map(options.trustAnchors.map((anchor) => [anchor.arn, { ...anchor, certificates: parseBundle(anchor.certificatesPem) }]));
  const profiles = new Map(options.profiles.map((profile) => [profile.arn, profile]));

  return (request: SimRequest): SimResponse => {
    try {
      if (request.method !== 'POST' || request.path.replace(/\/+$/, '') !== '/sessions') {
        throw new Refusal('UnknownOperationException', 404, `No operation for ${request.method} ${request.path}.`);
      }
      const at = now();
      const leaf = verifyRequest(request, options.region, at);
      const input = parseInput(request.body.toString('utf8'));

      const anchor = anchors.get(input.trustAnchorArn);
      if (!anchor) throw new Refusal('ResourceNotFoundException', 404, `Trust anchor ${input.trustAnchorArn} does not exist.`);
      const profile = profiles.get(input.profileArn);
      if (!profile) throw new Refusal('ResourceNotFoundException', 404, `Profile ${input.profileArn} does not exist.`);
      if (anchor.enabled === false) throw denied('Trust anchor is disabled.');
      if (profile.enabled === false) throw denied('Profile is disabled.');
      checkTrust(leaf.certificate, leaf.chain, anchor.certificates, at);
      if (!profile.roleArns.includes(input.roleArn)) throw denied(`Unable to assume role ${input.roleArn}: the profile does not list it.`);

      const durationSeconds = Math.min(input.durationSeconds ?? 3600, profile.durationSeconds ?? 3600);
      const roleSessionName = input.roleSessionName ?? decimalSerial(leaf.certificate);
      const subject = leaf.certificate.subject.split('\n').filter(Boolean).join(',');
      let credentials: IssuedSessionCredentials;
      try {
        credentials = issue({ roleArn: input.roleArn, roleSessionName, durationSeconds, subject });
      } catch {
        throw denied(`Unable to assume role ${input.roleArn}: the role does not exist or does not trust rolesanywhere.amazonaws.com.`);
      }
      return json(201, {
        credentialSet: [
          {
            assumedRoleUser: {
              arn: credentials.assumedRoleArn ?? assumedRoleArn(input.roleArn, roleSessionName),
              assumedRoleId: credentials.assumedRoleId ?? `AROA${randomBytes(8).toString('hex').toUpperCase()}:${roleSessionName}`,
            },
            credentials: {
              accessKeyId: credentials.accessKeyId,
              secretAccessKey: credentials.secretAccessKey,
              sessionToken: credentials.sessionToken,
              expiration: credentials.expiration.toISOString(),
            },
            packedPolicySize: 0,
            roleArn: input.roleArn,
            sourceIdentity: subject,
          },
        ],
        subjectArn: input.trustAnchorArn.replace(/:trust-anchor\/.*$/, `:subject/${randomUUID()}`),
      });
    } catch (error) {
      if (error instanceof Refusal) {
        return { status: error.status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code, 'x-amzn-requestid': randomUUID() }, body: JSON.stringify({ message: error.message }) };
      }
      throw error;
    }
  };
}

interface PresentedCertificates {
  certificate: X509Certificate;
  chain: X509Certificate[];
}

/** The signature checks, in the order the real service reports them. */
function verifyRequest(request: SimRequest, region: string, at: Date): PresentedCertificates {
  const authorization = headerValue(request.headers, 'authorization');
  if (!authorization) throw denied('Missing Authorization header.');
  const parsed = parseAuthorization(authorization);
  if (!parsed) throw denied('Authorization header is malformed.');
  const algorithm = ALGORITHMS[parsed.algorithm];
  if (!algorithm) throw denied(`Unsupported signing algorithm ${parsed.algorithm}.`);

  const certificate = certificateHeader(headerValue(request.headers, 'x-amz-x509'), 'X-Amz-X509');
  const chainHeader = headerValue(request.headers, 'x-amz-x509-chain');
  const chain = chainHeader ? chainHeader.split(',').map((entry) => certificateHeader(entry, 'X-Amz-X509-Chain')) : [];

  for (const required of ['host', 'x-amz-date', 'x-amz-x509', ...(chainHeader ? ['x-amz-x509-chain'] : [])]) {
    if (!parsed.signedHeaders.includes(required)) throw denied(`Header ${required} must be signed.`);
  }
  const date = headerValue(request.headers, 'x-amz-date') ?? '';
  const signedAt = parseAmzDate(date);
  if (!signedAt) throw denied('X-Amz-Date is missing or not in the form yyyyMMddTHHmmssZ.');
  if (Math.abs(signedAt.getTime() - at.getTime()) > CLOCK_SKEW_MS) throw denied('Signature expired: X-Amz-Date is more than 5 minutes from the current time.');

  if (parsed.serialNumber !== decimalSerial(certificate)) throw denied('Invalid certificate serial number in Credential.');
  if (parsed.scope !== credentialScope(date, region)) {
    throw denied(`Credential scope ${parsed.scope} should be ${credentialScope(date, region)} (date of X-Amz-Date, region ${region}, service ${ROLES_ANYWHERE_SERVICE}).`);
  }
  const keyType = certificate.publicKey.asymmetricKeyType;
  if ((algorithm === 'AWS4-X509-RSA-SHA256') !== (keyType === 'rsa') || (algorithm === 'AWS4-X509-ECDSA-SHA256') !== (keyType === 'ec')) {
    throw denied(`Signing algorithm ${algorithm} does not fit the certificate's ${keyType ?? 'unknown'} key.`);
  }

  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = request.headers[name];
    headers[name] = Array.isArray(value) ? value.join(',') : (value ?? '');
  }
  const queryIndex = request.rawPath.indexOf('?');
  const canonical = canonicalRequest({
    method: request.method,
    path: queryIndex < 0 ? request.rawPath : request.rawPath.slice(0, queryIndex),
    query: rawQuery(request.query),
    headers,
    signedHeaders: parsed.signedHeaders,
    body: request.body.toString('utf8'),
  });
  if (!verifySignatureHex(stringToSign(algorithm, date, parsed.scope, canonical), parsed.signature, certificate.publicKey)) {
    throw denied('Signature validation failed: the signature does not match the request and the presented certificate.');
  }

  checkValidity(certificate, at, 'Signing certificate');
  return { certificate, chain };
}

/** Walk from the leaf through the presented intermediates to a CA of the trust anchor. */
function checkTrust(leaf: X509Certificate, chain: X509Certificate[], anchorCas: X509Certificate[], at: Date): void {
  let current = leaf;
  for (let depth = 0; depth <= MAX_CHAIN_DEPTH; depth += 1) {
    const root = anchorCas.find((ca) => current.checkIssued(ca) && current.verify(ca.publicKey));
    if (root) {
      checkValidity(root, at, 'Trust anchor certificate');
      return;
    }
    const next = chain.find((candidate) => candidate.ca && current.checkIssued(candidate) && current.verify(candidate.publicKey));
    if (!next) break;
    checkValidity(next, at, 'Intermediate certificate');
    current = next;
  }
  throw denied('Untrusted signing certificate: it does not chain to a certificate authority of the trust anchor.');
}

function checkValidity(certificate: X509Certificate, at: Date, what: string): void {
  if (at < new Date(certificate.validFrom)) throw denied(`${what} is not yet valid.`);
  if (at > new Date(certificate.validTo)) throw denied(`${what} has expired.`);
}

function certificateHeader(value: string | undefined, name: string): X509Certificate {
  if (!value) throw denied(`Missing ${name} header.`);
  try {
    return new X509Certificate(Buffer.from(value.trim(), 'base64'));
  } catch {
    throw invalid(`${name} is not a base64 DER X.509 certificate.`);
  }
}

interface SessionInput {
  profileArn: string;
  roleArn: string;
  trustAnchorArn: string;
  durationSeconds: number | undefined;
  roleSessionName: string | undefined;
}

function parseInput(body: string): SessionInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw invalid('Request body is not valid JSON.');
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const arn = (name: string, pattern: RegExp): string => {
    const value = fields[name];
    if (typeof value !== 'string' || !pattern.test(value)) throw invalid(`1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must be a valid ARN.`);
    return value;
  };
  const duration = fields.durationSeconds;
  if (duration !== undefined && (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 900 || duration > 43200)) {
    throw invalid("1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200.");
  }
  const sessionName = fields.roleSessionName;
  if (sessionName !== undefined && (typeof sessionName !== 'string' || !/^[\w+=,.@-]{2,64}$/.test(sessionName))) {
    throw invalid("1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}.");
  }
  return {
    profileArn: arn('profileArn', /^arn:[\w-]+:rolesanywhere:[a-z0-9-]+:\d{12}:profile\/[\w-]+$/),
    roleArn: arn('roleArn', /^arn:[\w-]+:iam::\d{12}:role\/.+$/),
    trustAnchorArn: arn('trustAnchorArn', /^arn:[\w-]+:rolesanywhere:[a-z0-9-]+:\d{12}:trust-anchor\/[\w-]+$/),
    durationSeconds: duration as number | undefined,
    roleSessionName: sessionName as string | undefined,
  };
}

function parseAmzDate(text: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return null;
  const date = new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

function rawQuery(query: Record<string, string | string[]>): string {
  return Object.entries(query)
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((item) => `${encodeURIComponent(name)}=${encodeURIComponent(item)}`))
    .join('&');
}

function parseBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error('A simulated trust anchor needs at least one PEM CA certificate.');
  return blocks.map((block) => new X509Certificate(block));
}

function assumedRoleArn(roleArn: string, sessionName: string): string {
  const match = /^arn:([\w-]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  return match ? `arn:${match[1]}:sts::${match[2]}:assumed-role/${match[3]}/${sessionName}` : roleArn;
}

function randomCredentials(now: () => Date): (grant: SessionGrant) => IssuedSessionCredentials {
  return (grant) => ({
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(64).toString('base64'),
    expiration: new Date(now().getTime() + grant.durationSeconds * 1000),
  });
}

function json(status: number, body: unknown): SimResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() }, body: JSON.stringify(body) };
}
