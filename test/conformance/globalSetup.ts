/**
 * Runs once before the conformance files: is moto there, and does the connector build? Both
 * answers go to the test files through `inject`, so a missing moto shows up as a skipped test
 * with the reason in its name, and under CI=true it fails the run instead.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { motoAvailability } from '../helpers/motoServer.js';
import type { MotoAvailability } from '../helpers/motoServer.js';

export interface BuildOutcome {
  ok: boolean;
  /** The compiler's output when it failed. */
  output: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    moto: MotoAvailability;
    build: BuildOutcome;
  }
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export default function setup(project: TestProject): void {
  const moto = motoAvailability();
  if (!moto.available && isCi()) {
    throw new Error(`Conformance tests need moto and CI=true is set: ${moto.reason}. Install it (pip install "moto[server]") or set CONFORMANCE_PYTHON to a Python that has it.`);
  }
  project.provide('moto', moto);
  project.provide('build', moto.available ? build() : { ok: false, output: 'not built: moto is missing' });
}

function isCi(): boolean {
  const ci = (process.env.CI ?? '').toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0';
}

function build(): BuildOutcome {
  const tsc = spawnSync(process.execPath, [fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'tsconfig.build.json'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${tsc.stdout ?? ''}${tsc.stderr ?? ''}${tsc.error ? tsc.error.message : ''}`.trim();
  return { ok: tsc.status === 0, output };
}
