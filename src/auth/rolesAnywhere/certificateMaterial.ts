/**
 * The X.509 material IAM Roles Anywhere signs with: the end-entity certificate, its optional
 * intermediate chain and its private key, read from PEM files and checked before any request
 * leaves, so a wrong file is a clear configuration error rather than AWS's terse AccessDenied.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { InventoryError } from '../../errors/inventoryError.js';
import type { RolesAnywhereParameters } from '../../parameters/schema.js';

export type RolesAnywhereAlgorithm = 'AWS4-X509-RSA-SHA256' | 'AWS4-X509-ECDSA-SHA256';

export interface CertificateMaterial {
  certificate: X509Certificate;
  /** Intermediate CA certificates, leaf-side first, as they were in the chain file. */
  chain: X509Certificate[];
  privateKey: KeyObject;
  algorithm: RolesAnywhereAlgorithm;
  /** The certificate serial number in decimal: the first part of the Credential scope. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

type MaterialPaths = Pick<RolesAnywhereParameters, 'certificate_path' | 'private_key_path' | 'certificate_chain_path'>;

const FIELD = 'roles_anywhere';

/** Read and check the certificate, chain and key; `now` decides validity. */
export function loadCertificateMaterial(settings: MaterialPaths, now: Date = new Date()): CertificateMaterial {
  const certificates = readCertificates(settings.certificate_path, `${FIELD}.certificate_path`);
  const certificate = certificates[0];
  if (!certificate) throw new InventoryError('internal', 'readCertificates returned no certificate.');
  // A bundle in certificate_path (leaf followed by intermediates) is common; treat the rest as chain.
  const chain = [
    ...certificates.slice(1),
    ...(settings.certificate_chain_path ? readCertificates(settings.certificate_chain_path, `${FIELD}.certificate_chain_path`) : []),
  ];

  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  checkValidity(certificate, settings.certificate_path, `${FIELD}.certificate_path`, notBefore, notAfter, now);
  for (const [index, intermediate] of chain.entries()) {
    const where = `${settings.certificate_chain_path ?? settings.certificate_path} (chain certificate ${index + 1})`;
    const field = `${FIELD}.${settings.certificate_chain_path ? 'certificate_chain_path' : 'certificate_path'}`;
    checkValidity(intermediate, where, field, new Date(intermediate.validFrom), new Date(intermediate.validTo), now);
  }

  const privateKey = readPrivateKey(settings.private_key_path);
  const algorithm = algorithmFor(privateKey, settings.private_key_path);
  const certificateKeyType = certificate.publicKey.asymmetricKeyType;
  if (certificateKeyType !== privateKey.asymmetricKeyType || !certificate.checkPrivateKey(privateKey)) {
    throw new InventoryError('config', `The private key in ${settings.private_key_path} does not match the certificate in ${settings.certificate_path} (${certificate.subject.replace(/\n/g, ', ')}, serial ${decimalSerial(certificate)}).`, {
      field: `${FIELD}.private_key_path`,
      hint: 'Point private_key_path at the key the certificate was issued for; `openssl x509 -noout -pubkey -in CERT` and `openssl pkey -pubout -in KEY` must print the same key.',
    });
  }

  return { certificate, chain, privateKey, algorithm, serialNumber: decimalSerial(certificate), notBefore, notAfter };
}

/** The serial number as IAM Roles Anywhere writes it in the Credential scope: decimal. */
export function decimalSerial(certificate: X509Certificate): string {
  return BigInt(`0x${certificate.serialNumber}`).toString(10);
}

function readCertificates(path: string, field: string): X509Certificate[] {
  const text = readText(path, field, 'certificate');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new InventoryError('config', `${path} holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" block).`, {
      field,
      hint: 'Give a PEM file; convert a DER file with `openssl x509 -inform der -in CERT.der -out CERT.pem`.',
    });
  }
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new InventoryError('config', `Certificate ${index + 1} in ${path} cannot be parsed as X.509 (${(error as Error).message}).`, {
        field,
        hint: 'Check the file with `openssl x509 -noout -text -in FILE`.',
        cause: error,
      });
    }
  });
}

function readPrivateKey(path: string): KeyObject {
  const field = `${FIELD}.private_key_path`;
  checkKeyFileMode(path, field);
  const text = readText(path, field, 'private key');
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw new InventoryError('config', `The private key in ${path} is encrypted with a passphrase, which is not supported.`, {
      field,
      hint: 'Store it decrypted with mode 0600 (`openssl pkey -in KEY -out KEY.plain && chmod 600 KEY.plain`).',
    });
  }
  const block = text.match(/-----BEGIN (RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (RSA |EC )?PRIVATE KEY-----/)?.[0];
  if (!block) {
    throw new InventoryError('config', `${path} holds no PEM private key (expected "BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY" or "BEGIN EC PRIVATE KEY").`, {
      field,
      hint: 'Give the PEM private key of the certificate: PKCS#8, PKCS#1 (RSA) or SEC1 (EC).',
    });
  }
  try {
    return createPrivateKey(block);
  } catch (error) {
    throw new InventoryError('config', `The private key in ${path} cannot be parsed (${(error as Error).message}).`, {
      field,
      hint: 'Check it with `openssl pkey -noout -in KEY`.',
      cause: error,
    });
  }
}

function checkKeyFileMode(path: string, field: string): void {
  // Windows has no POSIX modes to check.
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    throw unreadable(path, field, 'private key', error);
  }
  if ((mode & 0o077) !== 0) {
    throw new InventoryError('config', `The private key file ${path} is accessible by group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}).`, {
      field,
      hint: `Restrict it to its owner: chmod 600 ${path} (for a Kubernetes secret volume, set defaultMode: 0400).`,
    });
  }
}

function readText(path: string, field: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw unreadable(path, field, what, error);
  }
}

function unreadable(path: string, field: string, what: string, error: unknown): InventoryError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read by this user' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? 'unknown error'})`;
  return new InventoryError('config', `The ${what} file ${path} ${reason}.`, {
    field,
    hint: `Check ${field} and the file's owner and permissions.`,
    cause: error,
  });
}

function checkValidity(certificate: X509Certificate, where: string, field: string, notBefore: Date, notAfter: Date, now: Date): void {
  const subject = certificate.subject.replace(/\n/g, ', ');
  if (now < notBefore) {
    throw new InventoryError('config', `The certificate ${subject} in ${where} is not valid yet: it is valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}.`, {
      field,
      hint: "Check this machine's clock, or wait until the certificate's start date.",
    });
  }
  if (now > notAfter) {
    throw new InventoryError('config', `The certificate ${subject} in ${where} expired on ${notAfter.toISOString()} (valid from ${notBefore.toISOString()}).`, {
      field,
      hint: 'Renew it with the CA of the trust anchor and point certificate_path at the new certificate.',
    });
  }
}

function algorithmFor(key: KeyObject, path: string): RolesAnywhereAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'AWS4-X509-RSA-SHA256';
  if (key.asymmetricKeyType === 'ec') return 'AWS4-X509-ECDSA-SHA256';
  throw new InventoryError('config', `The private key in ${path} is of type ${key.asymmetricKeyType ?? 'unknown'}, which IAM Roles Anywhere does not accept.`, {
    field: `${FIELD}.private_key_path`,
    hint: 'Issue the certificate for an RSA or EC (P-256, P-384) key.',
  });
}
