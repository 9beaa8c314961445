/**
 * A simulated AWS organization behind a loopback HTTP server that speaks the real wire
 * protocols of STS, Organizations, SQS, S3 and Account, so that unmodified AWS SDK clients (and
 * the AWS CLI) pointed at it with an endpoint override work as against AWS.
 *
 * ```ts
 * const sim = await startSimulator({ accounts: 20, seed: 7 });
 * const sts = new STSClient({ endpoint: sim.url, region: 'us-east-1', credentials: sim.bootstrap });
 * // … AssumeRole sim.chainRoleArn with ExternalId sim.externalId, then crawl …
 * await sim.close();
 * ```
 */
import type { Server } from 'node:http';
import { Counters } from './counters.js';
import type { SimulatorCounters } from './counters.js';
import { BOOTSTRAP_ACCESS_KEY_ID, BOOTSTRAP_SECRET_ACCESS_KEY, CredentialStore } from './credentials.js';
import { generateOrganization } from './generate.js';
import type { SimRequest, SimResponse } from './http.js';
import { DEFAULT_EXTERNAL_ID, DEFAULT_REGIONS, defaultFaults } from './options.js';
import type { ChainRoleOptions, FaultOptions } from './options.js';
import type { SimulatedOrganization } from './organization.js';
import { createPrng } from './prng.js';
import { issueRoleCredentials } from './roleCredentials.js';
import type { IssuedRoleCredentials } from './roleCredentials.js';
import { serverPort, startHttpServer } from './server.js';
import { adminRoute } from './admin.js';
import type { RouteContext, SimRoute } from './server.js';
import type { ServiceEnvironment, SimService } from './service.js';
import { AccountService } from './services/account.js';
import { OrganizationsService } from './services/organizations.js';
import { S3Service } from './services/s3.js';
import { SqsService, awsQueueUrl } from './services/sqs.js';
import { StsService } from './services/sts.js';
import { WebIdentityIssuer } from './webIdentity.js';
import type { WebIdentityTokenOptions } from './webIdentity.js';

export { BOOTSTRAP_ACCESS_KEY_ID, BOOTSTRAP_SECRET_ACCESS_KEY } from './credentials.js';
export { MEMBER_ROLE_NAME, DEFAULT_CHAIN_ROLE_NAME, addGeneratedBucket, addGeneratedQueue } from './generate.js';
export { DEFAULT_EXTERNAL_ID, DEFAULT_REGIONS, defaultFaults } from './options.js';
export { mfaDeviceArn } from './services/sts.js';
export { queueAttributes } from './services/sqsAttributes.js';
export { SimulatedOrganization } from './organization.js';
export type * from './organization.js';
export type { ChainRoleOptions, DenyRule, FaultOptions } from './options.js';
export type { SimulatorCounters } from './counters.js';
export type { AuthContext, Caller, SimRequest, SimResponse } from './http.js';
export type { RouteContext, SimRoute } from './server.js';
export type { IssuedRoleCredentials } from './roleCredentials.js';
export type { WebIdentityTokenOptions } from './webIdentity.js';
export { DEFAULT_WEB_IDENTITY_AUDIENCE } from './webIdentity.js';

export interface SimulatorOptions {
  seed: number;
  /** Member accounts, besides the management account. */
  accounts: number;
  ouDepth: number;
  ouBreadth: number;
  /** Queues in every account (management included), spread over `regions`. */
  queuesPerAccount: number;
  /** Buckets in every account (management included), spread over `regions`. */
  bucketsPerAccount: number;
  regions: string[];
  latencyMs: number;
  jitterMs: number;
  /** Lifetime of every issued credential, in seconds; 0 ⇒ as requested. */
  credentialLifetimeSeconds: number;
  omitBucketRegion: boolean;
  /** Accounts answered without `State` (only the deprecated `Status`). */
  omitAccountState: boolean;
  /** Every N-th Organizations page is empty but carries a NextToken (0 ⇒ never). */
  emptyPageEvery: number;
  faults: Partial<FaultOptions>;
  /** The role chain; default one role, `arn:aws:iam::<management>:role/InventoryReader` with ExternalId `simulated-external-id`. */
  roles: ChainRoleOptions[];
  /** Extra routes (Roles Anywhere, …), served before SigV4 authentication. */
  routes: SimRoute[];
  /** Count successful requests that repeat an earlier one (`counters().repeated`); costs a hash per request. */
  trackRepeats: boolean;
  /** Virtual-host-style S3 answers for `<bucket>.<suffix>` Host headers. */
  virtualHostSuffix: string;
  port?: number;
}

export interface RunningSimulator {
  /** `http://127.0.0.1:PORT`: the endpoint for every service. */
  url: string;
  port: number;
  org: SimulatedOrganization;
  /** The live fault knobs: change them while the server runs. */
  faults: FaultOptions;
  counters(): SimulatorCounters;
  resetCounters(): void;
  close(): Promise<void>;
  managementAccountId: string;
  /** The first role of the chain (the only one by default). */
  chainRoleArn: string;
  chainRoleArns: string[];
  externalId: string;
  /** Long-term keys of the IAM user the chain starts from (in `org.identityAccountId`). */
  bootstrap: { accessKeyId: string; secretAccessKey: string };
  addRoute(route: SimRoute): void;
  /** The URL SQS answers for a queue (AWS's: https://sqs.<region>.amazonaws.com/<account>/<name>). */
  queueUrl(accountId: string, region: string, name: string): string;
  /**
   * A token of the simulator's OpenID Connect provider, for AssumeRoleWithWebIdentity of a role
   * with `webIdentityAudience` (what Kubernetes writes to AWS_WEB_IDENTITY_TOKEN_FILE).
   */
  webIdentityToken(options?: WebIdentityTokenOptions): string;
  /** Credentials acting as the role, for extra routes such as Roles Anywhere. */
  issueCredentials(roleArn: string, sessionName: string, durationSeconds: number): IssuedRoleCredentials;
}

export const DEFAULT_SIMULATOR_OPTIONS: Readonly<Omit<SimulatorOptions, 'port'>> = {
  seed: 1,
  accounts: 12,
  ouDepth: 2,
  ouBreadth: 2,
  queuesPerAccount: 8,
  bucketsPerAccount: 6,
  regions: DEFAULT_REGIONS,
  latencyMs: 0,
  jitterMs: 0,
  credentialLifetimeSeconds: 0,
  omitBucketRegion: false,
  omitAccountState: false,
  emptyPageEvery: 7,
  faults: {},
  roles: [],
  routes: [],
  trackRepeats: false,
  virtualHostSuffix: 'localhost',
};

export async function startSimulator(options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  const o: SimulatorOptions = { ...DEFAULT_SIMULATOR_OPTIONS, ...options };
  validate(o);
  const org = generateOrganization(o);
  org.omitAccountState = o.omitAccountState;
  const faults: FaultOptions = {
    ...defaultFaults(),
    latencyMs: o.latencyMs,
    jitterMs: o.jitterMs,
    credentialLifetimeSeconds: o.credentialLifetimeSeconds,
    ...o.faults,
  };
  const counters = new Counters();
  const credentials = new CredentialStore(org.identityAccountId);
  const webIdentity = new WebIdentityIssuer();
  let baseUrl = '';
  const lifetimeFor = (requested: number): number =>
    faults.credentialLifetimeSeconds > 0 ? Math.min(requested, faults.credentialLifetimeSeconds) : requested;

  const env: ServiceEnvironment = {
    org,
    credentials,
    faults,
    counters,
    seed: o.seed,
    emptyPageEvery: o.emptyPageEvery,
    omitBucketRegion: o.omitBucketRegion,
    virtualHostSuffix: o.virtualHostSuffix,
    baseUrl: () => baseUrl,
    lifetimeFor,
    webIdentity,
    issueRoleCredentials: (role, sessionName, durationSeconds, mfa) => issueRoleCredentials(credentials, counters, role, sessionName, lifetimeFor(durationSeconds), mfa),
  };
  const services = new Map<string, SimService>();
  for (const service of [new StsService(env), new OrganizationsService(env), new SqsService(env), new S3Service(env), new AccountService(env, o.regions)]) {
    services.set(service.name, service);
  }

  const issueCredentials = (roleArn: string, sessionName: string, durationSeconds: number): IssuedRoleCredentials => {
    const role = org.roles.get(roleArn);
    if (!role) throw new Error(`no simulated role ${roleArn}`);
    return env.issueRoleCredentials(role, sessionName, durationSeconds, false);
  };
  const routes = [...o.routes];
  const routeContext: Omit<RouteContext, 'auth'> = { org, faults, issueCredentials };
  const chainRoleArns = [...org.roles.values()].filter((r) => r.chainRole).map((r) => r.arn);
  const firstRole = org.roles.get(chainRoleArns[0] ?? '');

  const info = (): Record<string, unknown> => ({
    url: baseUrl,
    managementAccountId: org.managementAccountId,
    identityAccountId: org.identityAccountId,
    organizationId: org.organizationId,
    chainRoleArns,
    externalId: firstRole?.externalId ?? null,
    bootstrapAccessKeyId: BOOTSTRAP_ACCESS_KEY_ID,
    regions: o.regions,
    accounts: org.accounts.size,
    queues: org.queueCount(),
    buckets: org.buckets.size,
  });
  const admin = (request: SimRequest): SimResponse | undefined => adminRoute(request, { counters, faults, info });

  const server: Server = await startHttpServer({ services, routes, credentials, counters, faults, random: createPrng(o.seed ^ 0x5eed), trackRepeats: o.trackRepeats, routeContext, admin }, o.port ?? 0);
  const port = serverPort(server);
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    port,
    org,
    faults,
    counters: () => counters.snapshot(),
    resetCounters: () => counters.reset(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    managementAccountId: org.managementAccountId,
    chainRoleArn: chainRoleArns[0] ?? '',
    chainRoleArns,
    externalId: firstRole?.externalId ?? DEFAULT_EXTERNAL_ID,
    bootstrap: { accessKeyId: BOOTSTRAP_ACCESS_KEY_ID, secretAccessKey: BOOTSTRAP_SECRET_ACCESS_KEY },
    addRoute: (route) => {
      routes.push(route);
    },
    queueUrl: awsQueueUrl,
    webIdentityToken: (options) => webIdentity.issue(options),
    issueCredentials,
  };
}

function validate(o: SimulatorOptions): void {
  const counts: [string, number][] = [
    ['accounts', o.accounts],
    ['ouDepth', o.ouDepth],
    ['ouBreadth', o.ouBreadth],
    ['queuesPerAccount', o.queuesPerAccount],
    ['bucketsPerAccount', o.bucketsPerAccount],
  ];
  for (const [name, value] of counts) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`simulator option ${name} must be a whole number ≥ 0, got ${value}`);
  }
  if (o.ouDepth > 0 && o.ouBreadth === 0) throw new RangeError('simulator option ouBreadth must be ≥ 1 when ouDepth is set');
  if (o.ouDepth > 5) throw new RangeError(`simulator option ouDepth must be at most 5 (AWS allows five levels of OUs), got ${o.ouDepth}`);
  if (o.regions.length === 0) throw new RangeError('simulator option regions must name at least one region');
  for (const region of o.regions) if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) throw new RangeError(`simulator option regions: ${region} is not a region name such as eu-west-1`);
}
