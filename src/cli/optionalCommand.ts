/**
 * Commands whose module lives in another layer (`simulate`, `demo`, `merge`) and may not be in
 * this build yet. When the module is there, its yargs CommandModule is used as it is; when it is
 * not, the command still exists and says plainly that the capability is not built (exit 5), so
 * `--help` and scripts see the same command set either way.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from 'yargs';
import { InventoryError } from '../errors/inventoryError.js';

export interface OptionalCommandSpec {
  /** Module path relative to this file, e.g. `../simulator/simulateCommand.js`. */
  module: string;
  command: string;
  describe: string;
}

// yargs' own types make every command module generic; the CLI only needs the shape.
type AnyCommandModule = CommandModule<object, object>;

function isCommandModule(value: unknown): value is AnyCommandModule {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { command?: unknown; handler?: unknown };
  return (typeof candidate.command === 'string' || Array.isArray(candidate.command)) && typeof candidate.handler === 'function';
}

function notBuilt(spec: OptionalCommandSpec, reason: string): AnyCommandModule {
  return {
    command: spec.command,
    describe: `${spec.describe} (not built yet)`,
    builder: (yargs) => yargs.strict(false).example(`$0 ${spec.command}`, `${reason}; exits 5`),
    handler: () => {
      throw new InventoryError('internal', `"${spec.command}" is not built yet in this version of aws-org-inventory (${reason}).`);
    },
  };
}

function isMissingModule(error: unknown, url: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(new URL(url).pathname);
}

/**
 * The command for `spec`. Its module is imported only when `invoked` (the command is on the
 * command line): the simulator and the merger are heavy, and `--help` or `run` do not need them.
 */
export async function loadOptionalCommand(spec: OptionalCommandSpec, invoked: boolean): Promise<AnyCommandModule> {
  const url = new URL(spec.module, import.meta.url);
  const source = spec.module.replace(/^\.\.\//, 'src/').replace(/\.js$/, '.ts');
  if (!existsSync(fileURLToPath(url))) return notBuilt(spec, `${source} is missing`);
  if (!invoked) return { command: spec.command, describe: spec.describe, handler: () => undefined };
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url.href)) as Record<string, unknown>;
  } catch (error) {
    if (isMissingModule(error, url.href)) return notBuilt(spec, `${source} is missing`);
    throw error;
  }
  const found = [loaded.default, ...Object.values(loaded)].find(isCommandModule);
  return found ?? notBuilt(spec, `${source} exports no yargs command`);
}

export const OPTIONAL_COMMANDS: readonly OptionalCommandSpec[] = [
  { module: '../simulator/simulateCommand.js', command: 'simulate', describe: 'serve a simulated AWS organization on a loopback port, for tests and benchmarks' },
  { module: '../simulator/demoCommand.js', command: 'demo', describe: 'crawl the bundled simulated organization into output/ (the first command to try)' },
  { module: '../fixtures/replayCommand.js', command: 'replay', describe: 'serve a recorded crawl (run --record DIR) on a loopback port, for offline replay' },
  { module: '../sinks/mergeCommand.js', command: 'merge', describe: 'combine the SQLite databases of a sharded crawl into one' },
];
