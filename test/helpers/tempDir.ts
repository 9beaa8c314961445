/**
 * Temporary directories that remove themselves. `tempDir()` inside a test (or its beforeEach) is
 * removed when that test finishes, passed or failed; in a concurrent test, or anywhere else
 * (beforeAll, a describe body, module scope), after the test file. Every directory is also removed after the file in case a
 * test stopped before its own cleanup ran (a dynamic skip). The run's guard (tempGuard.ts) fails
 * the run when anything is left in the temporary directory.
 */
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, onTestFinished, TestRunner } from 'vitest';

const createdInThisFile: string[] = [];

afterAll(() => {
  for (const dir of createdInThisFile.splice(0)) removeDir(dir);
});

/** Make every directory under `dir` writable again (a test may have made one read-only). */
function restoreWrite(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (lstatSync(full).isDirectory()) restoreWrite(full);
  }
}

function removeDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw error;
    restoreWrite(dir);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Remove `dir` (recursively) once the current test finishes, or after the file outside a test. */
export function removeAfterTest(dir: string): void {
  createdInThisFile.push(dir);
  // Among concurrent tests the current test is whichever started last, so a directory made in
  // one would go when another finishes: those, and directories made outside a test, go after the file.
  const test = TestRunner.getCurrentTest();
  if (test !== undefined && test.concurrent !== true) onTestFinished(() => removeDir(dir));
}

/** A fresh directory under the system temporary directory, removed after the test (or the file). */
export function tempDir(prefix = 'aoi-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  removeAfterTest(dir);
  return dir;
}
