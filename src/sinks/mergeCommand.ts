/**
 * `merge --into DB A.sqlite B.sqlite …`: the step after a sharded crawl (Kubernetes Indexed Job,
 * AWS Batch array job) that combines the shard databases into one, and with `--csv-dir` exports
 * its CSV as a run would. It holds the lock of the directory it writes into, so it cannot
 * replace a database a run is writing.
 */
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Argv, CommandModule } from 'yargs';
import { createLogger } from '../log/logger.js';
import { checkOutputDir } from '../parameters/checkOutputDir.js';
import { acquireLock } from './lock.js';
import { mergeDatabases } from './merge.js';

interface MergeArgs {
  into: string;
  sources: string[];
  'csv-dir'?: string;
  'csv-include-deleted'?: boolean;
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
      .option('csv-dir', { type: 'string', requiresArg: true, describe: 'also write the merged CSV files here, as a run writes <output_dir>/csv' })
      .option('csv-include-deleted', { type: 'boolean', default: false, describe: 'also write rows marked deleted into the CSV files' })
      .example('$0 merge --into output/inventory.sqlite shards/0.sqlite shards/1.sqlite', 'combine two shards') as unknown as Argv<MergeArgs>,
  handler: async (argv) => {
    const logger = createLogger({ level: argv.quiet ? 'warn' : 'info', format: argv['log-format'] ?? 'auto' });
    const csvDir = argv['csv-dir'];
    if (csvDir !== undefined) checkOutputDir(csvDir, { field: '--csv-dir' });
    const lock = await acquireLock(dirname(argv.into), { logger });
    try {
      const result = mergeDatabases(argv.into, argv.sources);
      for (const warning of result.warnings) logger.warn(warning);
      if (csvDir !== undefined) {
        // The table declarations load the AWS SDK: only when CSV is asked for.
        const [{ exportCsv }, { TABLES }] = await Promise.all([import('./csv/writeCsv.js'), import('../tables/index.js')]);
        const db = new Database(argv.into, { readonly: true });
        try {
          await exportCsv(db, TABLES, csvDir, { includeDeleted: argv['csv-include-deleted'] ?? false });
        } finally {
          db.close();
        }
      }
      const tables = Object.entries(result.rows).map(([name, n]) => `${name} ${n}`);
      process.stdout.write(
        `Merged ${result.sources.length} databases (shards ${result.sources.map((s) => s.shard ?? 'none').join(', ')}) into ${result.into}: ${result.runs} runs; rows: ${tables.join(', ')}.\n`,
      );
    } finally {
      lock.release();
    }
  },
};
