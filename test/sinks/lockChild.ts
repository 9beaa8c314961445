/**
 * Run by lock.test.ts in a child process: takes the lock on a directory, says so, holds it for
 * the given milliseconds (or until a signal), then exits. Exits 4 when the lock is held.
 */
import { InventoryError, exitCodeFor } from '../../src/errors/inventoryError.js';
import { acquireLock } from '../../src/sinks/lock.js';

const [dir, holdMs, ending] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: lockChild <dir> [holdMs]');
try {
  const lock = await acquireLock(dir);
  process.stdout.write('acquired\n');
  // `exit`: leave through process.exit without releasing, as a command that fails would.
  setTimeout(() => (ending === 'exit' ? process.exit(3) : lock.release()), Number(holdMs ?? 60_000));
} catch (error) {
  process.stdout.write(`refused ${error instanceof InventoryError ? error.message : String(error)}\n`);
  process.exitCode = exitCodeFor(error);
}
