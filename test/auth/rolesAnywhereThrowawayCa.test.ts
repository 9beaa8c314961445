import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateAuthority } from '../../src/auth/rolesAnywhere/throwawayCa.js';
import { tempDir } from '../helpers/tempDir.js';
import { commandTool } from '../helpers/tools.js';

const openssl = commandTool('openssl');

describe('throwaway CA', () => {
  it('issues a chain whose signatures, issuers and fields check out with node:crypto', () => {
    const root = createCertificateAuthority({ commonName: 'Test Root', keyType: 'rsa' });
    const intermediate = root.issue({ commonName: 'Test Intermediate', isCa: true, keyType: 'ec' });
    const leaf = intermediate.issue({ commonName: 'workload', keyType: 'rsa', serialNumber: 0xff01n, notAfter: new Date('2060-01-02T03:04:05Z') });

    expect(root.certificate.ca).toBe(true);
    expect(root.certificate.verify(root.certificate.publicKey)).toBe(true);
    expect(intermediate.certificate.checkIssued(root.certificate)).toBe(true);
    expect(intermediate.certificate.verify(root.certificate.publicKey)).toBe(true);
    expect(leaf.certificate.ca).toBe(false);
    expect(leaf.certificate.checkIssued(intermediate.certificate)).toBe(true);
    expect(leaf.certificate.verify(intermediate.certificate.publicKey)).toBe(true);
    expect(leaf.certificate.verify(root.certificate.publicKey)).toBe(false);
    expect(leaf.certificate.checkPrivateKey(leaf.privateKey)).toBe(true);
    expect(leaf.certificate.serialNumber.toUpperCase()).toBe('FF01');
    expect(new Date(leaf.certificate.validTo).toISOString()).toBe('2060-01-02T03:04:05.000Z');
    expect(leaf.certificate.subject).toContain('CN=workload');
  });

  it.skipIf(!openssl.available)(`writes PEM that openssl verifies as a chain${openssl.skipNote}`, () => {
    const root = createCertificateAuthority({ commonName: 'Test Root' });
    const leaf = root.issue({ commonName: 'workload' });
    const dir = tempDir('throwaway-ca-');
    writeFileSync(join(dir, 'root.pem'), root.certificatePem);
    writeFileSync(join(dir, 'leaf.pem'), leaf.certificatePem);
    const out = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'root.pem'), join(dir, 'leaf.pem')]).toString();
    expect(out).toContain(': OK');
  });
});
