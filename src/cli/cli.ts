/**
 * The command line: global flags, the commands, and the rules every command shares: errors are
 * one clear line on stderr with the exit code of their kind, usage mistakes exit 2, and nothing
 * printed carries a registered secret.
 */
import yargs from 'yargs';
import type { Argv, CommandModule } from 'yargs';
import { ExitCode, exitCodeFor } from '../errors/inventoryError.js';
import { scrub } from '../log/redact.js';
import type { CommandResult } from './commandResult.js';
import { runCommand } from './commands/runCommand.js';
import { schemaCommand } from './commands/schemaCommand.js';
import { testConnectionCommand } from './commands/testConnectionCommand.js';
import { validateCommand } from './commands/validateCommand.js';
import { GLOBAL_OPTIONS } from './globalOptions.js';
import { LAZY_COMMANDS, lazyCommand } from './lazyCommands.js';
import { toolVersion } from '../version.js';
import { printError } from './printError.js';

export interface CliOutcome {
  exitCode: number;
  /**
   * True when the command is known to be done with everything it started, so the process may exit
   * at once even if a keep-alive socket lingers: the commands defined here. Commands from other
   * modules (simulate, demo, merge) end the process in their own time.
   */
  finished: boolean;
}

const NOT_SET = -1;

/** Thrown by the usage-failure hook so that yargs stops; carries yargs' message. */
class UsageError extends Error {}

/** Runs a command's handler under the CLI's error rules, recording its exit code. */
function guard(command: CommandModule<object, object>, result: CommandResult, debugOf: (argv: unknown) => boolean): CommandModule<object, object> {
  const handler = command.handler as (argv: unknown) => unknown;
  return {
    ...command,
    handler: async (argv: unknown) => {
      result.command = String(command.command).split(' ')[0];
      try {
        await handler(argv);
        if (result.exitCode === NOT_SET) result.exitCode = typeof process.exitCode === 'number' ? process.exitCode : ExitCode.succeeded;
      } catch (error) {
        printError(error, debugOf(argv));
        result.exitCode = exitCodeFor(error);
      }
    },
  };
}

export async function runCli(args: readonly string[]): Promise<CliOutcome> {
  const result: CommandResult = { exitCode: NOT_SET };
  const debugOf = (argv: unknown) => (argv as { debug?: unknown }).debug === true;
  const lazy = await Promise.all(LAZY_COMMANDS.map((spec) => lazyCommand(spec, args.includes(spec.command))));
  const [run, validate, testConnection, schema] = [runCommand(result), validateCommand(result), testConnectionCommand(result), schemaCommand(result)];
  const ownNames = new Set([run, validate, testConnection, schema].map((command) => String(command.command)));
  // The order of --help.
  const commands = [run, validate, testConnection, ...lazy, schema];

  let usageMessage: string | null = null;
  let parser: Argv = yargs([...args])
    .scriptName('aws-org-inventory')
    .usage('$0 <command> [options]\n\nInventory an AWS organization (accounts, OUs, policies, SQS queues, S3 buckets) into SQLite and CSV.')
    .options(GLOBAL_OPTIONS)
    .strict()
    .demandCommand(1, 'Name a command: run, validate, test-connection, demo, simulate, replay, merge or schema.')
    .recommendCommands()
    .example('$0 demo', 'crawl the bundled simulated organization into output/')
    .example('$0 validate --params parameters/example.json', 'check a parameter file')
    .example('$0 run --params prod.json', 'inventory a real organization')
    .epilogue('Exit codes: 0 succeeded, 1 partial, 2 bad parameters or usage, 3 authentication failed, 4 output directory locked, 5 internal error.')
    .version(toolVersion)
    .help()
    .alias('help', 'h')
    .alias('version', 'V')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message: string | null, error: Error | null) => {
      usageMessage = message ?? error?.message ?? 'invalid usage';
      if (usageMessage.startsWith('Did you mean')) {
        usageMessage = `unknown command "${args.find((arg) => !arg.startsWith('-')) ?? ''}". ${usageMessage}`;
      }
      throw new UsageError(usageMessage);
    });
  for (const command of commands) parser = parser.command(guard(command, result, debugOf));

  try {
    await parser.parseAsync();
  } catch (error) {
    if (!(error instanceof UsageError) && usageMessage === null) {
      printError(error, args.includes('--debug'));
      return { exitCode: exitCodeFor(error), finished: true };
    }
  }
  if (usageMessage !== null) {
    process.stderr.write(`${scrub(`error: ${usageMessage}`)}\nRun "aws-org-inventory --help" (or "aws-org-inventory <command> --help") for usage.\n`);
    return { exitCode: ExitCode.config, finished: true };
  }
  // --help and --version run no command.
  const exitCode = result.exitCode === NOT_SET ? ExitCode.succeeded : result.exitCode;
  return { exitCode, finished: result.command === undefined || ownNames.has(result.command) };
}
