/**
 * The simulated CreateSession's checks, each driven by a request the real client signed and
 * then spoiled in exactly one way.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertificateMaterial } from '../../src/auth/rolesAnywhere/certificateMaterial.js';
import { decimalSerial, loadCertificateMaterial } from '../../src/auth/rolesAnywhere/certificateMaterial.js';
import { signedCreateSessionRequest } from '../../src/auth/rolesAnywhere/createSession.js';
import type { WireRequest } from '../../src/auth/rolesAnywhere/createSession.js';
import type { IssuedCertificate } from '../../src/auth/rolesAnywhere/throwawayCa.js';
import type { Pki, Workspace } from '../helpers/rolesAnywhereHarness.js';
import { makePki, PROFILE_ARN, REGION, ROLE_ARN, TRUST_ANCHOR_ARN, workspace } from '../helpers/rolesAnywhereHarness.js';
import type { SimRequest } from '../../src/simulator/http.js';
import { createRolesAnywhereService } from '../../src/simulator/rolesAnywhere.js';

const ENDPOINT = 'https://rolesanywhere.eu-west-1.amazonaws.com';
let ws: Workspace;
let rsa: Pki;
let ec: Pki;
let chained: Pki;

beforeAll(() => {
  ws = workspace();
  rsa = makePki(ws, { keyType: 'rsa', prefix: 'rsa' });
  ec = makePki(ws, { keyType: 'ec', prefix: 'ec' });
  chained = makePki(ws, { keyType: 'ec', intermediate: true, prefix: 'chained' });
});
afterAll(() => ws.cleanup());

function simRequest(wire: WireRequest, spoil: { body?: string; headers?: Record<string, string | undefined> } = {}): SimRequest {
  const headers: Record<string, string> = { ...wire.headers, 'content-length': String(Buffer.byteLength(wire.body)) };
  for (const [name, value] of Object.entries(spoil.headers ?? {})) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return { method: 'POST', rawPath: wire.url.pathname, path: wire.url.pathname, query: {}, headers, hostname: wire.url.hostname, body: Buffer.from(spoil.body ?? wire.body) };
}

function handlerFor(pki: Pki, anchorPem = pki.root.certificatePem, now = () => new Date()) {
  return createRolesAnywhereService({
    region: REGION,
    trustAnchors: [{ arn: TRUST_ANCHOR_ARN, certificatesPem: anchorPem }],
    profiles: [{ arn: PROFILE_ARN, roleArns: [ROLE_ARN], durationSeconds: 1800 }],
    now,
  });
}

function sign(pki: Pki, material: CertificateMaterial = loadCertificateMaterial(pki.settings), date = new Date()): WireRequest {
  return signedCreateSessionRequest(pki.settings, material, ENDPOINT, date);
}

function refusal(response: { status: number; headers?: Record<string, string>; body?: string | Buffer }) {
  return { status: response.status, code: response.headers?.['x-amzn-errortype'], message: (JSON.parse(String(response.body)) as { message: string }).message };
}

describe('simulated CreateSession', () => {
  it('accepts RSA and EC signatures and answers with a credential set capped by the profile', () => {
    for (const pki of [rsa, ec, chained]) {
      const response = handlerFor(pki)(simRequest(sign(pki)));
      expect(response.status).toBe(201);
      const body = JSON.parse(String(response.body)) as { credentialSet: { credentials: { expiration: string; sessionToken: string }; assumedRoleUser: { arn: string }; sourceIdentity: string }[] };
      const [set] = body.credentialSet;
      const lifetime = new Date(set?.credentials.expiration ?? 0).getTime() - Date.now();
      expect(lifetime).toBeGreaterThan(1790_000);
      expect(lifetime).toBeLessThanOrEqual(1800_000);
      expect(set?.assumedRoleUser.arn).toBe(`arn:aws:sts::111122223333:assumed-role/InventoryReader/${decimalSerial(pki.leaf.certificate)}`);
      expect(set?.sourceIdentity).toContain('CN=inventory.example.test');
    }
  });

  it('rejects a bad signature (the body changed after signing)', () => {
    const wire = sign(ec);
    const response = handlerFor(ec)(simRequest(wire, { body: wire.body.replace('3600', '3599') }));
    expect(refusal(response)).toMatchObject({ status: 403, code: 'AccessDeniedException', message: expect.stringContaining('Signature validation failed') });
  });

  it('rejects a signature made with another key than the presented certificate', () => {
    const material = loadCertificateMaterial(rsa.settings);
    const wire = sign(rsa, { ...material, privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey });
    expect(refusal(handlerFor(rsa)(simRequest(wire)))).toMatchObject({ status: 403, code: 'AccessDeniedException', message: expect.stringContaining('Signature validation failed') });
  });

  it('rejects a Credential serial that is not the certificate\'s', () => {
    const material = loadCertificateMaterial(ec.settings);
    const wire = sign(ec, { ...material, serialNumber: (BigInt(material.serialNumber) + 1n).toString() });
    expect(refusal(handlerFor(ec)(simRequest(wire)))).toMatchObject({ status: 403, code: 'AccessDeniedException', message: 'Invalid certificate serial number in Credential.' });
  });

  it('rejects an expired certificate, even with a valid signature', () => {
    // Signed "in the past", while the certificate was valid, and presented now.
    const old = makePki(ws, { keyType: 'ec', prefix: 'old', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    const signedAt = new Date('2020-06-01T00:00:00Z');
    const material = loadCertificateMaterial(old.settings, signedAt);
    const wire = sign(old, material, new Date());
    expect(refusal(handlerFor(old)(simRequest(wire)))).toMatchObject({ status: 403, code: 'AccessDeniedException', message: 'Signing certificate has expired.' });
  });

  it('rejects a certificate of a CA the trust anchor does not hold', () => {
    const stranger: IssuedCertificate = makePki(ws, { keyType: 'ec', prefix: 'stranger' }).root;
    expect(refusal(handlerFor(ec, stranger.certificatePem)(simRequest(sign(ec))))).toMatchObject({ status: 403, code: 'AccessDeniedException', message: expect.stringContaining('Untrusted signing certificate') });
  });

  it('needs the intermediate in X-Amz-X509-Chain to reach the anchor', () => {
    const material = loadCertificateMaterial(chained.settings);
    const response = handlerFor(chained)(simRequest(sign(chained, { ...material, chain: [] })));
    expect(refusal(response)).toMatchObject({ status: 403, message: expect.stringContaining('Untrusted signing certificate') });
  });

  it('rejects an unsigned chain header', () => {
    const wire = sign(chained);
    const response = handlerFor(chained)(simRequest(wire, { headers: { authorization: wire.headers.authorization?.replace(';x-amz-x509-chain', '') } }));
    expect(refusal(response)).toMatchObject({ status: 403, message: 'Header x-amz-x509-chain must be signed.' });
  });

  it('rejects a request signed more than five minutes ago', () => {
    const wire = sign(ec, undefined, new Date(Date.now() - 6 * 60 * 1000));
    expect(refusal(handlerFor(ec)(simRequest(wire)))).toMatchObject({ status: 403, message: expect.stringContaining('Signature expired') });
  });

  it('rejects a scope for another region', () => {
    const wire = signedCreateSessionRequest({ ...ec.settings, region: 'us-east-1' }, loadCertificateMaterial(ec.settings), ENDPOINT, new Date());
    expect(refusal(handlerFor(ec)(simRequest(wire)))).toMatchObject({ status: 403, message: expect.stringContaining('region eu-west-1') });
  });

  it('rejects a missing Authorization header and a missing certificate header', () => {
    const wire = sign(ec);
    expect(refusal(handlerFor(ec)(simRequest(wire, { headers: { authorization: undefined } })))).toMatchObject({ status: 403, message: 'Missing Authorization header.' });
    expect(refusal(handlerFor(ec)(simRequest(wire, { headers: { 'x-amz-x509': undefined } })))).toMatchObject({ status: 403, message: 'Missing X-Amz-X509 header.' });
  });

  it('answers ValidationException for a bad body and ResourceNotFoundException for an unknown profile', () => {
    const badDuration = signedCreateSessionRequest({ ...ec.settings, duration_seconds: 60 }, loadCertificateMaterial(ec.settings), ENDPOINT, new Date());
    expect(refusal(handlerFor(ec)(simRequest(badDuration)))).toMatchObject({ status: 400, code: 'ValidationException', message: expect.stringContaining('durationSeconds') });
    const otherProfile = PROFILE_ARN.replace('aaaa', 'cccc');
    const unknown = signedCreateSessionRequest({ ...ec.settings, profile_arn: otherProfile }, loadCertificateMaterial(ec.settings), ENDPOINT, new Date());
    expect(refusal(handlerFor(ec)(simRequest(unknown)))).toMatchObject({ status: 404, code: 'ResourceNotFoundException', message: `Profile ${otherProfile} does not exist.` });
  });

  it('rejects a role the profile does not list', () => {
    const wire = signedCreateSessionRequest({ ...ec.settings, role_arn: 'arn:aws:iam::111122223333:role/Admin' }, loadCertificateMaterial(ec.settings), ENDPOINT, new Date());
    expect(refusal(handlerFor(ec)(simRequest(wire)))).toMatchObject({ status: 403, code: 'AccessDeniedException', message: expect.stringContaining('role/Admin') });
  });
});
