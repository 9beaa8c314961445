/**
 * A throwaway X.509 certificate authority built with node:crypto alone, so that tests and the
 * simulated organization can make a CA, intermediates and end-entity certificates (RSA or EC,
 * any validity window, any serial) at run time instead of committing private keys.
 *
 * It writes just enough DER for a v3 certificate: name, validity, key, basic constraints and key
 * usage. It is not meant to issue certificates anything real should trust.
 */
import { generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export type ThrowawayKeyType = 'rsa' | 'ec';

export interface CertificateRequest {
  /** Common name of the subject; the O attribute is always "aws-org-inventory test". */
  commonName: string;
  keyType?: ThrowawayKeyType;
  /** Serial number; a random positive 127-bit number when absent. */
  serialNumber?: bigint;
  notBefore?: Date;
  notAfter?: Date;
  /** True for a CA (basic constraints cA, key usage keyCertSign). */
  isCa?: boolean;
}

export interface IssuedCertificate {
  certificate: X509Certificate;
  certificatePem: string;
  privateKey: KeyObject;
  serialNumber: bigint;
  /** Issue a certificate signed by this one (which should be a CA). */
  issue(request: CertificateRequest): IssuedCertificate;
}

/** A self-signed root CA. */
export function createCertificateAuthority(request: Omit<CertificateRequest, 'isCa'>): IssuedCertificate {
  const keys = generateKeys(request.keyType ?? 'ec');
  return build({ ...request, isCa: true }, keys.publicKey, keys.privateKey, { name: request.commonName, privateKey: keys.privateKey });
}

interface Issuer {
  name: string;
  privateKey: KeyObject;
}

function build(request: CertificateRequest, publicKey: KeyObject, privateKey: KeyObject, issuer: Issuer): IssuedCertificate {
  const now = Date.now();
  const serialNumber = request.serialNumber ?? randomSerial();
  const notBefore = request.notBefore ?? new Date(now - 60 * 60 * 1000);
  const notAfter = request.notAfter ?? new Date(now + 24 * 60 * 60 * 1000);
  const signatureAlgorithm = algorithmIdentifier(issuer.privateKey);

  const extensions = [
    extension('2.5.29.19', true, request.isCa ? sequence(boolean(true)) : sequence()),
    // keyCertSign + cRLSign for a CA (bits 5, 6); digitalSignature for a leaf (bit 0).
    extension('2.5.29.15', true, request.isCa ? bitString(Buffer.from([0x06]), 1) : bitString(Buffer.from([0x80]), 7)),
  ];
  const tbs = sequence(
    explicit(0, integer(2n)),
    integer(serialNumber),
    signatureAlgorithm,
    distinguishedName(issuer.name),
    sequence(time(notBefore), time(notAfter)),
    distinguishedName(request.commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, issuer.privateKey);
  const der = sequence(tbs, signatureAlgorithm, bitString(signature, 0));
  const certificatePem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;

  const issued: IssuedCertificate = {
    certificate: new X509Certificate(der),
    certificatePem,
    privateKey,
    serialNumber,
    issue(child: CertificateRequest): IssuedCertificate {
      const keys = generateKeys(child.keyType ?? 'ec');
      return build(child, keys.publicKey, keys.privateKey, { name: request.commonName, privateKey });
    },
  };
  return issued;
}

function generateKeys(keyType: ThrowawayKeyType): { publicKey: KeyObject; privateKey: KeyObject } {
  return keyType === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

function randomSerial(): bigint {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return BigInt(`0x${bytes.toString('hex')}`) || 1n;
}

function algorithmIdentifier(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'rsa') return sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
  if (key.asymmetricKeyType === 'ec') return sequence(oid('1.2.840.10045.4.3.2'));
  throw new Error(`throwaway CA cannot sign with a ${key.asymmetricKeyType ?? 'unknown'} key`);
}

function distinguishedName(commonName: string): Buffer {
  const attribute = (type: string, value: string) => set(sequence(oid(type), tlv(0x0c, Buffer.from(value, 'utf8'))));
  return sequence(attribute('2.5.4.10', 'aws-org-inventory test'), attribute('2.5.4.3', commonName));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), tlv(0x04, value));
}

function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else if (length < 0x100) header = Buffer.from([tag, 0x81, length]);
  else if (length < 0x10000) header = Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  else header = Buffer.from([tag, 0x83, length >> 16, (length >> 8) & 0xff, length & 0xff]);
  return Buffer.concat([header, content]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 + n, content);
const boolean = (value: boolean): Buffer => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
const bitString = (bytes: Buffer, unusedBits: number): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));

function integer(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  // DER integers are two's complement: a leading 1 bit needs a zero byte in front.
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = parts;
  const bytes = [first * 40 + second];
  for (const part of rest) {
    const chunk = [part & 0x7f];
    for (let value = part >>> 7; value > 0; value >>>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}
