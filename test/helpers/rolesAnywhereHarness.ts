/**
 * Shared by the Roles Anywhere tests: a throwaway PKI written to a temporary directory with the
 * key files at mode 0600, and a loopback HTTP server that hands requests to a simulator handler.
 */
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './tempDir.js';
import type { KeyObject } from 'node:crypto';
import type { IssuedCertificate, ThrowawayKeyType } from '../../src/auth/rolesAnywhere/throwawayCa.js';
import { createCertificateAuthority } from '../../src/auth/rolesAnywhere/throwawayCa.js';
import type { RolesAnywhereParameters } from '../../src/parameters/schema.js';
import type { SimRequest, SimResponse } from '../../src/simulator/http.js';

export const ACCOUNT = '111122223333';
export const PROFILE_ARN = `arn:aws:rolesanywhere:eu-west-1:${ACCOUNT}:profile/0a1b2c3d-0000-4000-8000-00000000aaaa`;
export const TRUST_ANCHOR_ARN = `arn:aws:rolesanywhere:eu-west-1:${ACCOUNT}:trust-anchor/0a1b2c3d-0000-4000-8000-00000000bbbb`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/InventoryReader`;
export const REGION = 'eu-west-1';

export type KeyFormat = 'pkcs8' | 'pkcs1' | 'sec1';

export interface Workspace {
  dir: string;
  write(name: string, text: string, mode?: number): string;
  cleanup(): void;
}

export function workspace(): Workspace {
  const dir = tempDir('roles-anywhere-');
  return {
    dir,
    write(name, text, mode = 0o600) {
      const path = join(dir, name);
      writeFileSync(path, text, { mode });
      chmodSync(path, mode);
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function keyPem(key: KeyObject, format: KeyFormat): string {
  return String(key.export({ type: format, format: 'pem' }));
}

export interface Pki {
  root: IssuedCertificate;
  intermediate: IssuedCertificate | null;
  leaf: IssuedCertificate;
  settings: RolesAnywhereParameters;
}

/** A root CA (and, with `intermediate`, an intermediate CA) and a leaf for `keyType`, on disk. */
export function makePki(
  ws: Workspace,
  options: { keyType: ThrowawayKeyType; keyFormat?: KeyFormat; intermediate?: boolean; notBefore?: Date; notAfter?: Date; serialNumber?: bigint; prefix?: string },
): Pki {
  const prefix = options.prefix ?? 'a';
  const root = createCertificateAuthority({ commonName: `${prefix} test root`, keyType: 'ec' });
  const intermediate = options.intermediate ? root.issue({ commonName: `${prefix} test intermediate`, isCa: true, keyType: 'rsa' }) : null;
  const leaf = (intermediate ?? root).issue({
    commonName: 'inventory.example.test',
    keyType: options.keyType,
    ...(options.notBefore ? { notBefore: options.notBefore } : {}),
    ...(options.notAfter ? { notAfter: options.notAfter } : {}),
    ...(options.serialNumber ? { serialNumber: options.serialNumber } : {}),
  });
  const keyFormat = options.keyFormat ?? 'pkcs8';
  const settings: RolesAnywhereParameters = {
    profile_arn: PROFILE_ARN,
    role_arn: ROLE_ARN,
    trust_anchor_arn: TRUST_ANCHOR_ARN,
    region: REGION,
    certificate_path: ws.write(`${prefix}-cert.pem`, leaf.certificatePem, 0o644),
    private_key_path: ws.write(`${prefix}-key.pem`, keyPem(leaf.privateKey, keyFormat)),
    certificate_chain_path: intermediate ? ws.write(`${prefix}-chain.pem`, intermediate.certificatePem, 0o644) : null,
    session_name: null,
    duration_seconds: 3600,
  };
  return { root, intermediate, leaf, settings };
}

export interface LoopbackServer {
  endpoint: string;
  requests: SimRequest[];
  close(): Promise<void>;
}

/** Serve `handler` on 127.0.0.1 the way the simulator's router would call it. */
export async function serve(handler: (request: SimRequest) => SimResponse): Promise<LoopbackServer> {
  const requests: SimRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://placeholder');
      const query: Record<string, string> = {};
      for (const [name, value] of url.searchParams) query[name] = value;
      const request: SimRequest = {
        method: incoming.method ?? 'GET',
        rawPath: (incoming.url ?? '/').split('?')[0] ?? '/',
        path: decodeURIComponent(url.pathname),
        query,
        headers: incoming.headers,
        hostname: (incoming.headers.host ?? '').replace(/:\d+$/, ''),
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      const response = handler(request);
      outgoing.writeHead(response.status, response.headers ?? {});
      outgoing.end(response.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
