/** `run`: one inventory run with the parameter file, flags winning over it. */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { configError } from '../../errors/inventoryError.js';
import { checkOutputDir } from '../../parameters/checkOutputDir.js';
import { loggerFor, parametersFromArgs } from '../globalOptions.js';
import type { GlobalArgs } from '../globalOptions.js';
import { parameterFlagOptions } from '../parameterFlags.js';
import type { CommandResult } from '../commandResult.js';

interface RunArgs extends GlobalArgs {
  record?: string;
  shard?: string;
  'csv-include-deleted': boolean;
  'sqlite-path'?: string;
  'csv-dir'?: string;
  progress: 'auto' | 'none';
}

/**
 * `K/N`: shard K (0-based, as Kubernetes Indexed Jobs and AWS Batch array jobs number them) of N.
 * `auto/N` takes K from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or
 * AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job).
 */
export function parseShard(text: string, env: NodeJS.ProcessEnv = process.env): { index: number; count: number } {
  const auto = /^auto\/(\d+)$/.exec(text.trim());
  if (auto !== null) {
    const fromEnv = env.JOB_COMPLETION_INDEX ?? env.AWS_BATCH_JOB_ARRAY_INDEX;
    if (fromEnv === undefined || !/^\d+$/.test(fromEnv)) {
      throw configError('--shard', `"${text}" needs the shard index from JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX, and neither is set to a number.`, 'Run it as a Kubernetes Indexed Job or an AWS Batch array job, or give the index: --shard K/N.');
    }
    return parseShard(`${fromEnv}/${auto[1]}`, env);
  }
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index >= count) {
    throw configError('--shard', `"${text}" is not a shard of the form K/N with 0 ≤ K < N.`, 'Write e.g. --shard 0/4 for the first of four shards (K counts from 0, like $JOB_COMPLETION_INDEX), or auto/N.');
  }
  return { index, count };
}

export function runCommand(result: CommandResult): CommandModule {
  return {
    command: 'run',
    describe: 'crawl the organization and write the inventory (SQLite and CSV)',
    builder: (yargs: Argv) =>
      yargs
        .options(parameterFlagOptions())
        .options({
          record: { type: 'string', requiresArg: true, describe: 'save every HTTP exchange into DIR (secrets scrubbed), for replay tests' },
          shard: { type: 'string', requiresArg: true, describe: 'crawl only shard K of N (K from 0), e.g. 0/4; merge the shard databases with `merge`' },
          'csv-include-deleted': { type: 'boolean', default: false, describe: 'also write rows marked deleted into the CSV files' },
          'sqlite-path': { type: 'string', requiresArg: true, describe: 'SQLite database (default <output_dir>/inventory.sqlite)' },
          'csv-dir': { type: 'string', requiresArg: true, describe: 'CSV directory (default <output_dir>/csv)' },
          progress: { type: 'string', choices: ['auto', 'none'], default: 'auto', describe: 'progress display: a bar on a terminal, JSON lines otherwise; none ⇒ off' },
        })
        .example('$0 run --params parameters/example.json', 'crawl with a parameter file')
        .example('$0 run -p prod.json --regions us-east-1,eu-west-1 --resources s3', 'only S3 buckets, in two regions')
        .example('$0 run -p prod.json --shard 2/8 --output-dir /data/shard-2', 'the third of eight shards'),
    handler: async (args) => {
      const argv = args as unknown as RunArgs;
      const params = parametersFromArgs(argv);
      const sqlitePath = argv['sqlite-path'] ?? null;
      const csvDir = argv['csv-dir'] ?? null;
      const shard = argv.shard === undefined ? null : parseShard(argv.shard);
      // Every place the run writes must be writable before it starts.
      checkOutputDir(params.output_dir);
      if (sqlitePath !== null) checkOutputDir(path.dirname(sqlitePath), { field: '--sqlite-path' });
      if (csvDir !== null) checkOutputDir(csvDir, { field: '--csv-dir' });
      if (argv.record !== undefined) checkOutputDir(argv.record, { field: '--record' });
      const logger = loggerFor(argv, params.log_level);
      // The crawl engine and the AWS SDK load only when a run starts: other commands stay quick.
      const { runInventory } = await import('../../crawl/run.js');
      const outcome = await runInventory({
        params,
        logger,
        record: argv.record ?? null,
        shard,
        progress: argv.quiet ? 'none' : argv.progress,
        csvIncludeDeleted: argv['csv-include-deleted'],
        sqlitePath,
        csvDir,
      });
      result.exitCode = outcome.exitCode;
    },
  };
}
