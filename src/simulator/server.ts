/**
 * The loopback HTTP server: reads each request, authenticates its SigV4 signature against the
 * credentials the simulator issued, applies the fault knobs, and hands it to the service named
 * by the signature's credential scope.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { requestId as newRequestId } from './requestId.js';
import type { AuthContext, SimRequest, SimResponse } from './http.js';
import { headerValue } from './http.js';
import type { CredentialStore } from './credentials.js';
import type { Counters } from './counters.js';
import type { FaultOptions } from './options.js';
import { parseAuthorization, SignatureVerifier } from './sigv4.js';
import type { ParsedAuthorization } from './sigv4.js';
import type { SimService } from './service.js';
import { SimError } from './simError.js';
import type { CommonFailure } from './simError.js';
import type { SimulatedOrganization } from './organization.js';
import type { IssuedRoleCredentials } from './roleCredentials.js';

/** An extra route (Roles Anywhere, …) served before SigV4 authentication. */
export interface SimRoute {
  /** The service name its requests are counted under. */
  service: string;
  match(request: SimRequest): boolean;
  /** The operation name for counters; default `service`. */
  operation?(request: SimRequest): string;
  /** Verify a SigV4 signature before handling (default false: the route authenticates by its own means, e.g. X.509). */
  requireSigV4?: boolean;
  handle(request: SimRequest, context: RouteContext): SimResponse | Promise<SimResponse>;
}

export interface RouteContext {
  /** Set when the route asked for SigV4 and the request passed it. */
  auth?: AuthContext;
  org: SimulatedOrganization;
  faults: FaultOptions;
  /** Issues credentials acting as the role; they then authenticate like AssumeRole credentials. */
  issueCredentials(roleArn: string, sessionName: string, durationSeconds: number): IssuedRoleCredentials;
}

export interface ServerParts {
  services: Map<string, SimService>;
  routes: SimRoute[];
  credentials: CredentialStore;
  counters: Counters;
  faults: FaultOptions;
  random: () => number;
  /** Fingerprint successful requests to count repeated ones (costs a hash per request). */
  trackRepeats: boolean;
  routeContext: Omit<RouteContext, 'auth'>;
  admin(request: SimRequest): SimResponse | undefined;
}

export function startHttpServer(parts: ServerParts, port: number): Promise<Server> {
  const verifier = new SignatureVerifier();
  const server = createServer((req, res) => {
    void serve(parts, verifier, req, res).catch((error: unknown) => {
      // A bug in a handler must not take the server down; answer 500 like an AWS internal error.
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`simulator internal error: ${error instanceof Error ? error.message : String(error)}`);
      } else res.destroy();
    });
  });
  // The SDK keeps connections alive; never close one under a request it is about to reuse.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function serverPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

export function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  if (!search) return query;
  for (const part of search.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[key] = [existing, value];
  }
  return query;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function toSimRequest(req: IncomingMessage, body: Buffer): SimRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const host = headerValue(req.headers, 'host') ?? '';
  return {
    method: req.method ?? 'GET',
    rawPath,
    path: safeDecode(rawPath),
    query: parseQuery(q < 0 ? '' : url.slice(q + 1)),
    headers: req.headers,
    hostname: host.replace(/:\d+$/, ''),
    body,
  };
}

/** For a request without a usable signature: which service's error format to answer in. */
function guessService(request: SimRequest, services: Map<string, SimService>): SimService | undefined {
  const target = headerValue(request.headers, 'x-amz-target') ?? '';
  if (target.startsWith('AWSOrganizations')) return services.get('organizations');
  if (target.startsWith('AmazonSQS')) return services.get('sqs');
  if (request.path === '/listRegions' || request.path === '/getRegionOptStatus') return services.get('account');
  const contentType = headerValue(request.headers, 'content-type') ?? '';
  if (contentType.startsWith('application/x-www-form-urlencoded') && request.body.toString('latin1').includes('Action=')) return services.get('sts');
  return services.get('s3');
}

function send(res: ServerResponse, response: SimResponse): void {
  if (response.reset) {
    res.socket?.destroy();
    return;
  }
  const body = response.body ?? '';
  const headers = { ...response.headers, 'content-length': String(Buffer.byteLength(body)) };
  res.writeHead(response.status, headers);
  res.end(body);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function serve(parts: ServerParts, verifier: SignatureVerifier, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = toSimRequest(req, await readBody(req));
  if (request.path.startsWith('/_simulator/')) {
    send(res, parts.admin(request) ?? { status: 404, headers: { 'content-type': 'application/json' }, body: '{"message":"unknown admin path"}' });
    return;
  }
  const { faults, counters } = parts;
  const delay = faults.latencyMs + (faults.jitterMs > 0 ? parts.random() * faults.jitterMs : 0);

  const route = parts.routes.find((r) => r.match(request));
  if (route) {
    counters.request(route.service, route.operation?.(request) ?? route.service);
    if (delay > 0) await sleep(delay);
    if (faults.connectionResetRate > 0 && parts.random() < faults.connectionResetRate) {
      counters.fault('connectionReset');
      send(res, { status: 0, reset: true });
      return;
    }
    let auth: AuthContext | undefined;
    if (route.requireSigV4) {
      const parsed = parseAuthorization(headerValue(request.headers, 'authorization'));
      const sigv4 = parsed ? await authenticate(request, parsed, verifier, parts.credentials) : 'missingAuth';
      if (typeof sigv4 === 'string') {
        counters.error(sigv4);
        send(res, { status: 403, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: `authentication failed: ${sigv4}` }) });
        return;
      }
      auth = sigv4;
    }
    send(res, await route.handle(request, { ...parts.routeContext, ...(auth ? { auth } : {}) }));
    return;
  }

  const authorization = parseAuthorization(headerValue(request.headers, 'authorization'));
  const service = (authorization && parts.services.get(authorization.service)) ?? guessService(request, parts.services);
  if (!service) {
    send(res, { status: 400, headers: { 'content-type': 'application/json' }, body: '{"message":"no simulated service answers this request"}' });
    return;
  }
  const operation = service.operation(request);
  counters.request(service.name, operation);
  if (delay > 0) await sleep(delay);
  if (faults.connectionResetRate > 0 && parts.random() < faults.connectionResetRate) {
    counters.fault('connectionReset');
    send(res, { status: 0, reset: true });
    return;
  }
  const requestId = newRequestId();
  let auth: AuthContext | undefined;
  try {
    const unsigned = authorization ? undefined : service.handleUnsigned?.(operation, request);
    if (unsigned !== undefined) {
      send(res, unsigned);
      return;
    }
    const outcome = authorization ? await authenticate(request, authorization, verifier, parts.credentials) : 'missingAuth';
    if (typeof outcome === 'string') throw service.failure(outcome, { operation, service: service.name });
    auth = outcome;
    counters.account(auth.caller.accountId);
    injectFaults(parts, service, operation, auth);
    const response = await service.handle(operation, request, auth);
    if (parts.trackRepeats && response.status < 300) counters.success(service.name, operation, fingerprint(request, auth, operation));
    send(res, response);
  } catch (error) {
    if (!(error instanceof SimError)) throw error;
    counters.error(error.queryCode ?? error.code);
    send(res, service.render(error, request, requestId));
  }
}

/** Same caller account, region, operation and parameters ⇒ same fingerprint. */
function fingerprint(request: SimRequest, auth: AuthContext, operation: string): string {
  const query = Object.entries(request.query)
    .filter(([key]) => key !== 'x-id')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${String(value)}`)
    .join('&');
  return createHash('md5')
    .update(`${auth.caller.accountId}\n${auth.region}\n${auth.service}\n${operation}\n${request.method} ${request.rawPath}?${query}\n`)
    .update(request.body)
    .digest('base64');
}

type AuthFailure = Extract<CommonFailure, 'missingAuth' | 'invalidToken' | 'badSignature' | 'expiredToken'>;

async function authenticate(request: SimRequest, authorization: ParsedAuthorization, verifier: SignatureVerifier, credentials: CredentialStore): Promise<AuthContext | AuthFailure> {
  const stored = credentials.get(authorization.accessKeyId);
  if (!stored) return 'invalidToken';
  const token = headerValue(request.headers, 'x-amz-security-token');
  if ((stored.sessionToken ?? undefined) !== (token ?? undefined)) return 'invalidToken';
  if (!(await verifier.verify(request, authorization, stored))) return 'badSignature';
  if (stored.caller.expiresAt !== undefined && stored.caller.expiresAt <= Date.now()) return 'expiredToken';
  return { caller: stored.caller, region: authorization.region, service: authorization.service };
}

/** The fault knobs, in the order AWS would hit them: token, throttling, 5xx, authorization, region. */
function injectFaults(parts: ServerParts, service: SimService, operation: string, auth: AuthContext): void {
  const { faults, counters, random } = parts;
  const details = { operation, service: service.name, principal: auth.caller.arn };
  const fail = (kind: CommonFailure, counter: string): never => {
    counters.fault(counter);
    throw service.failure(kind, details);
  };
  if (auth.caller.expiresAt !== undefined) {
    if (faults.expireNextRequests > 0) {
      faults.expireNextRequests--;
      fail('expiredToken', 'expiredToken');
    }
    if (faults.expiredTokenRate > 0 && random() < faults.expiredTokenRate) fail('expiredToken', 'expiredToken');
    if (faults.expireMatching.some((rule) => denies(rule, auth, service.name, operation))) fail('expiredToken', 'expiredToken');
  }
  const throttle = faults.throttleRate[service.name] ?? faults.throttleRate['*'] ?? 0;
  if (throttle > 0 && random() < throttle) fail('throttled', 'throttled');
  if (faults.serverErrorRate > 0 && random() < faults.serverErrorRate) fail(random() < 0.5 ? 'internalError' : 'unavailable', 'serverError');
  if (faults.deny.some((rule) => denies(rule, auth, service.name, operation))) fail('accessDenied', 'accessDenied');
  if (service.regional && faults.regionsNotEnabled[auth.caller.accountId]?.includes(auth.region)) fail('regionDisabled', 'regionNotEnabled');
}

function denies(rule: FaultOptions['deny'][number], auth: AuthContext, service: string, operation: string): boolean {
  return (
    (rule.account === undefined || rule.account === auth.caller.accountId) &&
    (rule.region === undefined || rule.region === auth.region) &&
    (rule.service === undefined || rule.service === service) &&
    (rule.operation === undefined || rule.operation === operation)
  );
}

