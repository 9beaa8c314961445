import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ArgumentsCamelCase } from 'yargs';
import { InventoryError, exitCodeFor } from '../../src/errors/inventoryError.js';
import { mergeCommand } from '../../src/sinks/mergeCommand.js';
import { openSqliteStore } from '../../src/sinks/sqlite/sqliteStore.js';
import { queueRow, queues, runStart, units } from '../helpers/tableDeclarations.js';
import { tempDir } from '../helpers/tempDir.js';

afterEach(() => vi.restoreAllMocks());

function shardDatabase(path: string, shard: string, account: string, organization: boolean): void {
  const store = openSqliteStore(path);
  store.beginRun(runStart(organization ? [units, queues] : [queues], shard));
  if (organization) store.upsert(units, { id: 'ou-1', name: 'One' });
  store.upsert(queues, queueRow(account, 'us-east-1', 'q'));
  store.finishRun('succeeded');
  store.close();
}

/** Runs the command's handler as yargs would; resolves to the exit code the CLI maps it to. */
async function merge(into: string, sources: string[]): Promise<number> {
  const argv = { _: ['merge'], $0: 'aws-org-inventory', into, sources, quiet: true, 'log-format': 'json' } as unknown as ArgumentsCamelCase<{ into: string; sources: string[] }>;
  try {
    await mergeCommand.handler(argv);
    return 0;
  } catch (error) {
    if (!(error instanceof InventoryError)) throw error;
    return exitCodeFor(error);
  }
}

function captureStdout(): () => string {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  return () => out;
}

describe('merge command', () => {
  it('merges the shard files named on the command line', async () => {
    const dir = tempDir();
    shardDatabase(join(dir, 'a.sqlite'), '0/2', '111111111111', true);
    shardDatabase(join(dir, 'b.sqlite'), '1/2', '222222222222', false);
    const into = join(dir, 'out', 'inventory.sqlite');
    const stdout = captureStdout();
    expect(await merge(into, [join(dir, 'b.sqlite'), join(dir, 'a.sqlite')])).toBe(0);
    expect(stdout()).toContain('Merged 2 databases (shards 0/2, 1/2)');
    const db = new Database(into, { readonly: true });
    expect(db.prepare('SELECT account_id FROM queues ORDER BY account_id').pluck().all()).toEqual(['111111111111', '222222222222']);
    expect(db.prepare('SELECT id FROM units').pluck().all()).toEqual(['ou-1']);
    db.close();
  });

  it('exits 4 while a run holds the directory it would write into', async () => {
    const dir = tempDir();
    shardDatabase(join(dir, 'a.sqlite'), '0/1', '111111111111', true);
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    expect(await merge(join(dir, 'inventory.sqlite'), [join(dir, 'a.sqlite')])).toBe(4);
  });
});
