/** `test-connection`: run the chain hop by hop and try each call the crawl makes, once. */
import type { Argv, CommandModule } from 'yargs';
import { configError } from '../../errors/inventoryError.js';
import { scrub } from '../../log/redact.js';
import { loggerFor, parametersFromArgs } from '../globalOptions.js';
import type { GlobalArgs } from '../globalOptions.js';
import { parameterFlagOptions } from '../parameterFlags.js';
import type { CommandResult } from '../commandResult.js';

interface TestConnectionArgs extends GlobalArgs {
  json: boolean;
  account?: string;
}

export function testConnectionCommand(result: CommandResult): CommandModule {
  return {
    command: 'test-connection',
    describe: "authenticate through the role chain and try each call the crawl makes, in the organization and in one member account, like a connector's Test Connection button (exit 3 when any check fails)",
    builder: (yargs: Argv) =>
      yargs
        .options(parameterFlagOptions())
        .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
        .option('account', { type: 'string', describe: 'member account to check the member role and the SQS/S3 calls in (default: the first ACTIVE member account)' })
        .example('$0 test-connection --params prod.json', 'PASS/FAIL per hop and per permission')
        .example('$0 test-connection -p prod.json --json', 'the same as JSON, for a pipeline')
        .example('$0 test-connection -p prod.json --account 123456789012', 'check the member role and the SQS/S3 calls in that account'),
    handler: async (args) => {
      const argv = args as unknown as TestConnectionArgs;
      const params = parametersFromArgs(argv);
      const account = argv.account === undefined ? null : String(argv.account);
      if (account !== null && !/^\d{12}$/.test(account)) throw configError('--account', `${account} is not an account id.`, 'Give the 12-digit id of a member account, e.g. --account 123456789012.');
      const logger = loggerFor(argv, params.log_level);
      const { formatConnectionReport, testConnection } = await import('../../diagnostics/testConnection.js');
      const report = await testConnection(params, logger, { account });
      const text = argv.json ? JSON.stringify(report, null, 2) : formatConnectionReport(report);
      process.stdout.write(`${scrub(text)}\n`);
      result.exitCode = report.exitCode;
    },
  };
}
