import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InventoryError } from '../../src/errors/inventoryError.js';
import { checkOutputDir } from '../../src/parameters/checkOutputDir.js';

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'aoi-outdir-'));
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

  it.skipIf(process.getuid?.() === 0)('rejects a directory this user cannot write', () => {
    const dir = path.join(scratch(), 'locked');
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    expect(errorOf(() => checkOutputDir(dir)).describe()).toMatch(/is not writable/);
    expect(errorOf(() => checkOutputDir(path.join(dir, 'sub'), { create: false })).describe()).toMatch(/cannot be created: .* is not writable/);
  });
});
