/**
 * `report`: write `report.html` from the inventory database, without calling AWS. The database is
 * `<output_dir>/inventory.sqlite` (or --sqlite-path); the page goes into the output directory.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { configError } from '../../errors/inventoryError.js';
import { checkOutputDir } from '../../parameters/checkOutputDir.js';
import { parametersFromArgs } from '../globalOptions.js';
import type { GlobalArgs } from '../globalOptions.js';
import { toolVersion } from '../../version.js';
import type { CommandResult } from '../commandResult.js';

interface ReportArgs extends GlobalArgs {
  'output-dir'?: string;
  'sqlite-path'?: string;
  run?: string;
}

function megabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

function parseRun(text: string | undefined): number | null {
  if (text === undefined) return null;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw configError('--run', `"${text}" is not a run id.`, 'Pass a run id (a positive whole number), or leave --run out for the latest finished run.');
  return Number(text);
}

export function reportCommand(result: CommandResult): CommandModule {
  return {
    command: 'report',
    describe: 'write report.html, one self-contained page of the inventory (tree, changes, errors, exposure), from the database; calls no AWS API',
    builder: (yargs: Argv) =>
      yargs
        .options({
          'output-dir': { type: 'string', requiresArg: true, describe: 'directory of the inventory and of report.html (default: output_dir of --params, else ./output)' },
          'sqlite-path': { type: 'string', requiresArg: true, describe: 'read this database instead of <output-dir>/inventory.sqlite (e.g. a merged one)' },
          run: { type: 'string', requiresArg: true, describe: 'report on this run id (default: the latest finished run)' },
        })
        .example('$0 report', 'write output/report.html from output/inventory.sqlite')
        .example('$0 report --output-dir /data/inventory --run 41', 'the report of run 41 of another inventory'),
    handler: async (args) => {
      const argv = args as unknown as ReportArgs;
      const runId = parseRun(argv.run);
      const outputDir = argv['output-dir'] ?? (argv.params !== undefined ? parametersFromArgs(argv).output_dir : 'output');
      const sqlitePath = argv['sqlite-path'] ?? path.join(outputDir, 'inventory.sqlite');
      // better-sqlite3 and the page's assets load only when the command runs.
      const { openSqliteReader, requireInventoryFile } = await import('../../report/sqliteReader.js');
      const { REPORT_FILE, writeReport } = await import('../../report/writeReport.js');
      // A missing database first (the likelier mistake; no directory is created for it), then a
      // directory the page cannot go into, before SQLite reads anything.
      requireInventoryFile(sqlitePath);
      checkOutputDir(outputDir, { field: argv['output-dir'] !== undefined ? '--output-dir' : 'output_dir' });
      const reader = openSqliteReader(sqlitePath);
      try {
        const written = await writeReport(reader, path.join(outputDir, REPORT_FILE), { runId, toolVersion });
        process.stdout.write(`wrote ${written.path} (${megabytes(written.bytes)}), the report of run ${written.runId}\n`);
        result.exitCode = 0;
      } finally {
        await reader.close();
      }
    },
  };
}
