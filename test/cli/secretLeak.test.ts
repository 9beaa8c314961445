/**
 * Secrets never leak: a parameter file with distinctive secret values (some from env:) goes
 * through every command, succeeding and failing ones, and no secret may appear in stdout, stderr
 * or any file the command wrote. To cover a new command or flag, add a line to COMMANDS.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATOR_OPTIONS, startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { CLI_TIMEOUT_MS, ensureCliBuilt, listFiles, runCli } from '../helpers/builtCli.js';
import { tempDir } from '../helpers/tempDir.js';

beforeAll(ensureCliBuilt, 300_000);

const SECRET_ACCESS_KEY = 'LeakCanarySecretAccessKey/0123456789+abcdefXYZ';
const SESSION_TOKEN = 'LeakCanarySessionTokenFromEnv//0123456789abcdef==';
const MFA_CODE = '975312';
const ENV = { AOI_LEAK_SESSION_TOKEN: SESSION_TOKEN };

/** Each secret, and the forms it takes inside a URL or a JSON string. */
const FORBIDDEN: RegExp[] = [SECRET_ACCESS_KEY, SESSION_TOKEN].flatMap((secret) =>
  [...new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])].map((form) => new RegExp(form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))),
);
FORBIDDEN.push(new RegExp(`(?<!\\d)${MFA_CODE}(?!\\d)`));

const BASE_PARAMS = {
  access_key_id: 'AKIATESTLEAKCAN00042',
  secret_access_key: SECRET_ACCESS_KEY,
  session_token: 'env:AOI_LEAK_SESSION_TOKEN',
  mfa_serial_number: 'arn:aws:iam::111111111111:mfa/leak-test',
  mfa_token_code: MFA_CODE,
  master_assume_role_arn_chain: 'arn:aws:iam::111111111111:role/InventoryReader',
  assume_external_id: 'leak-test-external-id',
  // Nothing listens on port 9 here: every AWS call fails fast, offline.
  endpoint_url: 'http://127.0.0.1:9',
  max_attempts: 1,
  regions: ['us-east-1'],
  output_dir: 'out',
  credential_cache: 'credential-cache.json',
};

interface LeakCase {
  name: string;
  args: string[];
  /** Changes to the base parameter file (undefined removes a key). */
  params?: Record<string, unknown>;
  /** Exit codes the case may end with; the test is about leaks, not outcomes. */
  expectStatus?: number[];
}

const COMMANDS: LeakCase[] = [
  { name: 'validate', args: ['validate'], expectStatus: [0] },
  { name: 'validate, debug and trace logging', args: ['validate', '--debug', '--log-level', 'trace', '--log-format', 'json'], expectStatus: [0] },
  { name: 'validate, a failing file', args: ['validate', '--debug'], params: { concurrency: 0 }, expectStatus: [2] },
  { name: 'validate, a secret under a misspelled key', args: ['validate'], params: { secret_key: SECRET_ACCESS_KEY }, expectStatus: [2] },
  { name: 'validate, an unset env: reference', args: ['validate', '--debug'], params: { role_session_name: 'env:AOI_LEAK_UNSET' }, expectStatus: [2] },
  { name: 'run, JSON trace logging', args: ['run', '--log-level', 'trace', '--log-format', 'json'] },
  { name: 'run, pretty debug logging', args: ['run', '--debug', '--log-format', 'pretty'] },
  { name: 'run, recording the HTTP exchanges', args: ['run', '--record', 'recording', '--log-level', 'debug'] },
  { name: 'run, a failing flag', args: ['run', '--concurrency', '0', '--debug'], expectStatus: [2] },
  { name: 'test-connection', args: ['test-connection', '--log-level', 'trace'] },
  { name: 'test-connection --json', args: ['test-connection', '--json', '--debug', '--log-format', 'json'] },
  { name: 'report, no inventory yet', args: ['report', '--debug'], expectStatus: [2] },
];

describe.concurrent('no secret in any output', () => {
  it.each(COMMANDS)('$name', async ({ args, params, expectStatus }) => {
    const dir = tempDir('aoi-leak-');
    writeFileSync(path.join(dir, 'params.json'), JSON.stringify({ ...BASE_PARAMS, ...params }, null, 2));
    const result = await runCli([...args, '--params', 'params.json'], { cwd: dir, env: ENV, timeoutMs: 90_000 });

    expect(result.status, `${result.stderr}`).not.toBeNull();
    if (expectStatus !== undefined) expect(expectStatus, result.stderr).toContain(result.status);
    const outputs: [string, string][] = [
      ['stdout', result.stdout],
      ['stderr', result.stderr],
      ...listFiles(dir)
        .filter((file) => file !== 'params.json')
        .map((file): [string, string] => [file, readFileSync(path.join(dir, file), 'latin1')]),
    ];
    for (const [where, text] of outputs) {
      for (const pattern of FORBIDDEN) expect(pattern.test(text), `${where} contains a secret (${pattern.source.slice(0, 12)}…)`).toBe(false);
    }
  }, 2 * CLI_TIMEOUT_MS);

  it('the canaries are detectable: the check fails on a text that has one', () => {
    expect(FORBIDDEN.some((pattern) => pattern.test(`x ${encodeURIComponent(SECRET_ACCESS_KEY)} y`))).toBe(true);
    expect(FORBIDDEN.some((pattern) => pattern.test(`code ${MFA_CODE}.`))).toBe(true);
    expect(FORBIDDEN.some((pattern) => pattern.test('account 1975312000'))).toBe(false);
  });
});

describe('no secret in the outputs of a crawl that succeeds', () => {
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ accounts: 3, queuesPerAccount: 2, bucketsPerAccount: 2 });
  });
  afterAll(async () => {
    await simulator.close();
  });

  it.each([
    ['run, recording the HTTP exchanges', ['run', '--record', 'recording', '--log-level', 'trace', '--log-format', 'json']],
    ['test-connection --json', ['test-connection', '--json', '--log-level', 'trace']],
  ])('%s against the simulated organization', async (_name, args) => {
    const dir = tempDir('aoi-leak-sim-');
    const secret = simulator.bootstrap.secretAccessKey;
    writeFileSync(
      path.join(dir, 'params.json'),
      JSON.stringify({
        access_key_id: simulator.bootstrap.accessKeyId,
        secret_access_key: 'env:AOI_SIM_SECRET',
        master_assume_role_arn_chain: simulator.chainRoleArns,
        assume_external_id: simulator.externalId,
        regions: DEFAULT_SIMULATOR_OPTIONS.regions,
        endpoint_url: simulator.url,
        output_dir: 'out',
        formats: ['sqlite', 'csv', 'html'],
      }),
    );
    const result = await runCli([...args, '--params', 'params.json'], { cwd: dir, env: { AOI_SIM_SECRET: secret }, timeoutMs: 150_000 });
    expect(result.status, result.stderr).toBe(0);
    const files = listFiles(dir).filter((file) => file !== 'params.json');
    if (args[0] === 'run') expect(files).toEqual(expect.arrayContaining(['out/inventory.sqlite', 'out/report.html', expect.stringMatching(/^out\/csv\/.+\.csv$/), expect.stringMatching(/^recording\//)]));
    const forbidden = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
    for (const [where, text] of [['stdout', result.stdout], ['stderr', result.stderr], ...files.map((file) => [file, readFileSync(path.join(dir, file), 'latin1')])] as [string, string][]) {
      for (const form of forbidden) expect(text.includes(form), `${where} contains the secret access key`).toBe(false);
    }
  }, 3 * CLI_TIMEOUT_MS);
});
