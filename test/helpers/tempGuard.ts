/**
 * Global setup of `npm test`: the run gets a temporary directory of its own (TMPDIR for every
 * test process and every child process they start), and the run fails when anything is left in
 * it at the end, naming what. A private directory keeps the check exact while other test runs
 * share the machine's /tmp.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const VARIABLES = ['TMPDIR', 'TMP', 'TEMP'] as const;

export default function setup(): () => void {
  const saved = VARIABLES.map((name) => [name, process.env[name]] as const);
  const root = mkdtempSync(path.join(tmpdir(), 'aoi-test-run-'));
  // Like /tmp: children that run as another user (test/helpers/builtCli.ts) write here too.
  chmodSync(root, 0o1777);
  for (const name of VARIABLES) process.env[name] = root;

  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    const leftovers = readdirSync(root).sort();
    rmSync(root, { recursive: true, force: true });
    if (leftovers.length > 0) {
      const shown = leftovers.slice(0, 40).map((name) => `  ${name}`);
      if (leftovers.length > shown.length) shown.push(`  … and ${leftovers.length - shown.length} more`);
      // vitest only logs an error thrown here; the exit code is what fails the run.
      process.exitCode = 1;
      process.stderr.write(
        `\nFAIL: the tests left ${leftovers.length} entr${leftovers.length === 1 ? 'y' : 'ies'} in the temporary directory:\n${shown.join('\n')}\n` +
          'Create temporary directories with tempDir() from test/helpers/tempDir.ts, which removes them after the test.\n',
      );
    }
  };
}
