/**
 * `merge --into DB A.sqlite B.sqlite …`: the step after a sharded crawl (Kubernetes Indexed Job,
 * AWS Batch array job) that combines the shard databases into one. It holds the lock of the
 * directory it writes into, so it cannot replace a database a run is writing.
 */
import { dirname } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { createLogger } from '../log/logger.js';
import { acquireLock } from './lock.js';
import { mergeDatabases } from './merge.js';

interface MergeArgs {
  into: string;
  sources: string[];
  'log-format'?: 'auto' | 'json' | 'pretty';
  quiet?: boolean;
}

export const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <sources..>',
  describe: 'combine the SQLite databases of a sharded crawl into one',
  builder: (yargs: Argv) =>
    yargs
      .positional('sources', { type: 'string', array: true, demandOption: true, describe: 'the shard databases (run --shard K/N … --sqlite-path)' })
      .option('into', { type: 'string', demandOption: true, requiresArg: true, describe: 'database to write; replaced atomically if it exists' })
      .example('$0 merge --into output/inventory.sqlite shards/0.sqlite shards/1.sqlite', 'combine two shards') as unknown as Argv<MergeArgs>,
  handler: async (argv) => {
    const logger = createLogger({ level: argv.quiet ? 'warn' : 'info', format: argv['log-format'] ?? 'auto' });
    const lock = await acquireLock(dirname(argv.into), { logger });
    try {
      const result = mergeDatabases(argv.into, argv.sources);
      for (const warning of result.warnings) logger.warn(warning);
      const tables = Object.entries(result.rows).map(([name, n]) => `${name} ${n}`);
      process.stdout.write(
        `Merged ${result.sources.length} databases (shards ${result.sources.map((s) => s.shard ?? 'none').join(', ')}) into ${result.into}: ${result.runs} runs; rows: ${tables.join(', ')}.\n`,
      );
    } finally {
      lock.release();
    }
  },
};
