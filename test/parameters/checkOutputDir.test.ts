import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { InventoryError } from '../../src/errors/inventoryError.js';
import { checkOutputDir } from '../../src/parameters/checkOutputDir.js';
import { CLI_MAIN, CLI_TIMEOUT_MS, UNPRIVILEGED, UNPRIVILEGED_SKIP_NOTE, ensureCliBuilt } from '../helpers/builtCli.js';
import { tempDir } from '../helpers/tempDir.js';

beforeAll(ensureCliBuilt, 300_000);

function scratch(): string {
  return tempDir('aoi-outdir-');
}

function errorOf(action: () => void): InventoryError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    return error as InventoryError;
  }
  throw new Error('expected a config error');
}

describe('checkOutputDir', () => {
  it('creates a missing directory, and leaves no probe file behind', () => {
    const dir = path.join(scratch(), 'a', 'b');
    checkOutputDir(dir);
    expect(existsSync(dir)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('only checks, writing nothing, with create: false', () => {
    const dir = path.join(scratch(), 'not-yet');
    checkOutputDir(dir, { create: false });
    expect(existsSync(dir)).toBe(false);
  });

  it('rejects a file, and a path under a file, naming the path', () => {
    const root = scratch();
    const file = path.join(root, 'file.txt');
    writeFileSync(file, 'x');
    const onFile = errorOf(() => checkOutputDir(file));
    expect(onFile.kind).toBe('config');
    expect(onFile.describe()).toContain(`output_dir: ${file} exists but is not a directory`);
    expect(errorOf(() => checkOutputDir(path.join(file, 'out'), { field: '--csv-dir' })).describe()).toMatch(/^--csv-dir: .*file\.txt is a file, not a directory/);
  });

  it.skipIf(UNPRIVILEGED === undefined)(`rejects a directory this user cannot write${UNPRIVILEGED_SKIP_NOTE}`, () => {
    const root = scratch();
    const dir = path.join(root, 'locked');
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    // Root passes every permission check: the check runs in a child process as an ordinary user
    // (the built module; nobody as root, this user otherwise).
    chmodSync(root, 0o755);
    const script = `
      const { checkOutputDir } = await import(${JSON.stringify(pathToFileURL(path.join(path.dirname(CLI_MAIN), '..', 'parameters', 'checkOutputDir.js')).href)});
      const outcome = (action) => { try { action(); return 'no error'; } catch (error) { return error.describe(); } };
      const dir = ${JSON.stringify(dir)};
      console.log(JSON.stringify([outcome(() => checkOutputDir(dir)), outcome(() => checkOutputDir(dir + '/sub', { create: false }))]));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', ...(UNPRIVILEGED ?? {}) });
    expect(child.status, child.stderr).toBe(0);
    const [writable, creatable] = JSON.parse(child.stdout) as [string, string];
    expect(writable).toMatch(/is not writable/);
    expect(creatable).toMatch(/cannot be created: .* is not writable/);
  }, CLI_TIMEOUT_MS);
});
