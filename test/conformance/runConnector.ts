/**
 * Runs the built CLI (`node dist/cli/main.js run --params FILE`) as a user would, against an
 * emulator endpoint.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SeededOrganization } from './seedOrganization.js';
import { FIRST_CREDENTIALS } from './seedOrganization.js';
import { CRAWLED_REGIONS, HOME_REGION } from './seedPlan.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
/** The first credentials' secret reaches the connector through `env:` only, never the file. */
export const SECRET_VARIABLE = 'CONFORMANCE_SECRET_ACCESS_KEY';

export interface ConnectorRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  parameterFile: string;
  outputDir: string;
}

/** The parameter file of a crawl of the seeded organization: two-hop chain, external id, member roles. */
export function conformanceParameters(seeded: SeededOrganization, outputDir: string): Record<string, unknown> {
  return {
    access_key_id: FIRST_CREDENTIALS.accessKeyId,
    secret_access_key: `env:${SECRET_VARIABLE}`,
    master_assume_role_arn_chain: seeded.chain.roleArns,
    assume_external_id: seeded.chain.externalId,
    role_session_name: 'conformance-inventory',
    member_account_role_name: seeded.chain.memberRoleName,
    region: HOME_REGION,
    regions: [...CRAWLED_REGIONS],
    endpoint_url: seeded.endpoint,
    s3_force_path_style: true,
    output_dir: outputDir,
    formats: ['sqlite', 'csv'],
    concurrency: 8,
    max_attempts: 3,
    log_level: 'info',
  };
}

/** `run --params FILE`: the crawl, as a scheduler would start it. */
export async function runConnector(seeded: SeededOrganization, workDir: string): Promise<ConnectorRun> {
  return runCli(seeded, workDir, (parameterFile) => ['run', '--params', parameterFile, '--progress', 'none']);
}

/** Any command of the built CLI with the conformance parameter file (written into `workDir`). */
export async function runCli(seeded: SeededOrganization, workDir: string, argv: (parameterFile: string) => string[]): Promise<ConnectorRun> {
  const outputDir = path.join(workDir, 'output');
  mkdirSync(workDir, { recursive: true });
  const parameterFile = path.join(workDir, 'parameters.json');
  writeFileSync(parameterFile, `${JSON.stringify(conformanceParameters(seeded, outputDir), null, 2)}\n`);
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  env[SECRET_VARIABLE] = FIRST_CREDENTIALS.secretAccessKey;
  // Nothing may reach for an instance metadata service or a profile of the person running the tests.
  env.AWS_EC2_METADATA_DISABLED = 'true';
  env.AWS_CONFIG_FILE = path.join(workDir, 'no-aws-config');
  env.AWS_SHARED_CREDENTIALS_FILE = path.join(workDir, 'no-aws-credentials');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...argv(parameterFile)], { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr, seconds: (Date.now() - started) / 1000, parameterFile, outputDir });
    });
  });
}
