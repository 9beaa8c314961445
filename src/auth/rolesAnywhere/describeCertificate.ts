/**
 * What `test-connection` shows of the Roles Anywhere certificate before it is used: who it names,
 * its serial (decimal, as in the Credential scope and CloudTrail) and its validity. It runs the
 * same checks as a real session, so a bad file fails here with the same message.
 */
import type { RolesAnywhereParameters } from '../../parameters/schema.js';
import { loadCertificateMaterial } from './certificateMaterial.js';
import type { RolesAnywhereAlgorithm } from './certificateMaterial.js';

export interface CertificateDescription {
  /** e.g. `O=Example, CN=inventory.example.com` */
  subject: string;
  issuer: string;
  /** Decimal. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  algorithm: RolesAnywhereAlgorithm;
  /** Intermediate certificates sent with the request. */
  chainLength: number;
}

export function describeCertificate(settings: RolesAnywhereParameters, now: Date = new Date()): CertificateDescription {
  const material = loadCertificateMaterial(settings, now);
  const oneLine = (name: string) => name.split('\n').filter(Boolean).join(', ');
  return {
    subject: oneLine(material.certificate.subject),
    issuer: oneLine(material.certificate.issuer),
    serialNumber: material.serialNumber,
    notBefore: material.notBefore,
    notAfter: material.notAfter,
    algorithm: material.algorithm,
    chainLength: material.chain.length,
  };
}
