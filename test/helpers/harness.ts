/**
 * Test harness: a simulated organization on loopback, a parameter file pointing at it, and the
 * real run (`runInventory`) into a temporary output directory.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandler, HttpRequest } from '@smithy/protocol-http';
import type { HttpHandlerOptions } from '@smithy/types';
import { runInventory } from '../../src/crawl/run.js';
import type { RunOptions, RunResult } from '../../src/crawl/run.js';
import type { Logger } from '../../src/log/logger.js';
import { createLogger } from '../../src/log/logger.js';
import { loadParameters } from '../../src/parameters/load.js';
import type { Parameters } from '../../src/parameters/schema.js';
import { startSimulator } from '../../src/simulator/index.js';
import { tempDir } from './tempDir.js';
import type { RunningSimulator, SimulatorOptions } from '../../src/simulator/index.js';

export interface LogCollector {
  lines: string[];
  logger: Logger;
}

export function collectLogs(level = 'debug'): LogCollector {
  const lines: string[] = [];
  const logger = createLogger({ level, format: 'json', destination: { write: (line: string) => void lines.push(line) } });
  return { lines, logger };
}

export { tempDir } from './tempDir.js';

/** The parameters a user would write for this simulator, plus `extra`. */
export function simulatorParameters(sim: RunningSimulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    access_key_id: sim.bootstrap.accessKeyId,
    secret_access_key: sim.bootstrap.secretAccessKey,
    master_assume_role_arn_chain: sim.chainRoleArns,
    assume_external_id: sim.externalId,
    endpoint_url: sim.url,
    ...extra,
  };
}

export function writeParameters(dir: string, values: Record<string, unknown>): string {
  const file = path.join(dir, 'parameters.json');
  writeFileSync(file, JSON.stringify(values, null, 2));
  return file;
}

/**
 * Parameters for a crawl run in this process. Tests run the TypeScript sources, which a worker
 * thread cannot load, so these crawls stay on the main thread (`workers: 0`) unless a test asks
 * otherwise and passes a compiled worker (`compiledWorkerEntry`); runs of the built CLI use the
 * default.
 */
export function parametersFor(sim: RunningSimulator, extra: Record<string, unknown> = {}): Parameters {
  const dir = tempDir();
  return loadParameters({ file: writeParameters(dir, simulatorParameters(sim, { output_dir: path.join(dir, 'output'), workers: 0, ...extra })) });
}

export interface CrawlFixture {
  sim: RunningSimulator;
  params: Parameters;
  logs: LogCollector;
  run(overrides?: Partial<RunOptions>): Promise<RunResult>;
  db(): Database.Database;
  close(): Promise<void>;
}

export async function crawlFixture(simOptions: Partial<SimulatorOptions> = {}, extra: Record<string, unknown> = {}): Promise<CrawlFixture> {
  const sim = await startSimulator(simOptions);
  const params = parametersFor(sim, extra);
  const logs = collectLogs();
  const opened: Database.Database[] = [];
  return {
    sim,
    params,
    logs,
    run: (overrides = {}) => runInventory({ params, logger: logs.logger, progress: 'none', ...overrides }),
    db: () => {
      const db = new Database(path.join(params.output_dir, 'inventory.sqlite'), { readonly: true });
      opened.push(db);
      return db;
    },
    close: async () => {
      for (const db of opened) db.close();
      await sim.close();
    },
  };
}

export interface SeenRequest {
  host: string;
  /** The port the request was sent to (which endpoint it went to). */
  port: number | undefined;
  path: string;
  /** The access key id in the Authorization header's credential scope. */
  accessKeyId: string | null;
  /** The signing region and service of that scope (null for an unsigned request). */
  signingRegion: string | null;
  signingService: string | null;
  securityToken: string | null;
  /** Form fields of query-protocol bodies (STS), or JSON target for JSON protocols. */
  form: URLSearchParams;
  target: string | null;
}

/** Wraps the real HTTP handler and records every request it sends, in order. */
/** `inner` with its `handle` replaced; everything else (config, destroy) passes through to it. */
export function wrapHandler(inner: HttpHandler, handle: (request: HttpRequest, options?: HttpHandlerOptions) => ReturnType<HttpHandler['handle']>): HttpHandler {
  return {
    metadata: inner.metadata,
    handle,
    destroy: () => inner.destroy?.(),
    updateHttpClientConfig: (key, value) => inner.updateHttpClientConfig(key, value),
    httpHandlerConfigs: () => inner.httpHandlerConfigs(),
  } as HttpHandler;
}

export function spyHandler(inner: HttpHandler = new NodeHttpHandler(), onRequest?: (count: number) => void): {
  handler: HttpHandler;
  seen: SeenRequest[];
} {
  const seen: SeenRequest[] = [];
  const handler = wrapHandler(inner, (request, options) => {
    const auth = request.headers.authorization ?? request.headers.Authorization ?? '';
    const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(auth);
    const body = typeof request.body === 'string' ? request.body : '';
    seen.push({
      host: request.hostname,
      port: request.port,
      path: request.path,
      accessKeyId: match?.[1] ?? null,
      signingRegion: match?.[2] ?? null,
      signingService: match?.[3] ?? null,
      securityToken: request.headers['x-amz-security-token'] ?? null,
      form: new URLSearchParams(body.startsWith('{') ? '' : body),
      target: request.headers['x-amz-target'] ?? null,
    });
    onRequest?.(seen.length);
    return inner.handle(request, options);
  });
  return { handler, seen };
}
