/** `test-connection`: run the chain hop by hop and check each permission the crawl needs. */
import type { Argv, CommandModule } from 'yargs';
import { scrub } from '../../log/redact.js';
import { loggerFor, parametersFromArgs } from '../globalOptions.js';
import type { GlobalArgs } from '../globalOptions.js';
import { parameterFlagOptions } from '../parameterFlags.js';
import type { CommandResult } from '../commandResult.js';

interface TestConnectionArgs extends GlobalArgs {
  json: boolean;
}

export function testConnectionCommand(result: CommandResult): CommandModule {
  return {
    command: 'test-connection',
    describe: "authenticate through the role chain and check each permission the crawl needs, like a connector's Test Connection button",
    builder: (yargs: Argv) =>
      yargs
        .options(parameterFlagOptions())
        .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
        .example('$0 test-connection --params prod.json', 'PASS/FAIL per hop and per permission')
        .example('$0 test-connection -p prod.json --json', 'the same as JSON, for a pipeline'),
    handler: async (args) => {
      const argv = args as unknown as TestConnectionArgs;
      const params = parametersFromArgs(argv);
      const logger = loggerFor(argv, params.log_level);
      const { formatConnectionReport, testConnection } = await import('../../diagnostics/testConnection.js');
      const report = await testConnection(params, logger);
      const text = argv.json ? JSON.stringify(report, null, 2) : formatConnectionReport(report);
      process.stdout.write(`${scrub(text)}\n`);
      result.exitCode = report.exitCode;
    },
  };
}
