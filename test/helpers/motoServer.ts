/**
 * moto's standalone server as a child process on a free loopback port. Every test file starts
 * its own, so files never share (or reset) each other's state, and stops it in `afterAll`, which
 * vitest runs on failure too.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const PYTHON = process.env.CONFORMANCE_PYTHON ?? 'python3';

export type MotoAvailability = { available: true; version: string } | { available: false; reason: string };

/** Whether `python3 -m moto.server` can run here, and if not, why (the reason is shown to the user). */
export function motoAvailability(): MotoAvailability {
  const probe = spawnSync(PYTHON, ['-c', 'import moto.server, moto; print(moto.__version__)'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error) return { available: false, reason: `${PYTHON} could not be started (${probe.error.message})` };
  if (probe.status !== 0) {
    const lastLine = probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`;
    return { available: false, reason: `"${PYTHON} -c 'import moto.server'" failed: ${lastLine}; install it with pip install "moto[server]"` };
  }
  return { available: true, version: probe.stdout.trim() };
}

export interface MotoServer {
  /** `http://127.0.0.1:PORT`, the `endpoint_url` of every client. */
  endpoint: string;
  port: number;
  /** What moto printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('the OS gave no free port'))));
    });
  });
}

export interface StartMotoOptions {
  /** How long to wait for moto to answer. */
  readyTimeoutMs?: number;
}

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  // A port found free can be taken before moto binds it; a second port is cheap insurance.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freeLoopbackPort();
    try {
      return await launch(port, readyTimeoutMs);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

async function launch(port: number, readyTimeoutMs: number): Promise<MotoServer> {
  const child = spawn(PYTHON, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // moto must not pick up real credentials or a profile from the environment of the person running the tests.
    env: { ...withoutAwsVariables(process.env), PYTHONUNBUFFERED: '1' },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const endpoint = `http://127.0.0.1:${port}`;
  const server: MotoServer = { endpoint, port, output: () => output, stop: () => stop(child, exited) };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto exited with code ${child.exitCode} before answering on ${endpoint}:\n${output}`);
    if (await answers(`${endpoint}/moto-api/data.json`)) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`moto did not answer on ${endpoint} within ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function withoutAwsVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('AWS_')));
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
