/**
 * Test harness: a simulated organization on loopback, a parameter file pointing at it, and the
 * real run (`runInventory`) into a temporary output directory.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runInventory } from '../../src/crawl/run.js';
import type { RunOptions, RunResult } from '../../src/crawl/run.js';
import type { Logger } from '../../src/log/logger.js';
import { createLogger } from '../../src/log/logger.js';
import { loadParameters } from '../../src/parameters/load.js';
import type { Parameters } from '../../src/parameters/schema.js';
import { startSimulator } from '../../src/simulator/index.js';
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

export function tempDir(prefix = 'aoi-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

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

export function parametersFor(sim: RunningSimulator, extra: Record<string, unknown> = {}): Parameters {
  const dir = tempDir();
  return loadParameters({ file: writeParameters(dir, simulatorParameters(sim, { output_dir: path.join(dir, 'output'), ...extra })) });
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
