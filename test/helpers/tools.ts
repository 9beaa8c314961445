/**
 * Tools some tests need from the machine (openssl, /dev/full). A test that cannot run without one
 * is skipped with the reason in its name (`it.skipIf(!tool.available)(`name${tool.skipNote}`)`),
 * so a missing tool shows in the report instead of passing silently.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Tool {
  available: boolean;
  /** '' when available; else " (skipped: <why>)", to append to the test's name. */
  skipNote: string;
}

function tool(available: boolean, why: string): Tool {
  return { available, skipNote: available ? '' : ` (skipped: ${why})` };
}

/** Whether `command args…` runs and exits 0 here. */
export function commandTool(command: string, args: readonly string[] = ['version']): Tool {
  const probe = spawnSync(command, [...args], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error) return tool(false, `${command} is not installed here (${probe.error.message})`);
  return tool(probe.status === 0, `"${command} ${args.join(' ')}" exited ${probe.status}`);
}

/** A device file whose writes fail with ENOSPC, to play a full disk (Linux). */
export const DEV_FULL = '/dev/full';
export const devFull: Tool = tool(existsSync(DEV_FULL), `${DEV_FULL} does not exist on this system, so a full disk cannot be simulated`);
