/**
 * One run per output directory: `<output_dir>/.lock`, created exclusively (O_EXCL), names the
 * holder's pid, host and start time. A second run is refused (exit 4) with those details; a lock
 * whose process is gone (same host, pid not alive) is taken over with a warning. The lock is
 * released on exit, including SIGINT and SIGTERM.
 *
 * @example
 *   const lock = await acquireLock(params.output_dir, { logger });
 *   try { ... } finally { lock.release(); }
 */
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InventoryError } from '../errors/inventoryError.js';
import { errorCode, storageError } from './sqlite/storageError.js';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

export interface Lock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Removes the lock file if it is still ours; safe to call more than once. */
  release(): void;
}

export interface AcquireLockOptions {
  logger?: { warn(object: object, message: string): void };
  /** Seams for tests; default to this process, this host and a signal-0 probe. */
  pid?: number;
  host?: string;
  now?: () => Date;
  isAlive?: (pid: number) => boolean;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return errorCode(error) === 'EPERM';
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object') return null;
    const { pid, host, startedAt } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof startedAt !== 'string') return null;
    return { pid, host, startedAt };
  } catch {
    return null;
  }
}

function heldError(path: string, holder: LockHolder): InventoryError {
  return new InventoryError('lock', `Another run holds ${path}: pid ${holder.pid} on host ${holder.host}, started ${holder.startedAt}.`, {
    field: path,
    hint: 'Wait for it to finish, or use another output_dir. If that process is gone (another host, or a reused pid), delete the lock file.',
  });
}

/** Reads the lock file; null when it vanished meanwhile. */
function readLockText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw storageError(error, path, 'read the lock file');
  }
}

export async function acquireLock(outputDir: string, options: AcquireLockOptions = {}): Promise<Lock> {
  const path = join(outputDir, '.lock');
  const me: LockHolder = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    startedAt: (options.now ?? (() => new Date()))().toISOString(),
  };
  const isAlive = options.isAlive ?? isProcessAlive;
  const content = `${JSON.stringify(me)}\n`;
  try {
    mkdirSync(outputDir, { recursive: true });
  } catch (error) {
    throw storageError(error, outputDir, 'create the output directory');
  }

  for (let attempt = 0; ; attempt++) {
    if (createComplete(path, content, me.pid)) break;
    const text = readLockText(path);
    if (text === null) continue;
    const holder = parseHolder(text);
    if (holder === null) {
      throw new InventoryError('lock', `${path} exists but does not say which run holds it.`, {
        field: path,
        hint: 'If no run is using this output_dir, delete the lock file.',
      });
    }
    if (holder.host !== me.host || isAlive(holder.pid) || attempt >= 3) throw heldError(path, holder);
    takeOver(path, text, holder, me);
    options.logger?.warn({ lock: path, stale: holder }, `Took over a stale lock: pid ${holder.pid} on ${holder.host} (started ${holder.startedAt}) is no longer running.`);
  }
  return holdLock(path, me, content);
}

/**
 * Creates the lock file with its content in one step: the content is written to a file of this
 * process's own, which is then hard-linked to the lock's name (the link fails if the lock
 * exists). A lock file created empty and written afterwards could be read, empty, by a second
 * run in between, and reported as a lock that does not say who holds it. False when the lock
 * exists.
 */
function createComplete(path: string, content: string, pid: number): boolean {
  const own = `${path}.${pid}.${process.hrtime.bigint()}`;
  try {
    if (!createThenWrite(own, content)) throw storageError(Object.assign(new Error(`${own} exists`), { code: 'EEXIST' }), path, 'create the lock file');
  } catch (error) {
    rmSync(own, { force: true });
    throw error;
  }
  try {
    linkSync(own, path);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return false;
    // A file system without hard links: create the lock directly (exclusively), then write it.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return createThenWrite(path, content);
    throw storageError(error, path, 'create the lock file');
  } finally {
    rmSync(own, { force: true });
  }
}

function createThenWrite(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw storageError(error, path, 'create the lock file');
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Moves the stale lock aside atomically. If another process replaced it in between (it judged
 * the same lock stale and already took it), put theirs back and report them as the holder.
 */
function takeOver(path: string, staleText: string, stale: LockHolder, me: LockHolder): void {
  const aside = `${path}.stale.${me.pid}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw storageError(error, path, 'replace the stale lock file');
  }
  const moved = readLockText(aside);
  if (moved !== null && moved !== staleText) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone else holds it now; the next attempt reports them.
    }
    rmSync(aside, { force: true });
    throw heldError(path, parseHolder(moved) ?? stale);
  }
  rmSync(aside, { force: true });
}

function holdLock(path: string, me: LockHolder, content: string): Lock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    // Only our own lock is removed: never one a later run took over.
    if (readLockText(path) === content) rmSync(path, { force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    release();
    // With no other handler left, behave as if we had none: die of the same signal.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on('exit', release);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return { path, holder: me, release };
}
