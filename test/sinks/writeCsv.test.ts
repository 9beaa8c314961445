import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportCsv } from '../../src/sinks/csv/writeCsv.js';
import { openSqliteStore } from '../../src/sinks/sqlite/sqliteStore.js';
import type { SqliteStore } from '../../src/sinks/sqlite/sqliteStore.js';
import { queueRow, queues, runStart, units } from '../helpers/tableDeclarations.js';
import { tempDir } from '../helpers/tempDir.js';


/** One run over a fixed little estate; the same call twice is "an unchanged source". */
function crawl(store: SqliteStore, names: string[]): void {
  store.beginRun(runStart([units, queues]));
  store.upsert(units, { id: 'ou-b', name: 'Beta' });
  store.upsert(units, { id: 'ou-a', name: 'Alpha' });
  store.completeScope(units, {});
  for (const name of names) store.upsert(queues, queueRow('111111111111', 'us-east-1', name, { message_count: names.length }));
  store.completeScope(queues, { accountId: '111111111111', region: 'us-east-1' });
  store.recordError({ accountId: '222222222222', region: 'us-east-1', service: 'sqs', operation: 'ListQueues', resource: null, errorCode: 'AccessDenied', message: 'no, "really"' });
  store.finishRun('partial');
}

describe('exportCsv', () => {
  it('writes byte-identical files for two runs against an unchanged source', async () => {
    const dir = tempDir();
    const store = openSqliteStore(join(dir, 'inventory.sqlite'));
    crawl(store, ['zeta', 'alpha', 'mu']);
    const firstPaths = await exportCsv(store, [units, queues], join(dir, 'csv'), { includeDeleted: false });
    const first = firstPaths.map((p) => readFileSync(p));
    crawl(store, ['mu', 'zeta', 'alpha']);
    const secondPaths = await exportCsv(store, [units, queues], join(dir, 'csv'), { includeDeleted: false });
    expect(secondPaths).toEqual([join(dir, 'csv', 'units.csv'), join(dir, 'csv', 'queues.csv'), join(dir, 'csv', 'errors.csv')]);
    expect(secondPaths.map((p) => readFileSync(p))).toEqual(first);
    expect(readdirSync(join(dir, 'csv')).sort()).toEqual(['errors.csv', 'queues.csv', 'units.csv']);
    expect(readFileSync(join(dir, 'csv', 'units.csv'), 'utf8')).toBe('id,name\r\nou-a,Alpha\r\nou-b,Beta\r\n');
    const queueLines = readFileSync(join(dir, 'csv', 'queues.csv'), 'utf8').split('\r\n');
    expect(queueLines[0]).toBe('partition,account_id,region,name,arn,visibility_timeout,message_count,policy,tags');
    expect(queueLines.slice(1, 4).map((l) => l.split(',')[3])).toEqual(['alpha', 'mu', 'zeta']);
    expect(readFileSync(join(dir, 'csv', 'errors.csv'), 'utf8')).toBe(
      'account_id,region,service,operation,resource,error_code,message\r\n222222222222,us-east-1,sqs,ListQueues,,AccessDenied,"no, ""really"""\r\n',
    );
    store.close();
  });

  it('quotes commas, quotes and line breaks per RFC 4180 and writes UTF-8', async () => {
    const dir = tempDir();
    const store = openSqliteStore(join(dir, 'inventory.sqlite'));
    store.beginRun(runStart([units]));
    store.upsert(units, { id: 'ou-1', name: 'Sales, EMEA' });
    store.upsert(units, { id: 'ou-2', name: 'The "Core" team' });
    store.upsert(units, { id: 'ou-3', name: 'line one\nline two\r\nline three' });
    store.upsert(units, { id: 'ou-4', name: 'Zürich – 東京 🚀' });
    store.upsert(units, { id: 'ou-5', name: null });
    store.finishRun('succeeded');
    const [path] = await exportCsv(store, [units], join(dir, 'csv'), { includeDeleted: false, errors: false });
    const bytes = readFileSync(path ?? '');
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    expect(bytes.toString('utf8')).toBe(
      'id,name\r\n' +
        'ou-1,"Sales, EMEA"\r\n' +
        'ou-2,"The ""Core"" team"\r\n' +
        'ou-3,"line one\nline two\r\nline three"\r\n' +
        'ou-4,Zürich – 東京 🚀\r\n' +
        'ou-5,\r\n',
    );
    store.close();
  });

  it('leaves deleted rows out unless asked, then adds them with deleted_run', async () => {
    const dir = tempDir();
    const store = openSqliteStore(join(dir, 'inventory.sqlite'));
    crawl(store, ['a', 'b']);
    crawl(store, ['a']);
    await exportCsv(store, [queues], join(dir, 'current'), { includeDeleted: false, errors: false });
    await exportCsv(store, [queues], join(dir, 'all'), { includeDeleted: true, errors: false });
    const current = readFileSync(join(dir, 'current', 'queues.csv'), 'utf8').trimEnd().split('\r\n');
    const all = readFileSync(join(dir, 'all', 'queues.csv'), 'utf8').trimEnd().split('\r\n');
    expect(current).toHaveLength(2);
    expect(all).toHaveLength(3);
    expect(all[0]?.endsWith(',deleted_run')).toBe(true);
    expect(all[1]?.endsWith(',')).toBe(true);
    expect(all[2]?.split(',')[3]).toBe('b');
    expect(all[2]?.endsWith(',2')).toBe(true);
    store.close();
  });

  it('writes a header-only file for a declared table never crawled, and leaves no temporary files', async () => {
    const dir = tempDir();
    const store = openSqliteStore(join(dir, 'inventory.sqlite'));
    const paths = await exportCsv(store, [units], join(dir, 'csv'), { includeDeleted: false });
    expect(readFileSync(paths[0] ?? '', 'utf8')).toBe('id,name\r\n');
    expect(readFileSync(paths[1] ?? '', 'utf8')).toBe('account_id,region,service,operation,resource,error_code,message\r\n');
    expect(readdirSync(join(dir, 'csv')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    store.close();
  });
});
