/**
 * The output directory must be a writable directory before a run writes anything: a run that
 * crawls for an hour and then cannot write its database has wasted the hour.
 */
import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configError } from '../errors/inventoryError.js';

export interface CheckOutputDirOptions {
  /** Create the directory when it is missing (default). With false nothing is written: `validate` only checks. */
  create?: boolean;
  /** The parameter or flag the path came from, for the message. */
  field?: string;
}

function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'unknown error';
}

/** The closest ancestor of `dir` that exists. */
function existingAncestor(dir: string): string {
  let current = path.resolve(dir);
  for (;;) {
    try {
      statSync(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/**
 * Make sure `dir` is (or, with `create: false`, can become) a writable directory. Throws a config
 * error (exit 2) naming the path otherwise.
 */
export function checkOutputDir(dir: string, options: CheckOutputDirOptions = {}): void {
  const field = options.field ?? 'output_dir';
  const create = options.create ?? true;
  const fix = 'Set output_dir (or --output-dir) to a directory this user can write.';
  const target = path.resolve(dir);

  const existing = existingAncestor(target);
  if (!statSync(existing).isDirectory()) {
    const what = existing === target ? 'exists but is not a directory' : `cannot be created: ${existing} is a file, not a directory`;
    throw configError(field, `${dir} ${what}.`, fix);
  }
  if (existing !== target) {
    if (!create) {
      try {
        accessSync(existing, constants.W_OK | constants.X_OK);
      } catch {
        throw configError(field, `${dir} cannot be created: ${existing} is not writable.`, fix);
      }
      return;
    }
    try {
      mkdirSync(target, { recursive: true });
    } catch (error) {
      throw configError(field, `${dir} cannot be created (${errnoCode(error)}).`, fix);
    }
  }
  try {
    accessSync(target, constants.W_OK | constants.X_OK);
  } catch {
    throw configError(field, `${dir} is not writable by this user.`, fix);
  }
  if (!create) return;
  // access() says yes to root on a read-only file system; a real write does not.
  const probe = path.join(target, `.write-check-${process.pid}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (error) {
    throw configError(field, `${dir} is not writable (${errnoCode(error)}).`, fix);
  } finally {
    rmSync(probe, { force: true });
  }
}
