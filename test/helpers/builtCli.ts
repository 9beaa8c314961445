/**
 * The CLI as users run it: compiled JavaScript in a child process. The tests compile the sources
 * once into .tmp/cli-dist (not dist/, which `npm run build` owns) and rebuild only when a source
 * file is newer than the last build; a lock directory keeps parallel test files from building
 * at the same time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT_DIR = path.join(ROOT, '.tmp', 'cli-dist');
const STAMP = path.join(OUT_DIR, '.built');
const LOCK = path.join(ROOT, '.tmp', 'cli-build.lock');
export const CLI_MAIN = path.join(OUT_DIR, 'cli', 'main.js');

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(full));
    else if (/\.(ts|js|css)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  if (!existsSync(STAMP) || !existsSync(CLI_MAIN)) return false;
  const sources = Math.max(newestSourceTime(path.join(ROOT, 'src')), statSync(path.join(ROOT, 'package.json')).mtimeMs);
  return statSync(STAMP).mtimeMs >= sources;
}

async function withLock<T>(action: () => T): Promise<T> {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than five minutes was left by a killed test run.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 300_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited four minutes for ${LOCK}; remove it if no test run is building`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return action();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Compile the CLI unless the last build is newer than every source file. */
export async function ensureCliBuilt(): Promise<void> {
  if (isFresh()) return;
  await withLock(() => {
    if (isFresh()) return;
    const started = new Date();
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    // Type errors elsewhere do not stop the emit; `npm run typecheck` reports them.
    const build = spawnSync(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json', '--outDir', OUT_DIR, '--incremental', '--tsBuildInfoFile', path.join(ROOT, '.tmp', 'cli-dist.tsbuildinfo')],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (!existsSync(CLI_MAIN)) throw new Error(`building the CLI produced no ${CLI_MAIN}:\n${build.stdout}${build.stderr}`);
    // What `npm run build` copies beside the compiled code: the report page's script and styles.
    cpSync(path.join(ROOT, 'src', 'report', 'client'), path.join(OUT_DIR, 'report', 'client'), { recursive: true });
    writeFileSync(STAMP, '');
    // Sources edited during the build make the next run build again.
    utimesSync(STAMP, started, started);
  });
}

/** A CLI process starts in about a second, but a machine busy with parallel test files is slower. */
const PROCESS_TIMEOUT_MS = 60_000;
/** Per test of one CLI process: longer than the process may live, so a hung process fails with its output. */
export const CLI_TIMEOUT_MS = PROCESS_TIMEOUT_MS + 30_000;

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Whether users other than the owner can reach `file`: every directory above it searchable, and it readable. */
function othersCanRead(file: string): boolean {
  try {
    if ((statSync(file).mode & 0o004) === 0) return false;
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) return false;
      if (path.dirname(dir) === dir) return true;
    }
  } catch {
    return false;
  }
}

/**
 * Who to run a child process as so that file permissions apply. Root passes every permission
 * check, so as root children run as `nobody` (65534); anyone else runs them as themselves (null).
 * Undefined: running as root in a checkout that other users cannot read (under /root, say), where
 * such tests cannot run. The files a child reads must be readable by others (a mkdtemp directory
 * is not: chmod 0o755).
 */
export const UNPRIVILEGED: { uid: number; gid: number } | null | undefined =
  process.getuid?.() !== 0 ? null : othersCanRead(path.join(ROOT, 'package.json')) && othersCanRead(path.join(ROOT, 'node_modules', 'yargs', 'package.json')) ? { uid: 65534, gid: 65534 } : undefined;

/** To append to the name of a test that needs a second user: why it is skipped. */
export const UNPRIVILEGED_SKIP_NOTE =
  UNPRIVILEGED === undefined ? ' (skipped: running as root in a checkout other users cannot read, so the CLI cannot run as a user without write permission)' : '';

export interface CliRunOptions {
  cwd: string;
  /** Run as this user (see UNPRIVILEGED). */
  user?: { uid: number; gid: number } | null;
  /**
   * Added to a bare environment: PATH, HOME set to `cwd` so no real AWS profile is read, and the
   * temporary directory of the test run (TMPDIR), so that what a child leaves behind is seen.
   */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Run the built CLI with `args` and collect its exit status and output. */
export function runCli(args: readonly string[], options: CliRunOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.cwd, TMPDIR: tmpdir(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? PROCESS_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Every file under `dir`, as paths relative to it, sorted. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return files.sort();
}
