/**
 * `npm run bench`: crawl the simulated organization at a fixed per-request latency and compare
 * the wall time with the lower bound the API latency and the concurrency limits allow.
 *
 *   lower bound = max( total requests × latency / concurrency,
 *                      Organizations requests × latency / Organizations concurrency (2),
 *                      longest dependent chain × latency )
 *
 * The simulator and each crawl run in processes of their own; peak RSS and CPU are the crawl's.
 * Usage: npm run bench -- [scenario …] [--latency-ms 25] [--workers auto|N]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SimulatorOptions } from '../src/simulator/index.js';
import { measureReport, reportLines } from './reportFigures.js';

interface Scenario {
  name: string;
  description: string;
  simulator: Partial<SimulatorOptions>;
  parameters: Record<string, unknown>;
  /** Longest chain of requests that must happen one after another. */
  chain: (s: Partial<SimulatorOptions>) => number;
  targets: { ratio?: number; rssMb?: number; zeroErrors?: boolean };
  /** Also write report.html from the crawled inventory (after the crawl, not in its figures) and measure it. */
  report?: boolean;
}

const ORG_CONCURRENCY = 2;
const here = path.dirname(fileURLToPath(import.meta.url));
/** Extra node flags for the child processes, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** The children print figures, not the SDK's notice that its 2027 releases need Node 22. */
const childEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/**
 * The dependent chain of a member account: chain AssumeRole, GetCallerIdentity,
 * DescribeOrganization, ListRoots, one ListOrganizationalUnitsForParent per tree level down to the
 * deepest account, its ListAccountsForParent, the member AssumeRole, then the longer of
 * ListQueues pages + one per-queue call and ListBuckets + one per-bucket call.
 */
function memberChain(s: Partial<SimulatorOptions>, queuePagesPerRegion = 1): number {
  return 1 + 1 + 1 + 1 + (s.ouDepth ?? 2) + 1 + 1 + Math.max(queuePagesPerRegion + 1, 2);
}

const SCENARIOS: Scenario[] = [
  {
    name: 'smoke',
    description: 'a quick check: 20 accounts × 3 regions × 20 queues per region × 5 buckets, concurrency 64',
    simulator: { accounts: 19, ouDepth: 2, ouBreadth: 3, queuesPerAccount: 60, bucketsPerAccount: 5, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] },
    parameters: { concurrency: 64, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] },
    chain: (s) => memberChain(s),
    targets: {},
  },
  {
    name: 'a16',
    description: '(a) 200 accounts × 3 regions × 20 queues per region × 5 buckets, concurrency 16',
    simulator: { accounts: 199, ouDepth: 3, ouBreadth: 3, queuesPerAccount: 60, bucketsPerAccount: 5, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] },
    parameters: { concurrency: 16, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] },
    chain: (s) => memberChain(s),
    targets: { ratio: 1.3 },
  },
  {
    name: 'a64',
    description: '(a) the same organization at concurrency 64',
    simulator: { accounts: 199, ouDepth: 3, ouBreadth: 3, queuesPerAccount: 60, bucketsPerAccount: 5, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] },
    parameters: { concurrency: 64, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] },
    chain: (s) => memberChain(s),
    targets: { ratio: 1.3 },
  },
  {
    name: 'b',
    description: '(b) 2,000 accounts × 3 regions, one queue and one bucket each, concurrency 64; then report.html of that inventory',
    simulator: { accounts: 1999, ouDepth: 3, ouBreadth: 4, queuesPerAccount: 1, bucketsPerAccount: 1, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] },
    parameters: { concurrency: 64, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] },
    chain: (s) => memberChain(s),
    targets: { ratio: 1.5, rssMb: 300 },
    report: true,
  },
  {
    name: 'c',
    description: '(c) one account with 100,000 queues, concurrency 64',
    simulator: { accounts: 0, ouDepth: 0, ouBreadth: 0, queuesPerAccount: 100_000, bucketsPerAccount: 0, regions: ['us-east-1'] },
    parameters: { concurrency: 64, regions: ['us-east-1'], resources: ['sqs'], member_account_role_name: null },
    chain: () => 1 + 1 + 100 + 1,
    targets: { rssMb: 300 },
  },
  {
    name: 'd',
    description: '(d) scenario (a) at concurrency 64 with 20% of Organizations calls and 5% of all calls throttled',
    simulator: {
      accounts: 199,
      ouDepth: 3,
      ouBreadth: 3,
      queuesPerAccount: 60,
      bucketsPerAccount: 5,
      regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
      faults: { throttleRate: { organizations: 0.2, '*': 0.05 } },
    },
    parameters: { concurrency: 64, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'], max_attempts: 10 },
    chain: (s) => memberChain(s),
    targets: { zeroErrors: true },
  },
];

interface CrawlFigures {
  wallSeconds: number;
  exitCode: number;
  errors: number;
  rows: Record<string, number>;
  requests: { total: number; byOperation: Record<string, number>; retries: number; throttled: number; expiredRenewals: number; assumeRoleCalls: number };
  cpuSeconds: number;
  peakRssMb: number;
}

function firstLine(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) return reject(new Error('no stdout'));
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(line));
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before answering`)));
  });
}

/** The simulator process's CPU seconds so far (it answers `cpu` on its IPC channel). */
function simulatorCpu(sim: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error('the simulator process did not report its CPU within 10 s')), 10_000);
    const onMessage = (message: unknown): void => {
      const seconds = (message as { cpuSeconds?: unknown } | null)?.cpuSeconds;
      if (typeof seconds === 'number') done(null, seconds);
    };
    const onExit = (code: number | null): void => done(new Error(`the simulator process exited (${code}) before reporting its CPU`));
    function done(error: Error | null, seconds = 0): void {
      clearTimeout(timer);
      sim.off('message', onMessage);
      sim.off('exit', onExit);
      if (error) reject(error);
      else resolve(seconds);
    }
    sim.on('message', onMessage);
    sim.once('exit', onExit);
    sim.send('cpu', (error) => {
      if (error) done(error);
    });
  });
}

async function runScenario(scenario: Scenario, latencyMs: number): Promise<void> {
  const simOptions = { ...scenario.simulator, latencyMs, seed: 7 };
  const sim = spawn(process.execPath, [...nodeArgs, path.join(here, 'simulatorProcess.js'), JSON.stringify(simOptions)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: childEnv });
  const dir = mkdtempSync(path.join(tmpdir(), `aoi-bench-${scenario.name}-`));
  try {
    const info = JSON.parse(await firstLine(sim)) as { url: string; accessKeyId: string; secretAccessKey: string; chainRoleArns: string[]; externalId: string };
    const paramsFile = path.join(dir, 'parameters.json');
    writeFileSync(
      paramsFile,
      JSON.stringify({
        access_key_id: info.accessKeyId,
        secret_access_key: info.secretAccessKey,
        master_assume_role_arn_chain: info.chainRoleArns,
        assume_external_id: info.externalId,
        endpoint_url: info.url,
        output_dir: path.join(dir, 'output'),
        formats: ['sqlite'],
        log_level: 'warn',
        ...scenario.parameters,
        ...(workers !== undefined ? { workers } : {}),
      }),
    );
    const simCpuBefore = await simulatorCpu(sim);
    const crawl = spawn(process.execPath, [...nodeArgs, path.join(here, 'crawlProcess.js'), paramsFile], { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv });
    const figures = JSON.parse(await firstLine(crawl)) as CrawlFigures;
    await new Promise((resolve) => crawl.once('exit', resolve));
    const simCpuSeconds = (await simulatorCpu(sim)) - simCpuBefore;
    const counters = (await (await fetch(`${info.url}/_simulator/counters`)).json()) as { requests: number; byService: Record<string, number>; assumeRole: number };
    report(scenario, latencyMs, figures, counters, simCpuSeconds);
    if (scenario.report) {
      const measured = await measureReport(path.join(here, '..', 'src', 'cli', 'main.js'), path.join(dir, 'output'), figures.rows.accounts ?? 0);
      process.stdout.write(`${reportLines(measured).join('\n')}\n`);
    }
  } finally {
    sim.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(
  scenario: Scenario,
  latencyMs: number,
  f: CrawlFigures,
  counters: { requests: number; byService: Record<string, number>; assumeRole: number },
  simCpuSeconds: number,
): void {
  const concurrency = Number(scenario.parameters.concurrency ?? 16);
  // Every request the simulator answered, AssumeRole included (the chain's STS calls do not go
  // through the scheduler's counters).
  const total = counters.requests;
  const org = counters.byService.organizations ?? 0;
  const chain = scenario.chain(scenario.simulator);
  const bounds = {
    throughput: (total * latencyMs) / concurrency / 1000,
    organizations: (org * latencyMs) / ORG_CONCURRENCY / 1000,
    chain: (chain * latencyMs) / 1000,
  };
  const bound = Math.max(bounds.throughput, bounds.organizations, bounds.chain);
  const ratio = f.wallSeconds / bound;
  const cores = availableParallelism();
  const machineFloor = (f.cpuSeconds + simCpuSeconds) / cores;
  const resources = Object.entries(f.rows)
    .filter(([t]) => t === 'sqs_queues' || t === 's3_buckets' || t === 'accounts')
    .reduce((n, [, v]) => n + v, 0);
  const lines = [
    `\n== ${scenario.name}: ${scenario.description}`,
    `wall time            ${f.wallSeconds.toFixed(2)} s   (exit ${f.exitCode}, ${f.errors} errors)`,
    `requests             ${total} answered by the simulator (${f.requests.total} through the scheduler, ${f.requests.retries} retries, ${f.requests.throttled} throttled)`,
    `requests per second  ${(total / f.wallSeconds).toFixed(0)}`,
    `AssumeRole calls     ${counters.assumeRole}`,
    `by service           ${Object.entries(counters.byService).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `by operation         ${Object.entries(f.requests.byOperation).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `lower bound          max(${total} × ${latencyMs} ms / ${concurrency} = ${bounds.throughput.toFixed(2)} s, ${org} × ${latencyMs} ms / ${ORG_CONCURRENCY} = ${bounds.organizations.toFixed(2)} s, ${chain} × ${latencyMs} ms = ${bounds.chain.toFixed(2)} s) = ${bound.toFixed(2)} s`,
    `wall / lower bound   ${ratio.toFixed(2)}${scenario.targets.ratio !== undefined ? `   (target ≤ ${scenario.targets.ratio}: ${ratio <= scenario.targets.ratio ? 'met' : 'MISSED'})` : ''}`,
    `CPU per 1,000 rows   ${((f.cpuSeconds / Math.max(1, resources)) * 1000).toFixed(3)} s   (${f.cpuSeconds.toFixed(1)} s for ${resources} accounts, queues and buckets)`,
    // The lower bound above assumes free CPU. On a small machine the crawl and the simulator share
    // the cores, and their CPU time over the cores is a floor of its own: how close the wall time
    // came to it says whether a run was bound by latency or by the machine. The cores are those
    // Node may use (its CPU affinity); a container's CPU quota is not seen, so there the floor is
    // an underestimate.
    `machine CPU          crawl ${f.cpuSeconds.toFixed(1)} s + simulator ${simCpuSeconds.toFixed(1)} s over ${cores} cores = at least ${machineFloor.toFixed(2)} s of wall (cores ${((100 * machineFloor) / f.wallSeconds).toFixed(0)}% busy; ${(machineFloor / bound).toFixed(2)} × the lower bound${
      scenario.targets.ratio !== undefined && machineFloor / bound > scenario.targets.ratio ? ': over the target before any request waits, so this machine cannot show it' : ''
    })`,
    `peak RSS             ${f.peakRssMb.toFixed(0)} MB${scenario.targets.rssMb !== undefined ? `   (target ≤ ${scenario.targets.rssMb}: ${f.peakRssMb <= scenario.targets.rssMb ? 'met' : 'MISSED'})` : ''}`,
  ];
  if (scenario.targets.zeroErrors) lines.push(`errors               ${f.errors}   (target 0: ${f.errors === 0 ? 'met' : 'MISSED'})`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const args = process.argv.slice(2);
const latencyIndex = args.indexOf('--latency-ms');
const latencyMs = latencyIndex >= 0 ? Number(args[latencyIndex + 1]) : 25;
const workersIndex = args.indexOf('--workers');
/** `--workers N` overrides the `workers` parameter (default: the connector's own default, auto). */
const workers = workersIndex >= 0 ? (args[workersIndex + 1] === 'auto' ? 'auto' : Number(args[workersIndex + 1])) : undefined;
const valueIndexes = new Set([latencyIndex, workersIndex].filter((i) => i >= 0).map((i) => i + 1));
const names = args.filter((a, i) => !a.startsWith('--') && !valueIndexes.has(i));
const chosen = names.length === 0 ? SCENARIOS.filter((s) => s.name !== 'smoke') : SCENARIOS.filter((s) => names.includes(s.name));
if (chosen.length === 0) {
  process.stderr.write(`unknown scenario; choose from ${SCENARIOS.map((s) => s.name).join(', ')}\n`);
  process.exit(2);
}
process.stdout.write(`aws-org-inventory benchmark: ${chosen.length} scenario(s), ${latencyMs} ms per request\n`);
for (const scenario of chosen) await runScenario(scenario, latencyMs);
