/**
 * Verifies AWS Signature Version 4 on a received request by recomputing it with
 * `@smithy/signature-v4` — the SDK's own signer — over exactly the headers the client signed.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Hash, Hmac } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';
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

/** Signers cached per key and scope, so that the SDK signer's signing-key cache does its work. */
export class SignatureVerifier {
  private readonly signers = new Map<string, SignatureV4>();

  async verify(
    request: SimRequest,
    auth: ParsedAuthorization,
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  ): Promise<boolean> {
    const signer = this.signerFor(auth, credentials);
    const amzDate = firstHeader(request.headers['x-amz-date']);
    if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(auth.date)) return false;
    const signingDate = new Date(
      Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15)),
    );
    // The signature covers the payload hash the client declares; the body must match it.
    const declared = firstHeader(request.headers['x-amz-content-sha256']);
    if (declared !== undefined && /^[0-9a-f]{64}$/.test(declared)) {
      const actual = request.body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(request.body).digest('hex');
      if (actual !== declared) return false;
    }
    const headers: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      const value = request.headers[name];
      if (value === undefined) return false;
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const host = firstHeader(request.headers.host) ?? '';
    const signed = await signer.sign(
      new HttpRequest({
        method: request.method,
        protocol: 'http:',
        hostname: host.replace(/:\d+$/, ''),
        path: request.rawPath,
        query: request.query,
        headers,
        body: request.body,
      }),
      { signingDate, signingRegion: auth.region, signingService: auth.service, signableHeaders: new Set(auth.signedHeaders) },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1];
    if (!expected) return false;
    return timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature));
  }

  private signerFor(auth: ParsedAuthorization, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): SignatureV4 {
    const key = `${credentials.accessKeyId}/${auth.region}/${auth.service}`;
    let signer = this.signers.get(key);
    if (!signer) {
      if (this.signers.size > 20_000) this.signers.clear();
      signer = new SignatureV4({
        service: auth.service,
        region: auth.region,
        credentials: { ...credentials },
        sha256: NodeSha256,
        // S3 signs the path as sent; every other service encodes it once more.
        uriEscapePath: auth.service !== 's3',
        // Only what the client signed is signed here: never add a payload-hash header of our own.
        applyChecksum: false,
      });
      this.signers.set(key, signer);
    }
    return signer;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
