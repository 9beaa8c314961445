/**
 * `aws-org-inventory simulate`: serve a simulated organization on a loopback port until
 * interrupted, print how to point a crawl (or any AWS client) at it, and print the request
 * counters on exit.
 */
import type { Argv, CommandModule } from 'yargs';
import { InventoryError } from '../errors/inventoryError.js';
import { DEFAULT_SIMULATOR_OPTIONS, startSimulator } from './index.js';
import type { RunningSimulator, SimulatorOptions } from './index.js';
import type { DenyRule, FaultOptions } from './options.js';
import { untilStopped } from '../cli/untilStopped.js';

interface SimulateArgs {
  port: number;
  seed: number;
  accounts: number;
  'ou-depth': number;
  'ou-breadth': number;
  'queues-per-account': number;
  'buckets-per-account': number;
  regions: string[];
  'latency-ms': number;
  'jitter-ms': number;
  'credential-lifetime-seconds': number;
  'omit-bucket-region': boolean;
  'omit-account-state': boolean;
  'empty-page-every': number;
  throttle: string[];
  'server-error-rate': number;
  'connection-reset-rate': number;
  'expired-token-rate': number;
  deny: string[];
  'deny-member-role': string[];
  'region-not-enabled': string[];
  'organizations-not-in-use': boolean;
  'track-repeats': boolean;
  json: boolean;
  fixtures?: string;
}

const d = DEFAULT_SIMULATOR_OPTIONS;

function rate(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new InventoryError('config', `--${name} must be a fraction between 0 and 1, got ${value}`);
  return value;
}

/** `sqs=0.1`, `*=0.05` ⇒ `{ sqs: 0.1, '*': 0.05 }`. */
export function parseThrottle(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const value of values) {
    const match = /^([a-z0-9*-]+)=([0-9.]+)$/.exec(value.trim());
    if (!match?.[1] || !match[2]) throw new InventoryError('config', `--throttle ${value}: write SERVICE=RATE, e.g. --throttle organizations=0.2 --throttle '*=0.05'`);
    out[match[1]] = rate('throttle', Number(match[2]));
  }
  return out;
}

/** `account=123456789012,service=sqs` ⇒ a deny rule. */
export function parseDeny(values: readonly string[]): DenyRule[] {
  return values.map((value) => {
    const rule: DenyRule = {};
    for (const part of value.split(',')) {
      const [key, v] = part.split('=').map((s) => s.trim());
      if (!v || (key !== 'account' && key !== 'region' && key !== 'service' && key !== 'operation')) {
        throw new InventoryError('config', `--deny ${value}: write comma-separated KEY=VALUE pairs with keys account, region, service, operation, e.g. --deny account=123456789012,service=sqs`);
      }
      rule[key] = v;
    }
    return rule;
  });
}

/** `123456789012:ap-east-1` ⇒ `{ '123456789012': ['ap-east-1'] }`. */
export function parseRegionsNotEnabled(values: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const value of values) {
    const match = /^(\d{12}):([a-z0-9-]+)$/.exec(value.trim());
    if (!match?.[1] || !match[2]) throw new InventoryError('config', `--region-not-enabled ${value}: write ACCOUNT:REGION, e.g. 123456789012:ap-southeast-2`);
    (out[match[1]] ??= []).push(match[2]);
  }
  return out;
}

export function optionsFromArgs(argv: SimulateArgs): Partial<SimulatorOptions> {
  const faults: Partial<FaultOptions> = {
    throttleRate: parseThrottle(argv.throttle),
    serverErrorRate: rate('server-error-rate', argv['server-error-rate']),
    connectionResetRate: rate('connection-reset-rate', argv['connection-reset-rate']),
    expiredTokenRate: rate('expired-token-rate', argv['expired-token-rate']),
    deny: parseDeny(argv.deny),
    denyMemberRoles: argv['deny-member-role'],
    regionsNotEnabled: parseRegionsNotEnabled(argv['region-not-enabled']),
    organizationsNotInUse: argv['organizations-not-in-use'],
  };
  return {
    port: argv.port,
    seed: argv.seed,
    accounts: argv.accounts,
    ouDepth: argv['ou-depth'],
    ouBreadth: argv['ou-breadth'],
    queuesPerAccount: argv['queues-per-account'],
    bucketsPerAccount: argv['buckets-per-account'],
    regions: argv.regions,
    latencyMs: argv['latency-ms'],
    jitterMs: argv['jitter-ms'],
    credentialLifetimeSeconds: argv['credential-lifetime-seconds'],
    omitBucketRegion: argv['omit-bucket-region'],
    omitAccountState: argv['omit-account-state'],
    emptyPageEvery: argv['empty-page-every'],
    trackRepeats: argv['track-repeats'],
    faults,
  };
}

/** The parameter file a crawl of this simulator needs (the bootstrap keys are public, fake constants). */
export function parameterSnippet(sim: RunningSimulator, regions: readonly string[]): Record<string, unknown> {
  return {
    access_key_id: sim.bootstrap.accessKeyId,
    secret_access_key: sim.bootstrap.secretAccessKey,
    master_assume_role_arn_chain: sim.chainRoleArns.length === 1 ? sim.chainRoleArn : sim.chainRoleArns,
    assume_external_id: sim.externalId,
    member_account_role_name: 'OrganizationAccountAccessRole',
    region: 'us-east-1',
    regions: [...regions].sort(),
    endpoint_url: sim.url,
  };
}

function describeStart(sim: RunningSimulator, regions: readonly string[]): string {
  const org = sim.org;
  return [
    `Simulated AWS organization listening on ${sim.url}`,
    `  organization ${org.organizationId}: ${org.accounts.size} accounts, ${org.organizationalUnits.size} OUs, ${org.queueCount()} queues, ${org.buckets.size} buckets in ${regions.join(', ')}`,
    `  management account ${sim.managementAccountId}; chain role ${sim.chainRoleArns.join(' → ')} (external id ${sim.externalId})`,
    `  bootstrap access key id ${sim.bootstrap.accessKeyId} (user in account ${org.identityAccountId})`,
    `  counters: curl ${sim.url}/_simulator/counters   faults: curl -X POST -d '{"throttleRate":{"sqs":0.1}}' ${sim.url}/_simulator/faults`,
    '',
    'Parameter file for a crawl of it:',
    JSON.stringify(parameterSnippet(sim, regions), null, 2),
    '',
    `Any AWS client: AWS_ACCESS_KEY_ID=${sim.bootstrap.accessKeyId} AWS_SECRET_ACCESS_KEY=… aws --endpoint-url ${sim.url} sts get-caller-identity`,
    'Press Ctrl-C to stop; the request counters are printed on exit.',
    '',
  ].join('\n');
}

export const simulateCommand: CommandModule<object, SimulateArgs> = {
  command: 'simulate',
  describe: 'serve a simulated AWS organization on a loopback port, for tests and benchmarks',
  builder: (yargs: Argv) =>
    yargs
      .options({
        port: { type: 'number', default: 0, describe: 'port on 127.0.0.1 (0 ⇒ a free one)' },
        seed: { type: 'number', default: d.seed, describe: 'seed of the generated organization and of fault randomness' },
        accounts: { type: 'number', default: d.accounts, describe: 'member accounts besides the management account' },
        'ou-depth': { type: 'number', default: d.ouDepth, describe: 'levels of OUs under the root (0–5)' },
        'ou-breadth': { type: 'number', default: d.ouBreadth, describe: 'child OUs of each root or OU' },
        'queues-per-account': { type: 'number', default: d.queuesPerAccount, describe: 'SQS queues in every account, spread over the regions' },
        'buckets-per-account': { type: 'number', default: d.bucketsPerAccount, describe: 'S3 buckets in every account, spread over the regions' },
        regions: { type: 'array', string: true, default: d.regions, describe: 'regions that hold queues and buckets' },
        'latency-ms': { type: 'number', default: d.latencyMs, describe: 'fixed delay before every answer' },
        'jitter-ms': { type: 'number', default: d.jitterMs, describe: 'extra random delay, 0 … this' },
        'credential-lifetime-seconds': { type: 'number', default: d.credentialLifetimeSeconds, describe: 'lifetime of issued credentials (0 ⇒ as requested); short values force renewal' },
        'omit-bucket-region': { type: 'boolean', default: d.omitBucketRegion, describe: 'ListBuckets without BucketRegion, as older endpoints' },
        'omit-account-state': { type: 'boolean', default: d.omitAccountState, describe: 'accounts without State (only the deprecated Status)' },
        'empty-page-every': { type: 'number', default: d.emptyPageEvery, describe: 'every N-th Organizations page is empty but has a NextToken (0 ⇒ never)' },
        throttle: { type: 'array', string: true, default: [] as string[], describe: 'SERVICE=RATE throttled fraction, e.g. organizations=0.2 or *=0.05' },
        'server-error-rate': { type: 'number', default: 0, describe: 'fraction answered 500 InternalError / 503 ServiceUnavailable' },
        'connection-reset-rate': { type: 'number', default: 0, describe: 'fraction of connections destroyed without an answer' },
        'expired-token-rate': { type: 'number', default: 0, describe: 'fraction of session-credential requests answered ExpiredToken' },
        deny: { type: 'array', string: true, default: [] as string[], describe: 'AccessDenied rule: account=ID,region=R,service=S,operation=OP (any subset)' },
        'deny-member-role': { type: 'array', string: true, default: [] as string[], describe: 'account ids whose member role cannot be assumed' },
        'region-not-enabled': { type: 'array', string: true, default: [] as string[], describe: 'ACCOUNT:REGION not enabled (SQS fails there as AWS does)' },
        'organizations-not-in-use': { type: 'boolean', default: false, describe: 'answer AWSOrganizationsNotInUseException' },
        'track-repeats': { type: 'boolean', default: false, describe: 'count successful requests that repeat an earlier one (counters.repeated)' },
        fixtures: { type: 'string', describe: 'serve a recording (run --record DIR) instead of a generated organization; same as `replay DIR`' },
        json: { type: 'boolean', default: false, describe: 'print one JSON line with the URL and the parameter snippet instead of text' },
      })
      .example('$0 simulate --accounts 200 --latency-ms 25', 'a 200-account organization with AWS-like latency')
      .example('$0 simulate --throttle organizations=0.2 --credential-lifetime-seconds 20', 'throttling and short-lived credentials')
      .example('$0 simulate --fixtures fixtures/small-org', 'serve a recorded crawl') as unknown as Argv<SimulateArgs>,
  handler: async (argv) => {
    if (argv.fixtures !== undefined) {
      // A recording is served by the replay server; generation options and fault knobs do not apply to it.
      const { replayCommand } = await import('../fixtures/replayCommand.js');
      await replayCommand.handler({ dir: argv.fixtures, ...(argv.port ? { port: argv.port } : {}), 'rewrite-addresses': false, rewriteAddresses: false, _: [], $0: 'aws-org-inventory' });
      return;
    }
    let sim: RunningSimulator;
    try {
      sim = await startSimulator(optionsFromArgs(argv));
    } catch (error) {
      if (error instanceof InventoryError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new InventoryError('config', `port ${argv.port} on 127.0.0.1 is in use`, { hint: 'Pick another --port, or 0 for a free one.' });
      if (error instanceof RangeError) throw new InventoryError('config', error.message);
      throw error;
    }
    const regions = argv.regions;
    if (argv.json) process.stdout.write(`${JSON.stringify({ url: sim.url, port: sim.port, parameters: parameterSnippet(sim, regions) })}\n`);
    else process.stdout.write(describeStart(sim, regions));
    await untilStopped();
    const counters = sim.counters();
    await sim.close();
    process.stdout.write(`${argv.json ? JSON.stringify({ counters }) : `\nRequest counters:\n${JSON.stringify(counters, null, 2)}`}\n`);
  },
};

export default simulateCommand;
