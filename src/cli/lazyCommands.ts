/**
 * Commands whose modules are heavy and that `run` never needs (the simulator, the replay server,
 * the merger): each module is imported only when its command is on the command line, so `run`
 * and `--help` start without loading them. `--help` still lists every command.
 */
import type { CommandModule } from 'yargs';

// yargs' own types make every command module generic; the CLI only needs the shape.
type AnyCommandModule = CommandModule<object, object>;

interface LazyCommand {
  command: string;
  describe: string;
  load(): Promise<AnyCommandModule>;
}

export const LAZY_COMMANDS: readonly LazyCommand[] = [
  {
    command: 'demo',
    describe: 'crawl the bundled simulated organization into output/ (the first command to try)',
    // The two commands that exist to serve the simulator are the only product code that loads it.
    // eslint-disable-next-line import-x/no-restricted-paths
    load: async () => (await import('../simulator/demoCommand.js')).demoCommand as AnyCommandModule,
  },
  {
    command: 'simulate',
    describe: 'serve a simulated AWS organization on a loopback port, for tests and benchmarks',
    // eslint-disable-next-line import-x/no-restricted-paths
    load: async () => (await import('../simulator/simulateCommand.js')).simulateCommand as AnyCommandModule,
  },
  {
    command: 'replay',
    describe: 'serve a recorded crawl (run --record DIR) on a loopback port, for offline replay',
    load: async () => (await import('../fixtures/replayCommand.js')).replayCommand as AnyCommandModule,
  },
  {
    command: 'merge',
    describe: 'combine the SQLite databases of a sharded crawl into one',
    load: async () => (await import('../sinks/mergeCommand.js')).mergeCommand as AnyCommandModule,
  },
];

/** The command itself when it was invoked; otherwise a placeholder that only names it for `--help`. */
export async function lazyCommand(spec: LazyCommand, invoked: boolean): Promise<AnyCommandModule> {
  if (!invoked) return { command: spec.command, describe: spec.describe, handler: () => undefined };
  return spec.load();
}
