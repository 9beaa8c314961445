/**
 * The simulator's SigV4 verifier is an implementation of its own (not the SDK's signer run
 * backwards): it must accept the AWS test-suite example, agree with the SDK's signer on tricky
 * paths and queries, and refuse what AWS refuses.
 */
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import type { SimRequest } from '../../src/simulator/http.js';
import { NodeSha256, parseAuthorization, SignatureVerifier } from '../../src/simulator/sigv4.js';

const EXAMPLE = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

function simRequest(method: string, rawPath: string, query: Record<string, string | string[]>, headers: Record<string, string>, body = ''): SimRequest {
  return { method, rawPath, path: decodeURIComponent(rawPath), query, headers, hostname: 'example.amazonaws.com', body: Buffer.from(body) };
}

async function verify(request: SimRequest, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = EXAMPLE) {
  const auth = parseAuthorization(String(request.headers.authorization));
  if (!auth) throw new Error('unparsable Authorization header');
  return new SignatureVerifier().verify(request, auth, credentials);
}

/** Signs with the SDK's signer and returns the request as the simulator would receive it. */
async function signedBySdk(service: string, path: string, query: Record<string, string | string[]>, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = EXAMPLE) {
  const signer = new SignatureV4({ service, region: 'eu-west-1', credentials, sha256: NodeSha256, uriEscapePath: service !== 's3' });
  const signed = await signer.sign(new HttpRequest({ method: 'GET', protocol: 'https:', hostname: 'example.amazonaws.com', path, query, headers: { host: 'example.amazonaws.com' } }));
  return simRequest('GET', path, query, signed.headers);
}

describe('SignatureVerifier', () => {
  it('accepts the AWS SigV4 test-suite request get-vanilla, and refuses it with one character of the signature changed', async () => {
    const headers = {
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    };
    expect(await verify(simRequest('GET', '/', {}, headers))).toBe(true);
    expect(await verify(simRequest('GET', '/', {}, { ...headers, authorization: headers.authorization.replace(/1$/, '2') }))).toBe(false);
  });

  const cases: Array<[string, string, Record<string, string | string[]>]> = [
    ['sqs', '/123456789012/my-queue', {}],
    ['sqs', '/a%20b/./c/../d/', { b: 'x y', a: ['2', '1'], 'a-b': '3', Action: 'ListQueues' }],
    ['s3', '/bucket/key%20with%20spaces', { versioning: '' }],
    ['s3', '/bucket', { 'list-type': '2', prefix: 'a/b*c', 'max-keys': '10' }],
  ];
  it.each(cases)('agrees with the SDK signer on %s %s', async (service, path, query) => {
    const request = await signedBySdk(service, path, query);
    expect(await verify(request)).toBe(true);
    // The same request with a parameter changed after signing is refused.
    expect(await verify({ ...request, query: { ...request.query, extra: '1' } })).toBe(false);
  });

  it('refuses temporary credentials whose session token was not sent and signed', async () => {
    const temporary = { ...EXAMPLE, sessionToken: 'token-1' };
    const request = await signedBySdk('sqs', '/', {}, temporary);
    expect(await verify(request, temporary)).toBe(true);
    expect(await verify(request, { ...temporary, sessionToken: 'token-2' })).toBe(false);
    const withoutToken = await signedBySdk('sqs', '/', {}, EXAMPLE);
    expect(await verify(withoutToken, temporary)).toBe(false);
  });
});
