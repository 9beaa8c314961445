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
import { reportCommand } from './commands/reportCommand.js';
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

/** The CLI's parser over `commands`: global flags, strict usage, and `fail` for usage mistakes. */
function cliParser(args: readonly string[], commands: readonly CommandModule<object, object>[], fail: (message: string) => never): Argv {
  let parser: Argv = yargs([...args])
    .scriptName('aws-org-inventory')
    .usage('$0 <command> [options]\n\nInventory an AWS organization (accounts, OUs, policies, SQS queues, S3 buckets) into SQLite and CSV.')
    .options(GLOBAL_OPTIONS)
    .strict()
    .demandCommand(1, 'Name a command: run, validate, test-connection, report, demo, simulate, replay, merge or schema.')
    .recommendCommands()
    .example('$0 demo', 'crawl the bundled simulated organization into output/')
    .example('$0 validate --params parameters/example.json', 'check a parameter file')
    .example('$0 run --params prod.json', 'inventory a real organization')
    .example('$0 report', 'write output/report.html from the inventory in output/')
    .epilogue('Exit codes: 0 succeeded, 1 partial, 2 bad parameters or usage, 3 authentication failed, 4 output directory locked, 5 internal error.')
    .version(toolVersion)
    .help()
    .alias('help', 'h')
    .alias('version', 'V')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message: string | null, error: Error | null) => {
      let text = message ?? error?.message ?? 'invalid usage';
      if (text.startsWith('Did you mean')) text = `unknown command "${args.find((arg) => !arg.startsWith('-')) ?? ''}". ${text}`;
      fail(text);
    });
  for (const command of commands) parser = parser.command(command);
  return parser;
}

/** Every command, in the order of --help; `args` decides which lazy modules are loaded. */
async function cliCommands(args: readonly string[], result: CommandResult): Promise<{ commands: CommandModule<object, object>[]; ownNames: Set<string> }> {
  const lazy = await Promise.all(LAZY_COMMANDS.map((spec) => lazyCommand(spec, args.includes(spec.command))));
  const run = runCommand(result);
  const validate = validateCommand(result);
  const testConnection = testConnectionCommand(result);
  const report = reportCommand(result);
  const schema = schemaCommand(result);
  const ownNames = new Set([run, validate, testConnection, report, schema].map((command) => String(command.command)));
  return { commands: [run, validate, testConnection, report, ...lazy, schema], ownNames };
}

export type UsageCheck = { ok: true; command: string; argv: Record<string, unknown> } | { ok: false; message: string };

/**
 * Parses `args` exactly as the CLI does (commands, flags, choices, strictness) and runs nothing:
 * the command and its parsed arguments, or the usage error the CLI would print (exit 2). For
 * checking command lines written elsewhere, such as the deployment files under deploy/.
 */
export async function checkUsage(args: readonly string[]): Promise<UsageCheck> {
  const { commands } = await cliCommands(args, { exitCode: NOT_SET });
  let parsed: { command: string; argv: Record<string, unknown> } | null = null;
  const inert = commands.map((command) => ({
    ...command,
    handler: (argv: unknown) => {
      parsed = { command: String(command.command).split(' ')[0] ?? '', argv: argv as Record<string, unknown> };
    },
  }));
  try {
    await cliParser(args, inert, (message) => {
      throw new UsageError(message);
    }).parseAsync();
  } catch (error) {
    if (error instanceof UsageError) return { ok: false, message: error.message };
    throw error;
  }
  const found = parsed as { command: string; argv: Record<string, unknown> } | null;
  return found === null ? { ok: false, message: 'no command ran (--help or --version?)' } : { ok: true, ...found };
}

export async function runCli(args: readonly string[]): Promise<CliOutcome> {
  const result: CommandResult = { exitCode: NOT_SET };
  const debugOf = (argv: unknown) => (argv as { debug?: unknown }).debug === true;
  const { commands, ownNames } = await cliCommands(args, result);

  let usageMessage: string | null = null;
  const parser = cliParser(
    args,
    commands.map((command) => guard(command, result, debugOf)),
    (message) => {
      usageMessage = message;
      throw new UsageError(message);
    },
  );

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
