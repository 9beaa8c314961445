/**
 * `report` as users run it: it writes report.html from an inventory without calling AWS, and a
 * missing, foreign or damaged database, an unknown run or a directory it cannot write gives one
 * clear line and the exit code of its kind, leaving nothing behind.
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { crawlFixture, tempDir } from '../helpers/harness.js';
import { CLI_TIMEOUT_MS, UNPRIVILEGED, ensureCliBuilt, listFiles, runCli } from '../helpers/builtCli.js';

/** An inventory database two runs wrote (nothing changed between them). */
let inventory: string;

/** Removed after the file (the tests run concurrently), write permission restored first. */
function scratch(): string {
  return tempDir('aoi-report-cli-');
}

/** A directory holding a copy of the inventory, as `run` leaves it. */
function withInventory(): string {
  const dir = scratch();
  copyFileSync(inventory, path.join(dir, 'inventory.sqlite'));
  return dir;
}

beforeAll(async () => {
  const [, fixture] = await Promise.all([ensureCliBuilt(), crawlFixture({ accounts: 2 })]);
  try {
    await fixture.run();
    await fixture.run();
    inventory = path.join(scratch(), 'inventory.sqlite');
    const db = new Database(path.join(fixture.params.output_dir, 'inventory.sqlite'), { readonly: true });
    await db.backup(inventory);
    db.close();
  } finally {
    await fixture.close();
    rmSync(path.dirname(fixture.params.output_dir), { recursive: true, force: true });
  }
}, 300_000);

describe.concurrent('aws-org-inventory report', () => {
  it('writes report.html for the latest run, and for an earlier one with --run', async () => {
    const dir = withInventory();
    const latest = await runCli(['report', '--output-dir', '.'], { cwd: dir });
    expect(latest.status, latest.stderr).toBe(0);
    expect(latest.stdout).toMatch(/^wrote report\.html \(\d+ kB\), the report of run 2\n$/);
    expect(listFiles(dir)).toEqual(['inventory.sqlite', 'report.html']);
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('<title>Inventory report: run 2 (succeeded)</title>');
    const first = await runCli(['report', '--output-dir', '.', '--run', '1'], { cwd: dir });
    expect(first.status, first.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('<title>Inventory report: run 1 (succeeded)</title>');
  }, CLI_TIMEOUT_MS);

  it('demo writes report.html beside the database and the CSV files', async () => {
    const dir = scratch();
    const result = await runCli(['demo', '--output-dir', 'out', '--latency-ms', '0', '--quiet'], { cwd: dir, timeoutMs: 150_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ {2}report {12}out\/report\.html$/m);
    expect(result.stdout).toContain('Open out/report.html in a browser');
    const files = listFiles(dir);
    expect(files).toEqual(expect.arrayContaining(['out/inventory.sqlite', 'out/csv/accounts.csv', 'out/report.html']));
    expect(readFileSync(path.join(dir, 'out', 'report.html'), 'utf8')).toContain('<title>Inventory report: run 1 (succeeded)</title>');
  }, 2 * CLI_TIMEOUT_MS);

  it('reads another database with --sqlite-path and writes into --output-dir, creating it', async () => {
    const dir = scratch();
    const result = await runCli(['report', '--sqlite-path', inventory, '--output-dir', 'pages/today'], { cwd: dir });
    expect(result.status, result.stderr).toBe(0);
    expect(listFiles(dir)).toEqual(['pages/today/report.html']);
  }, CLI_TIMEOUT_MS);

  it.each([
    ['no database', 2, [] as string[], null, /output\/inventory\.sqlite does not exist: there is no inventory to report on\. Run "aws-org-inventory run --params FILE" first/],
    ['a run that is not there', 2, ['--run', '7'], 'copy', /--run: inventory\.sqlite has no run 7: its runs are 1 to 2\./],
    ['a run id that is not a number', 2, ['--run', 'latest'], 'copy', /--run: "latest" is not a run id\./],
    ['a file that is not SQLite', 2, [], 'text', /is not a SQLite database/],
    ['a damaged database', 5, [], 'damaged', /is a damaged SQLite database/],
  ])('%s: exit %i with the problem named, nothing written', async (_name, status, args, content, pattern) => {
    const dir = scratch();
    const output = path.join(dir, 'output');
    if (content !== null) {
      mkdirSync(output);
      const file = path.join(output, 'inventory.sqlite');
      if (content === 'text') writeFileSync(file, 'run_id,status\n1,succeeded\n');
      else copyFileSync(inventory, file);
      if (content === 'damaged') {
        // Past the header, where SQLite keeps the tables' pages.
        const bytes = readFileSync(file);
        bytes.fill(0xa5, 4096, Math.min(bytes.length, 4096 * 6));
        writeFileSync(file, bytes);
      }
    }
    const before = listFiles(dir);
    const bytes = content === null ? null : readFileSync(path.join(output, 'inventory.sqlite'));
    const result = await runCli(['report', ...args], { cwd: dir });
    expect(result.status, result.stderr).toBe(status);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
    if (bytes !== null) expect(readFileSync(path.join(output, 'inventory.sqlite')).equals(bytes)).toBe(true);
    // SQLite's read-only look at a damaged WAL-mode file leaves its -wal and -shm side files.
    expect(listFiles(dir).filter((f) => !(content === 'damaged' && /-(wal|shm)$/.test(f)))).toEqual(before);
  }, CLI_TIMEOUT_MS);

  it.skipIf(UNPRIVILEGED === undefined)('an output directory it cannot write: exit 2, the database untouched', async () => {
    const dir = withInventory();
    chmodSync(path.join(dir, 'inventory.sqlite'), 0o644);
    // As root the CLI runs as nobody, for whom the directory is read-only.
    chmodSync(dir, 0o555);
    const result = await runCli(['report', '--output-dir', dir], { cwd: tmpdir(), user: UNPRIVILEGED });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/--output-dir: .* is not writable/);
    expect(listFiles(dir)).toEqual(['inventory.sqlite']);
  }, CLI_TIMEOUT_MS);
});
