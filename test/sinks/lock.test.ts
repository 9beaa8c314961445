import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InventoryError, exitCodeFor } from '../../src/errors/inventoryError.js';
import { acquireLock } from '../../src/sinks/lock.js';
import { compileForChild } from '../helpers/compileForChild.js';
import { tempDir } from '../helpers/tempDir.js';

const child = compileForChild(resolve(import.meta.dirname, 'lockChild.ts'));

async function refusal(promise: Promise<unknown>): Promise<InventoryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InventoryError) return error;
    throw error;
  }
  throw new Error('expected the lock to be refused');
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', '']);
  if (result.pid === undefined) throw new Error('could not start a process');
  return result.pid;
}

function startChild(dir: string, holdMs: number, ending: 'release' | 'exit' = 'release'): { done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>; acquired: Promise<void>; kill(signal: NodeJS.Signals): void } {
  const proc = spawn(process.execPath, [child, dir, String(holdMs), ending], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let onAcquired: () => void = () => undefined;
  const acquired = new Promise<void>((r) => (onAcquired = r));
  proc.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('acquired')) onAcquired();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((r) => proc.on('exit', (code, signal) => r({ code, signal, out })));
  return { done, acquired, kill: (signal) => proc.kill(signal) };
}

describe('acquireLock', () => {
  it('writes pid, host and start time, refuses a second holder with exit 4, and releases', async () => {
    const dir = tempDir();
    const lock = await acquireLock(dir, { now: () => new Date('2026-03-01T02:00:00Z') });
    const content = JSON.parse(readFileSync(join(dir, '.lock'), 'utf8')) as unknown;
    expect(content).toEqual({ pid: process.pid, host: hostname(), startedAt: '2026-03-01T02:00:00.000Z' });

    const error = await refusal(acquireLock(dir));
    expect(error.kind).toBe('lock');
    expect(exitCodeFor(error)).toBe(4);
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(error.message).toContain(`host ${hostname()}`);
    expect(error.message).toContain('2026-03-01T02:00:00.000Z');

    lock.release();
    expect(existsSync(join(dir, '.lock'))).toBe(false);
    const again = await acquireLock(dir);
    again.release();
  });

  it('takes over a lock whose process is gone, with a warning', async () => {
    const dir = tempDir();
    const stale = { pid: deadPid(), host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' };
    writeFileSync(join(dir, '.lock'), JSON.stringify(stale));
    const warnings: string[] = [];
    const lock = await acquireLock(dir, { logger: { warn: (_o, message) => warnings.push(message) } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`pid ${stale.pid}`);
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('never takes over a lock held from another host', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: deadPid(), host: 'batch-node-7', startedAt: '2026-01-01T00:00:00.000Z' }));
    const error = await refusal(acquireLock(dir));
    expect(error.message).toContain('host batch-node-7');
  });

  it('refuses a lock file that names no holder instead of guessing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.lock'), '');
    const error = await refusal(acquireLock(dir));
    expect(error.message).toMatch(/does not say which run holds it/);
    expect(error.hint).toMatch(/delete the lock file/);
  });

  it('lets exactly one of two concurrent processes in', async () => {
    const dir = tempDir();
    const a = startChild(dir, 2_000);
    const b = startChild(dir, 2_000);
    const results = await Promise.all([a.done, b.done]);
    const codes = results.map((r) => r.code).sort();
    expect(codes).toEqual([0, 4]);
    expect(results.find((r) => r.code === 4)?.out).toMatch(/^refused Another run holds .*\.lock: pid \d+ on host /);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });

  it('is released when the holder gets SIGTERM or SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const dir = tempDir();
      const holder = startChild(dir, 60_000);
      await holder.acquired;
      expect(existsSync(join(dir, '.lock'))).toBe(true);
      holder.kill(signal);
      const result = await holder.done;
      expect(result.signal).toBe(signal);
      expect(existsSync(join(dir, '.lock'))).toBe(false);
    }
  });

  it('is released when the holder exits without releasing it', async () => {
    const dir = tempDir();
    const holder = startChild(dir, 200, 'exit');
    await holder.acquired;
    const result = await holder.done;
    expect(result.code).toBe(3);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });
});
