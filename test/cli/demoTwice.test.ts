/**
 * `demo` twice in a row, as a new user runs it: the second run finds the same simulated
 * organization (on another random port) and must record no change and write the same bytes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli } from '../helpers/builtCli.js';
import { tempDir } from '../helpers/tempDir.js';

beforeAll(ensureCliBuilt, 300_000);

function csvFiles(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]));
}

describe('demo', () => {
  it('run twice gives byte-identical CSVs and records no change the second time', async () => {
    const cwd = tempDir('aoi-demo-');
    const output = path.join(cwd, 'output');
    const demo = () => runCli(['demo', '--output-dir', output, '--progress', 'none', '--log-format', 'json'], { cwd, timeoutMs: 120_000 });
    const first = await demo();
    expect(first.status, first.stderr).toBe(0);
    const csvAfterFirst = csvFiles(path.join(output, 'csv'));
    const second = await demo();
    expect(second.status, second.stderr).toBe(0);
    // Two simulators, two random ports: nothing the crawl stores may depend on them.
    const ports = [first.stdout, second.stdout].map((out) => /simulated organization at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1]);
    expect(ports[0]).toBeDefined();
    expect(ports[1]).not.toBe(ports[0]);
    expect(csvFiles(path.join(output, 'csv'))).toEqual(csvAfterFirst);
    expect(Object.keys(csvAfterFirst)).toContain('sqs_queues.csv');
    expect(csvAfterFirst['sqs_queues.csv']).toContain('https://sqs.us-east-1.amazonaws.com/');
    const db = new Database(path.join(output, 'inventory.sqlite'), { readonly: true });
    try {
      const runs = db.prepare('select run_id, status from runs order by run_id').all();
      expect(runs).toEqual([
        { run_id: 1, status: 'succeeded' },
        { run_id: 2, status: 'succeeded' },
      ]);
      expect(db.prepare('select count(*) from changes where run_id = 2').pluck().get()).toBe(0);
      expect(db.prepare('select count(*) from changes where run_id = 1').pluck().get()).toBeGreaterThan(200);
    } finally {
      db.close();
    }
  }, 300_000);
});
