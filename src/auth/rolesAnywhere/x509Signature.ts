/**
 * The IAM Roles Anywhere request signature: SigV4's canonical request and string to sign, with
 * the HMAC replaced by an RSA-PKCS#1-v1.5 or ECDSA signature over SHA-256 made with the
 * certificate's private key, and the certificate (and chain) carried in signed headers.
 * Both the client and the simulated service use these functions, so they are written from AWS's
 * published signing process and pinned by a known-answer test.
 */
import { createHash, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { RolesAnywhereAlgorithm } from './certificateMaterial.js';
import { encodeRfc3986 } from '../../aws/rfc3986.js';

export const ROLES_ANYWHERE_SERVICE = 'rolesanywhere';

export interface CanonicalRequestInput {
  method: string;
  /** The request path, already as sent (e.g. `/sessions`). */
  path: string;
  /** The query string without `?`, as sent; empty for CreateSession. */
  query: string;
  /** Header values by lower-case name. */
  headers: Record<string, string>;
  /** Lower-case names of the signed headers. */
  signedHeaders: string[];
  body: string;
}

/** SigV4 Task 1: the canonical request. */
export function canonicalRequest(input: CanonicalRequestInput): string {
  const names = [...input.signedHeaders].map((name) => name.toLowerCase()).sort();
  const canonicalHeaders = names.map((name) => `${name}:${(input.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  return [input.method.toUpperCase(), canonicalUri(input.path), canonicalQuery(input.query), canonicalHeaders, names.join(';'), sha256Hex(input.body)].join('\n');
}

/** SigV4 Task 2: the string to sign, with the X.509 algorithm name. */
export function stringToSign(algorithm: RolesAnywhereAlgorithm, amzDate: string, scope: string, canonical: string): string {
  return [algorithm, amzDate, scope, sha256Hex(canonical)].join('\n');
}

/** `<yyyymmdd>/<region>/rolesanywhere/aws4_request` */
export function credentialScope(amzDate: string, region: string): string {
  return `${amzDate.slice(0, 8)}/${region}/${ROLES_ANYWHERE_SERVICE}/aws4_request`;
}

/** `20211103T120000Z` */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Task 3: the hex of the private-key signature of the string to sign (ECDSA as DER). */
export function signatureHex(text: string, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(text, 'utf8'), { key: privateKey, dsaEncoding: 'der' }).toString('hex');
}

export function verifySignatureHex(text: string, signature: string, publicKey: KeyObject): boolean {
  if (!/^([0-9a-f]{2})+$/i.test(signature)) return false;
  try {
    return verify('sha256', Buffer.from(text, 'utf8'), { key: publicKey, dsaEncoding: 'der' }, Buffer.from(signature, 'hex'));
  } catch {
    return false;
  }
}

/** Task 4: the Authorization header. */
export function authorizationHeader(algorithm: RolesAnywhereAlgorithm, serialNumber: string, scope: string, signedHeaders: string[], signature: string): string {
  const names = [...signedHeaders].map((name) => name.toLowerCase()).sort();
  return `${algorithm} Credential=${serialNumber}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
}

export interface ParsedAuthorization {
  algorithm: string;
  serialNumber: string;
  scope: string;
  signedHeaders: string[];
  signature: string;
}

/** The inverse of `authorizationHeader`, for the service side; null when malformed. */
export function parseAuthorization(header: string): ParsedAuthorization | null {
  const match = /^(\S+)\s+Credential=([^/,\s]+)\/([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/.exec(header);
  if (!match) return null;
  const [, algorithm = '', serialNumber = '', scope = '', signedHeaders = '', signature = ''] = match;
  return { algorithm, serialNumber, scope, signedHeaders: signedHeaders.split(';'), signature };
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function canonicalUri(path: string): string {
  if (path === '') return '/';
  return path
    .split('/')
    .map((segment) => encodeRfc3986(safeDecode(segment)))
    .join('/');
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [name = '', value = ''] = pair.split(/=(.*)/s);
      return [encodeRfc3986(safeDecode(name)), encodeRfc3986(safeDecode(value))] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
}
