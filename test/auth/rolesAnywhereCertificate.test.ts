/**
 * The local checks of the Roles Anywhere certificate and key, made before anything is sent:
 * each bad file is a config error (exit 2) that names the file and the fix.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCertificateMaterial } from '../../src/auth/rolesAnywhere/certificateMaterial.js';
import { describeCertificate } from '../../src/auth/rolesAnywhere/describeCertificate.js';
import { exitCodeFor, InventoryError } from '../../src/errors/inventoryError.js';
import type { Pki, Workspace } from '../helpers/rolesAnywhereHarness.js';
import { keyPem, makePki, workspace } from '../helpers/rolesAnywhereHarness.js';

let ws: Workspace;
let rsa: Pki;
let ec: Pki;

beforeAll(() => {
  ws = workspace();
  rsa = makePki(ws, { keyType: 'rsa', keyFormat: 'pkcs1', prefix: 'rsa' });
  ec = makePki(ws, { keyType: 'ec', keyFormat: 'sec1', prefix: 'ec', serialNumber: 0x1234567890abcdef1234n });
});
afterAll(() => ws.cleanup());

function failure(run: () => unknown): InventoryError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    return error as InventoryError;
  }
  throw new Error('expected an InventoryError');
}

describe('loadCertificateMaterial', () => {
  it('loads RSA PKCS#1 and EC SEC1 keys with the matching algorithm and the decimal serial', () => {
    expect(loadCertificateMaterial(rsa.settings).algorithm).toBe('AWS4-X509-RSA-SHA256');
    const material = loadCertificateMaterial(ec.settings);
    expect(material.algorithm).toBe('AWS4-X509-ECDSA-SHA256');
    expect(material.serialNumber).toBe('85968058272638546416180');
    expect(material.chain).toHaveLength(0);
  });

  it('loads PKCS#8 keys of both types', () => {
    const rsaPkcs8 = ws.write('rsa-pkcs8.pem', keyPem(rsa.leaf.privateKey, 'pkcs8'));
    const ecPkcs8 = ws.write('ec-pkcs8.pem', keyPem(ec.leaf.privateKey, 'pkcs8'));
    expect(loadCertificateMaterial({ ...rsa.settings, private_key_path: rsaPkcs8 }).algorithm).toBe('AWS4-X509-RSA-SHA256');
    expect(loadCertificateMaterial({ ...ec.settings, private_key_path: ecPkcs8 }).algorithm).toBe('AWS4-X509-ECDSA-SHA256');
  });

  it('takes intermediates from the chain file and from a bundle in certificate_path', () => {
    const chained = makePki(ws, { keyType: 'ec', intermediate: true, prefix: 'bundle' });
    expect(loadCertificateMaterial(chained.settings).chain.map((c) => c.subject)).toEqual([chained.intermediate?.certificate.subject]);
    const bundle = ws.write('bundle-all.pem', `${chained.leaf.certificatePem}${chained.intermediate?.certificatePem ?? ''}`, 0o644);
    const material = loadCertificateMaterial({ ...chained.settings, certificate_path: bundle, certificate_chain_path: null });
    expect(material.certificate.subject).toContain('CN=inventory.example.test');
    expect(material.chain).toHaveLength(1);
  });

  it('refuses an expired certificate and names its dates', () => {
    const old = makePki(ws, { keyType: 'ec', prefix: 'expired', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    const error = failure(() => loadCertificateMaterial(old.settings));
    expect(error.kind).toBe('config');
    expect(exitCodeFor(error)).toBe(2);
    expect(error.field).toBe('roles_anywhere.certificate_path');
    expect(error.message).toContain('expired on 2021-01-01T00:00:00.000Z (valid from 2020-01-01T00:00:00.000Z)');
    expect(error.message).toContain(old.settings.certificate_path);
  });

  it('refuses a certificate that is not valid yet and names its dates', () => {
    const future = makePki(ws, { keyType: 'ec', prefix: 'future', notBefore: new Date('2090-01-01T00:00:00Z'), notAfter: new Date('2091-01-01T00:00:00Z') });
    const error = failure(() => loadCertificateMaterial(future.settings));
    expect(error.message).toContain('is not valid yet: it is valid from 2090-01-01T00:00:00.000Z to 2091-01-01T00:00:00.000Z');
    expect(error.hint).toContain('clock');
  });

  it('refuses a private key that does not belong to the certificate', () => {
    const error = failure(() => loadCertificateMaterial({ ...ec.settings, private_key_path: rsa.settings.private_key_path }));
    expect(error.field).toBe('roles_anywhere.private_key_path');
    expect(error.message).toMatch(/The private key in .*rsa-key\.pem does not match the certificate in .*ec-cert\.pem/);
    const otherEc = ws.write('other-ec.pem', keyPem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey, 'sec1'));
    expect(failure(() => loadCertificateMaterial({ ...ec.settings, private_key_path: otherEc })).message).toContain('does not match the certificate');
  });

  it('refuses a key file readable by group or others, naming the file and the chmod fix', () => {
    const loose = ws.write('loose-key.pem', keyPem(ec.leaf.privateKey, 'sec1'), 0o644);
    const error = failure(() => loadCertificateMaterial({ ...ec.settings, private_key_path: loose }));
    expect(error.message).toBe(`The private key file ${loose} is accessible by group or others (mode 0644).`);
    expect(error.hint).toBe(`Restrict it to its owner: chmod 600 ${loose} (for a Kubernetes secret volume, set defaultMode: 0400).`);
    const groupOnly = ws.write('group-key.pem', keyPem(ec.leaf.privateKey, 'sec1'), 0o640);
    expect(failure(() => loadCertificateMaterial({ ...ec.settings, private_key_path: groupOnly })).message).toContain('(mode 0640)');
  });

  it('refuses a key file that is missing or not a file', () => {
    const missing = `${ws.dir}/nowhere.pem`;
    expect(failure(() => loadCertificateMaterial({ ...ec.settings, private_key_path: missing })).message).toBe(`The private key file ${missing} does not exist.`);
    expect(failure(() => loadCertificateMaterial({ ...ec.settings, private_key_path: ws.dir })).message).toBe(`The private key file ${ws.dir} is a directory.`);
    expect(failure(() => loadCertificateMaterial({ ...ec.settings, certificate_path: `${ws.dir}/no-cert.pem` })).message).toBe(`The certificate file ${ws.dir}/no-cert.pem does not exist.`);
  });

  it('refuses an unsupported key type, an encrypted key and a file without a key', () => {
    const ed = ws.write('ed25519.pem', keyPem(generateKeyPairSync('ed25519').privateKey, 'pkcs8'));
    expect(failure(() => loadCertificateMaterial({ ...ec.settings, private_key_path: ed })).message).toContain('is of type ed25519, which IAM Roles Anywhere does not accept');
    const encrypted = ws.write(
      'encrypted.pem',
      String(ec.leaf.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'test-only' })),
    );
    expect(failure(() => loadCertificateMaterial({ ...ec.settings, private_key_path: encrypted })).message).toContain('is encrypted with a passphrase');
    const notAKey = ws.write('not-a-key.pem', ec.leaf.certificatePem);
    expect(failure(() => loadCertificateMaterial({ ...ec.settings, private_key_path: notAKey })).message).toContain('holds no PEM private key');
  });

  it('refuses a certificate file that holds no certificate or a broken one', () => {
    const empty = ws.write('empty-cert.pem', 'nothing here\n', 0o644);
    expect(failure(() => loadCertificateMaterial({ ...ec.settings, certificate_path: empty })).message).toContain('holds no PEM certificate');
    const broken = ws.write('broken-cert.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 0o644);
    expect(failure(() => loadCertificateMaterial({ ...ec.settings, certificate_path: broken })).message).toContain('cannot be parsed as X.509');
  });
});

describe('describeCertificate', () => {
  it('gives subject, issuer, decimal serial and validity for test-connection', () => {
    const description = describeCertificate(ec.settings);
    expect(description).toMatchObject({
      subject: 'O=aws-org-inventory test, CN=inventory.example.test',
      issuer: 'O=aws-org-inventory test, CN=ec test root',
      serialNumber: '85968058272638546416180',
      algorithm: 'AWS4-X509-ECDSA-SHA256',
      chainLength: 0,
    });
    expect(description.notAfter.getTime()).toBeGreaterThan(Date.now());
    expect(description.notBefore.getTime()).toBeLessThan(Date.now());
  });
});
