/**
 * Verifies AWS Signature Version 4 on a received request by recomputing it over exactly the
 * headers the client signed. `NodeSha256` is node:crypto behind the SDK's checksum interface, for
 * tests that sign requests by hand.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Hash, Hmac } from 'node:crypto';
import type { Checksum, SourceData } from '@smithy/types';
import { encodeRfc3986 } from '../aws/rfc3986.js';
import type { SimRequest } from './http.js';

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

/** Parses an `Authorization: AWS4-HMAC-SHA256 …` header; undefined when absent or malformed. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  if (!header) return undefined;
  const match = AUTH_PATTERN.exec(header.trim());
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  if (!accessKeyId || !date || !region || !service || !signedHeaders || !signature) return undefined;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** node:crypto behind the SDK's Checksum interface (hash without a secret, HMAC with one). */
export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  private readonly secret: Buffer | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : toBuffer(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/**
 * Recomputes a request's signature as AWS does (the canonical request of the SigV4
 * specification, over exactly the headers the client signed) with node:crypto. The signing key is
 * derived once per key, day, region and service. This is an implementation of its own, not the
 * SDK's signer run backwards, so a request the SDK signs wrongly is refused here as AWS would.
 */
export class SignatureVerifier {
  private readonly signingKeys = new Map<string, Buffer>();

  verify(
    request: SimRequest,
    auth: ParsedAuthorization,
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  ): Promise<boolean> {
    return Promise.resolve(this.check(request, auth, credentials));
  }

  private check(request: SimRequest, auth: ParsedAuthorization, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): boolean {
    const amzDate = firstHeader(request.headers['x-amz-date']);
    if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(auth.date)) return false;
    if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-amz-date')) return false;
    // Temporary credentials count only with their session token, signed.
    if (credentials.sessionToken !== undefined) {
      if (!auth.signedHeaders.includes('x-amz-security-token')) return false;
      if (firstHeader(request.headers['x-amz-security-token']) !== credentials.sessionToken) return false;
    }
    // The signature covers the payload hash the client declares; the body must match it.
    const bodyHash = () => (request.body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(request.body).digest('hex'));
    let payloadHash = firstHeader(request.headers['x-amz-content-sha256']);
    if (payloadHash !== undefined && /^[0-9a-f]{64}$/.test(payloadHash)) {
      if (bodyHash() !== payloadHash) return false;
    } else if (payloadHash === undefined) {
      payloadHash = bodyHash();
    }
    const signedHeaders = [...auth.signedHeaders].sort();
    const lines: string[] = [];
    for (const name of signedHeaders) {
      const value = request.headers[name];
      if (value === undefined) return false;
      lines.push(`${name}:${(Array.isArray(value) ? value.join(',') : value).trim().replace(/\s+/g, ' ')}`);
    }
    const canonicalRequest = [
      request.method,
      // S3 signs the path as sent; every other service encodes it once more.
      auth.service === 's3' ? request.rawPath : canonicalPath(request.rawPath),
      canonicalQuery(request.query),
      lines.join('\n'),
      '',
      signedHeaders.join(';'),
      payloadHash,
    ].join('\n');
    const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const expected = createHmac('sha256', this.signingKey(credentials, auth)).update(stringToSign).digest();
    const given = Buffer.from(auth.signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private signingKey(credentials: { accessKeyId: string; secretAccessKey: string }, auth: ParsedAuthorization): Buffer {
    // An access key id has one secret, so the id alone names the key.
    const id = `${credentials.accessKeyId}/${auth.date}/${auth.region}/${auth.service}`;
    let key = this.signingKeys.get(id);
    if (key === undefined) {
      if (this.signingKeys.size > 20_000) this.signingKeys.clear();
      const hmac = (k: Buffer | string, data: string) => createHmac('sha256', k).update(data).digest();
      key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, auth.date), auth.region), auth.service), 'aws4_request');
      this.signingKeys.set(id, key);
    }
    return key;
  }
}

/** The path with empty and dot segments removed, encoded once more ('/' kept). */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment.length === 0 || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return encodeRfc3986(normalized).replace(/%2F/g, '/');
}

/** Query parameters sorted by encoded name, then by encoded value; the signature itself is left out. */
function canonicalQuery(query: Record<string, string | string[]>): string {
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(query)) {
    if (key.toLowerCase() === 'x-amz-signature') continue;
    const name = encodeRfc3986(key);
    for (const v of Array.isArray(value) ? value : [value]) pairs.push([name, encodeRfc3986(v)]);
  }
  pairs.sort((a, b) => byCodeUnit(a[0], b[0]) || byCodeUnit(a[1], b[1]));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
