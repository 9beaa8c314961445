/**
 * The Roles Anywhere client end to end: real signed HTTP requests to the simulated CreateSession
 * on a loopback port, for RSA and EC keys in every PEM form, with and without an intermediate.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { refreshingProvider } from '../../src/auth/refreshingProvider.js';
import { checkRolesAnywhere } from '../../src/auth/rolesAnywhere/connectionCheck.js';
import { createRolesAnywhereSession, defaultRolesAnywhereEndpoint } from '../../src/auth/rolesAnywhere/createSession.js';
import { rolesAnywhereProvider } from '../../src/auth/rolesAnywhere/rolesAnywhereProvider.js';
import { amzDate, canonicalRequest, credentialScope, signatureHex, stringToSign } from '../../src/auth/rolesAnywhere/x509Signature.js';
import { InventoryError } from '../../src/errors/inventoryError.js';
import { clearSecrets, scrub } from '../../src/log/redact.js';
import type { SimProfile, SimTrustAnchor } from '../../src/simulator/rolesAnywhere.js';
import { createRolesAnywhereService } from '../../src/simulator/rolesAnywhere.js';
import type { SimRequest, SimResponse } from '../../src/simulator/http.js';
import type { KeyFormat, LoopbackServer, Pki, Workspace } from '../helpers/rolesAnywhereHarness.js';
import { makePki, PROFILE_ARN, REGION, ROLE_ARN, serve, TRUST_ANCHOR_ARN, workspace } from '../helpers/rolesAnywhereHarness.js';
import { commandTool } from '../helpers/tools.js';

let ws: Workspace;
let server: LoopbackServer;
/** What the loopback server runs; each test sets it. */
let handler: (request: SimRequest) => SimResponse = () => ({ status: 500 });

beforeAll(async () => {
  ws = workspace();
  server = await serve((request) => handler(request));
});
afterAll(async () => {
  await server.close();
  ws.cleanup();
});
afterEach(() => {
  server.requests.length = 0;
  clearSecrets();
});

function service(pki: Pki, overrides: { profiles?: SimProfile[]; anchors?: SimTrustAnchor[]; lifetimeSeconds?: number } = {}) {
  let issued = 0;
  handler = createRolesAnywhereService({
    region: REGION,
    trustAnchors: overrides.anchors ?? [{ arn: TRUST_ANCHOR_ARN, certificatesPem: pki.root.certificatePem }],
    profiles: overrides.profiles ?? [{ arn: PROFILE_ARN, roleArns: [ROLE_ARN] }],
    issueCredentials: (grant) => {
      issued += 1;
      return {
        accessKeyId: `ASIATESTKEY${String(issued).padStart(9, '0')}`,
        secretAccessKey: `test-secret-${issued}-for-${grant.roleSessionName}`,
        sessionToken: `test-session-token-${issued}`,
        expiration: new Date(Date.now() + (overrides.lifetimeSeconds ?? grant.durationSeconds) * 1000),
      };
    },
  });
}

describe('X.509 signature primitives', () => {
  it('build the canonical request and string to sign exactly as SigV4 describes them', () => {
    const body = '{"durationSeconds":3600}';
    const canonical = canonicalRequest({
      method: 'post',
      path: '/sessions',
      query: '',
      headers: { 'content-type': 'application/json', host: 'rolesanywhere.us-east-1.amazonaws.com', 'x-amz-date': '20211103T120000Z', 'x-amz-x509': '  MIIB  AAA ' },
      signedHeaders: ['x-amz-x509', 'host', 'content-type', 'x-amz-date'],
      body,
    });
    // Both hashes computed outside this code, with `printf '%s' … | sha256sum`.
    expect(canonical).toBe(
      [
        'POST',
        '/sessions',
        '',
        'content-type:application/json',
        'host:rolesanywhere.us-east-1.amazonaws.com',
        'x-amz-date:20211103T120000Z',
        'x-amz-x509:MIIB AAA',
        '',
        'content-type;host;x-amz-date;x-amz-x509',
        '1a15f67f6619aa540b13e9a4c37d149fb2c9bdea25d82b73a3878826694dfe27',
      ].join('\n'),
    );
    const scope = credentialScope('20211103T120000Z', 'us-east-1');
    expect(scope).toBe('20211103/us-east-1/rolesanywhere/aws4_request');
    const toSign = stringToSign('AWS4-X509-RSA-SHA256', '20211103T120000Z', scope, canonical).split('\n');
    expect(toSign).toEqual(['AWS4-X509-RSA-SHA256', '20211103T120000Z', '20211103/us-east-1/rolesanywhere/aws4_request', 'abc26243baded6f9f5be46c9343ecb1d6f596ee3ea26a2e42381767499d085a1']);
    expect(amzDate(new Date('2021-11-03T12:00:00.123Z'))).toBe('20211103T120000Z');
  });

  it('go to the regional endpoint of the partition', () => {
    expect(defaultRolesAnywhereEndpoint('eu-west-1')).toBe('https://rolesanywhere.eu-west-1.amazonaws.com');
    expect(defaultRolesAnywhereEndpoint('us-gov-west-1')).toBe('https://rolesanywhere.us-gov-west-1.amazonaws.com');
    expect(defaultRolesAnywhereEndpoint('cn-north-1')).toBe('https://rolesanywhere.cn-north-1.amazonaws.com.cn');
  });
});

const openssl = commandTool('openssl');

describe('X.509 signature, checked by openssl', () => {
  // Without openssl the simulator tests below still verify the signatures, with node:crypto.
  it.skipIf(!openssl.available)(`is a plain RSA PKCS#1 v1.5 or DER ECDSA signature over SHA-256 of the string to sign${openssl.skipNote}`, () => {
    for (const keyType of ['rsa', 'ec'] as const) {
      const pki = makePki(ws, { keyType, prefix: `openssl-${keyType}` });
      const text = 'AWS4-X509-RSA-SHA256\n20211103T120000Z\n20211103/us-east-1/rolesanywhere/aws4_request\nabc';
      const signature = Buffer.from(signatureHex(text, pki.leaf.privateKey), 'hex');
      const data = ws.write(`openssl-${keyType}.txt`, text);
      const sig = join(ws.dir, `openssl-${keyType}.sig`);
      writeFileSync(sig, signature);
      const publicKey = ws.write(`openssl-${keyType}.pub`, String(pki.leaf.certificate.publicKey.export({ type: 'spki', format: 'pem' })));
      expect(execFileSync('openssl', ['dgst', '-sha256', '-verify', publicKey, '-signature', sig, data]).toString()).toContain('Verified OK');
    }
  });
});

describe('CreateSession against the simulated service', () => {
  const cases: { keyType: 'rsa' | 'ec'; keyFormat: KeyFormat; intermediate: boolean; algorithm: string }[] = [
    { keyType: 'rsa', keyFormat: 'pkcs1', intermediate: false, algorithm: 'AWS4-X509-RSA-SHA256' },
    { keyType: 'rsa', keyFormat: 'pkcs8', intermediate: true, algorithm: 'AWS4-X509-RSA-SHA256' },
    { keyType: 'ec', keyFormat: 'sec1', intermediate: false, algorithm: 'AWS4-X509-ECDSA-SHA256' },
    { keyType: 'ec', keyFormat: 'pkcs8', intermediate: true, algorithm: 'AWS4-X509-ECDSA-SHA256' },
  ];

  for (const { keyType, keyFormat, intermediate, algorithm } of cases) {
    it(`gets credentials with an ${keyType.toUpperCase()} ${keyFormat} key${intermediate ? ' and an intermediate CA' : ''}`, async () => {
      const pki = makePki(ws, { keyType, keyFormat, intermediate, prefix: `${keyType}-${keyFormat}` });
      service(pki);
      const session = await createRolesAnywhereSession(pki.settings, { endpoint: server.endpoint });

      expect(session.credentials.accessKeyId).toBe('ASIATESTKEY000000001');
      expect(session.credentials.sessionToken).toBe('test-session-token-1');
      expect(session.credentials.expiration.getTime()).toBeGreaterThan(Date.now() + 3500_000);
      expect(session.credentials.accountId).toBe('111122223333');
      const serial = BigInt(`0x${pki.leaf.certificate.serialNumber}`).toString(10);
      expect(session.assumedRoleArn).toBe(`arn:aws:sts::111122223333:assumed-role/InventoryReader/${serial}`);
      expect(session.serialNumber).toBe(serial);

      const [request] = server.requests;
      expect(request?.path).toBe('/sessions');
      const authorization = String(request?.headers.authorization);
      const signed = intermediate ? 'content-type;host;x-amz-date;x-amz-x509;x-amz-x509-chain' : 'content-type;host;x-amz-date;x-amz-x509';
      expect(authorization).toMatch(new RegExp(`^${algorithm} Credential=${serial}/\\d{8}/${REGION}/rolesanywhere/aws4_request, SignedHeaders=${signed}, Signature=[0-9a-f]+$`));
      expect(request?.headers['x-amz-x509']).toBe(pki.leaf.certificate.raw.toString('base64'));
      expect(request?.headers['x-amz-x509-chain']).toBe(intermediate ? pki.intermediate?.certificate.raw.toString('base64') : undefined);
      expect(JSON.parse(request?.body.toString() ?? '')).toEqual({ profileArn: PROFILE_ARN, roleArn: ROLE_ARN, trustAnchorArn: TRUST_ANCHOR_ARN, durationSeconds: 3600 });
    });
  }

  it('sends roleSessionName when session_name is set, through an SDK HTTP handler', async () => {
    const pki = makePki(ws, { keyType: 'ec', prefix: 'sdk-handler' });
    service(pki);
    const session = await createRolesAnywhereSession(
      { ...pki.settings, session_name: 'nightly-inventory', duration_seconds: 900 },
      { endpoint: `${server.endpoint}/`, requestHandler: new NodeHttpHandler() },
    );
    expect(session.assumedRoleArn).toBe('arn:aws:sts::111122223333:assumed-role/InventoryReader/nightly-inventory');
    expect(JSON.parse(server.requests[0]?.body.toString() ?? '')).toMatchObject({ roleSessionName: 'nightly-inventory', durationSeconds: 900 });
  });

  it('registers the secret and the session token with the redactor', async () => {
    const pki = makePki(ws, { keyType: 'ec', prefix: 'redact' });
    service(pki);
    const session = await createRolesAnywhereSession(pki.settings, { endpoint: server.endpoint });
    expect(scrub(`secret=${session.credentials.secretAccessKey} token=${session.credentials.sessionToken}`)).toBe('secret=*** token=***');
  });

  it('turns AccessDeniedException into an auth error naming the trust anchor, the profile and the role', async () => {
    const pki = makePki(ws, { keyType: 'rsa', prefix: 'denied' });
    service(pki, { profiles: [{ arn: PROFILE_ARN, roleArns: ['arn:aws:iam::111122223333:role/SomethingElse'] }] });
    const error = await createRolesAnywhereSession(pki.settings, { endpoint: server.endpoint }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InventoryError);
    const inventoryError = error as InventoryError;
    expect(inventoryError.kind).toBe('auth');
    expect(inventoryError.awsCode).toBe('AccessDeniedException');
    expect(inventoryError.message).toContain(TRUST_ANCHOR_ARN);
    expect(inventoryError.message).toContain(PROFILE_ARN);
    expect(inventoryError.message).toContain('the profile does not list it');
    expect(inventoryError.hint).toContain('rolesanywhere.amazonaws.com');
    expect(server.requests).toHaveLength(1);
  });

  it('is refused as untrusted when the certificate comes from a CA the trust anchor does not hold', async () => {
    const pki = makePki(ws, { keyType: 'ec', prefix: 'trusted' });
    const stranger = makePki(ws, { keyType: 'ec', prefix: 'stranger' });
    service(pki);
    const error = (await createRolesAnywhereSession(stranger.settings, { endpoint: server.endpoint }).catch((caught: unknown) => caught)) as InventoryError;
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/AccessDeniedException: Untrusted signing certificate/);
  });

  it('retries a 5xx answer and then succeeds', async () => {
    const pki = makePki(ws, { keyType: 'ec', prefix: 'retry' });
    service(pki);
    const real = handler;
    let calls = 0;
    handler = (request) => (++calls === 1 ? { status: 503, headers: { 'x-amzn-errortype': 'ServiceUnavailableException' }, body: '{"message":"try later"}' } : real(request));
    const session = await createRolesAnywhereSession(pki.settings, { endpoint: server.endpoint });
    expect(calls).toBe(2);
    expect(session.credentials.accessKeyId).toBe('ASIATESTKEY000000001');
  });

  it('names the endpoint when it cannot be reached', async () => {
    const pki = makePki(ws, { keyType: 'ec', prefix: 'unreachable' });
    const error = (await createRolesAnywhereSession(pki.settings, { endpoint: 'http://127.0.0.1:1', maxAttempts: 1 }).catch((caught: unknown) => caught)) as InventoryError;
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('http://127.0.0.1:1 could not be reached');
  });

  it('does not send anything when the local checks fail', async () => {
    const pki = makePki(ws, { keyType: 'ec', prefix: 'expired-local', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    service(pki);
    const error = (await createRolesAnywhereSession(pki.settings, { endpoint: server.endpoint }).catch((caught: unknown) => caught)) as InventoryError;
    expect(error.kind).toBe('config');
    expect(error.message).toContain('expired on 2021-01-01T00:00:00.000Z');
    expect(server.requests).toHaveLength(0);
  });
});

describe('rolesAnywhereProvider', () => {
  it('is renewed by the chain\'s refreshing wrapper: a second CreateSession when the first credentials near expiry', async () => {
    const pki = makePki(ws, { keyType: 'rsa', keyFormat: 'pkcs1', prefix: 'renew' });
    // The service grants 400 s; with a 300 s window they are fresh now and stale 150 s later.
    service(pki, { lifetimeSeconds: 400 });
    let clock = Date.now();
    const provider = refreshingProvider(rolesAnywhereProvider(pki.settings, { endpoint: server.endpoint }), { refreshWindowSeconds: 300, label: 'roles anywhere', now: () => clock });

    const first = await provider();
    const again = await provider();
    expect(again.accessKeyId).toBe(first.accessKeyId);
    expect(server.requests).toHaveLength(1);

    clock += 150_000;
    const renewed = await provider();
    expect(server.requests).toHaveLength(2);
    expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
    expect(renewed.expiration?.getTime()).toBeGreaterThan(first.expiration?.getTime() ?? Infinity);
    expect(provider.fetches).toBe(2);
  });
});

describe('checkRolesAnywhere (test-connection)', () => {
  it('shows the certificate and the role the session gives', async () => {
    const pki = makePki(ws, { keyType: 'ec', prefix: 'check-pass', serialNumber: 4242n });
    service(pki);
    const { checks, session } = await checkRolesAnywhere(pki.settings, { endpoint: server.endpoint });
    expect(checks.map((c) => [c.step, c.status])).toEqual([
      ['IAM Roles Anywhere certificate', 'PASS'],
      ['IAM Roles Anywhere CreateSession', 'PASS'],
    ]);
    expect(checks[0]?.detail).toMatch(/^O=aws-org-inventory test, CN=inventory\.example\.test \(issuer .*CN=check-pass test root\), serial 4242, valid .* \(0 days left\), AWS4-X509-ECDSA-SHA256$/);
    expect(checks[1]?.detail).toMatch(/^arn:aws:sts::111122223333:assumed-role\/InventoryReader\/4242, credentials until /);
    expect(session?.credentials.accessKeyId).toBe('ASIATESTKEY000000001');
  });

  it('fails the session step with AWS\'s code and the fix, and skips it when the certificate is unusable', async () => {
    const pki = makePki(ws, { keyType: 'ec', prefix: 'check-fail' });
    service(pki, { profiles: [{ arn: PROFILE_ARN, roleArns: [] }] });
    const denied = await checkRolesAnywhere(pki.settings, { endpoint: server.endpoint });
    expect(denied.checks[1]).toMatchObject({ status: 'FAIL', errorCode: 'AccessDeniedException', hint: expect.stringContaining('lists the role') });
    expect(denied.session).toBeNull();

    const old = makePki(ws, { keyType: 'ec', prefix: 'check-old', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    const unusable = await checkRolesAnywhere(old.settings, { endpoint: server.endpoint });
    expect(unusable.checks.map((c) => c.status)).toEqual(['FAIL', 'SKIP']);
    expect(unusable.checks[0]?.detail).toContain('expired on 2021-01-01T00:00:00.000Z');
    expect(server.requests).toHaveLength(1);
  });
});
