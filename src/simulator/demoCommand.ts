/**
 * `demo`: the first command to try. Starts the simulated organization in-process on a free
 * loopback port, crawls it with `parameters/example.json` (only its endpoint is replaced by the
 * simulator's), writes `output/`, and prints a summary. Nothing leaves loopback.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../cli/globalOptions.js';
import { loggerFor } from '../cli/globalOptions.js';
import { parameterFlagOptions, parameterOverrides } from '../cli/parameterFlags.js';
import { configError } from '../errors/inventoryError.js';
import { loadParameters } from '../parameters/load.js';
import { DEFAULT_SIMULATOR_OPTIONS, startSimulator } from './index.js';

interface DemoArgs extends GlobalArgs {
  accounts: number;
  seed: number;
  'latency-ms': number;
  progress: 'auto' | 'none';
}

/** `parameters/example.json` of the installed package (it ships with it). */
function bundledExample(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    const candidate = path.join(dir, 'parameters', 'example.json');
    if (existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve('parameters', 'example.json');
}

export const demoCommand: CommandModule = {
  command: 'demo',
  describe: 'crawl the bundled simulated organization into output/ (the first command to try; no AWS account needed)',
  builder: (yargs: Argv) =>
    yargs
      .options(parameterFlagOptions())
      .options({
        accounts: { type: 'number', default: DEFAULT_SIMULATOR_OPTIONS.accounts, describe: 'member accounts of the simulated organization' },
        seed: { type: 'number', default: DEFAULT_SIMULATOR_OPTIONS.seed, describe: 'seed of the simulated organization' },
        'latency-ms': { type: 'number', default: 5, describe: 'simulated latency of every AWS answer' },
        progress: { type: 'string', choices: ['auto', 'none'], default: 'auto', describe: 'progress display: a bar on a terminal, JSON lines otherwise' },
      })
      .example('$0 demo', 'crawl the bundled organization with parameters/example.json into ./output')
      .example('$0 demo --accounts 200 --output-dir /tmp/inventory', 'a larger organization elsewhere'),
  handler: async (args) => {
    const argv = args as unknown as DemoArgs;
    const file = argv.params ?? bundledExample();
    if (!existsSync(file)) throw configError('--params', `${file} does not exist.`, 'Run from the repository root, or pass --params FILE.');
    const sim = await startSimulator({ accounts: argv.accounts, seed: argv.seed, latencyMs: argv['latency-ms'] });
    try {
      const params = loadParameters({ file, overrides: { ...parameterOverrides(argv), endpoint_url: sim.url } });
      if (!params.master_assume_role_arn_chain.includes(sim.chainRoleArn)) {
        throw configError(
          'master_assume_role_arn_chain',
          `${file} does not name the simulated organization's role ${sim.chainRoleArn} (seed ${argv.seed}).`,
          'Use the bundled parameters/example.json, or the default --seed.',
        );
      }
      const logger = loggerFor(argv, params.log_level);
      const { runInventory } = await import('../crawl/run.js');
      const result = await runInventory({ params, logger, progress: argv.quiet ? 'none' : argv.progress });
      const rows = result.summary.rows;
      const accounts = result.outcome.accounts;
      const lines = [
        `aws-org-inventory demo: crawled the simulated organization at ${sim.url} as ${result.outcome.callerArn}`,
        `  accounts          ${rows.accounts ?? 0} (${accounts.crawled} crawled for SQS and S3, ${accounts['skipped-inactive']} not active, ${accounts.denied} denied)`,
        `  OUs               ${rows.organizational_units ?? 0}`,
        `  policies          ${rows.policies ?? 0} (${rows.policy_targets ?? 0} attachments)`,
        `  SQS queues        ${rows.sqs_queues ?? 0} in ${Array.isArray(params.regions) ? params.regions.join(', ') : 'every enabled region'}`,
        `  S3 buckets        ${rows.s3_buckets ?? 0}`,
        `  errors            ${result.summary.errorCount}`,
        `  requests          ${result.requests.total} (+${result.requests.assumeRoleCalls} AssumeRole) in ${result.wallSeconds.toFixed(1)} s`,
        `  run               #${result.summary.runId}, ${result.summary.status}`,
        `  SQLite            ${result.sqlitePath ?? '(not written: formats)'}`,
        `  CSV               ${result.csvDir ?? '(not written: formats)'}`,
        `  report            ${result.reportPath ?? '(not written: add "html" to formats)'}`,
        '',
        ...(result.reportPath === null ? [] : [`Open ${result.reportPath} in a browser: the run, the OU tree, changes, errors, exposure and search, offline.`]),
        `Query: sqlite3 ${result.sqlitePath ?? 'output/inventory.sqlite'} "select name, ou_path_names, crawl_status from v_accounts"`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      process.exitCode = result.exitCode;
    } finally {
      await sim.close();
    }
  },
};

export default demoCommand;
