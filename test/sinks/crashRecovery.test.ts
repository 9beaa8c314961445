import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/sinks/sqlite/sqliteStore.js';
import { compileForChild } from '../helpers/compileForChild.js';
import { queueRow, queues, runStart } from '../helpers/tableDeclarations.js';
import { tempDir } from '../helpers/tempDir.js';

const child = compileForChild(resolve(import.meta.dirname, 'crashChild.ts'));

/** Starts the writer and SIGKILLs it once `rows` rows are committed; resolves to the count seen. */
function killMidRun(path: string, rows: number): Promise<number> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [child, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let committed = 0;
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout.on('data', (chunk: Buffer) => {
      const last = chunk.toString().trim().split('\n').pop();
      committed = Number(last);
      if (committed >= rows) proc.kill('SIGKILL');
    });
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') done(committed);
      else fail(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

describe('a run killed with SIGKILL', () => {
  it('leaves earlier runs intact, and the next run marks it failed and completes', async () => {
    const path = join(tempDir(), 'inventory.sqlite');
    const first = openSqliteStore(path);
    first.beginRun(runStart([queues]));
    for (let i = 0; i < 100; i++) first.upsert(queues, queueRow('111111111111', 'us-east-1', `keep-${i}`));
    first.completeScope(queues, { accountId: '111111111111', region: 'us-east-1' });
    first.finishRun('succeeded');
    first.close();

    const committed = await killMidRun(path, 20_000);
    expect(committed).toBeGreaterThanOrEqual(20_000);

    const store = openSqliteStore(path);
    const db = store.database;
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT run_id, status FROM runs ORDER BY run_id').all()).toEqual([
      { run_id: 1, status: 'succeeded' },
      { run_id: 2, status: 'running' },
    ]);
    expect(db.prepare('SELECT count(*) FROM queues WHERE last_seen_run = 1 AND deleted_run IS NULL').pluck().get()).toBe(100);
    expect(db.prepare("SELECT count(*) FROM changes WHERE run_id = 1 AND change = 'added'").pluck().get()).toBe(100);
    // Every batch the killed run committed is there, whole: a multiple of the batch size.
    const killedRows = Number(db.prepare('SELECT count(*) FROM queues WHERE last_seen_run = 2').pluck().get());
    expect(killedRows).toBeGreaterThanOrEqual(committed);
    expect(killedRows % 1_000).toBe(0);

    store.beginRun(runStart([queues]));
    store.upsert(queues, queueRow('111111111111', 'us-east-1', 'keep-0'));
    store.completeScope(queues, { accountId: '111111111111', region: 'us-east-1' });
    const summary = store.finishRun('succeeded');
    expect(summary.runId).toBe(3);
    expect(summary.changes.queues).toEqual({ added: 0, modified: 0, removed: 99 });
    expect(db.prepare('SELECT status FROM runs WHERE run_id = 2').pluck().get()).toBe('failed');
    // The killed run's account slice was never completed, so its rows stay current.
    expect(db.prepare("SELECT count(*) FROM queues WHERE account_id = '222222222222' AND deleted_run IS NULL").pluck().get()).toBe(killedRows);
    store.close();
  });
});
