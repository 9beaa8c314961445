/**
 * Issue 2's bad inputs, through the built CLI: each gives a clear message naming the problem,
 * exits 2, prints no stack trace, and writes nothing.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_TIMEOUT_MS, UNPRIVILEGED, UNPRIVILEGED_SKIP_NOTE, ensureCliBuilt, listFiles, runCli } from '../helpers/builtCli.js';
import { tempDir } from '../helpers/tempDir.js';

beforeAll(ensureCliBuilt, 300_000);

const CHAIN = 'arn:aws:iam::111111111111:role/InventoryReader';

interface BadInput {
  name: string;
  /** The parameter file's content: an object (output_dir is added), raw text, or null for no file. */
  params: Record<string, unknown> | string | null;
  extraArgs?: string[];
  /** Every pattern must appear in stderr. */
  expect: RegExp[];
}

const CASES: BadInput[] = [
  { name: 'missing file', params: null, expect: [/params\.json: parameter file not found/, /--params/] },
  { name: 'not JSON', params: '{\n  "region": "us-east-1"\n  "concurrency": 4\n}\n', expect: [/is not valid JSON at line 3, column 3/, /expected "," or "}"/] },
  { name: 'JSON that is not an object', params: '"us-east-1"', expect: [/must hold one JSON object, but holds a string/] },
  { name: 'unknown key', params: { secret_key: 'x' }, expect: [/secret_key: is not a known parameter/, /Did you mean "secret_access_key"\?/] },
  {
    name: 'access_key_id without secret_access_key',
    params: { access_key_id: 'AKIABADINPUTTEST0001' },
    expect: [/secret_access_key: is missing, but access_key_id is set/],
  },
  {
    name: 'malformed ARN in the chain',
    params: { master_assume_role_arn_chain: `${CHAIN},arn:aws:iam::111111111111:user/bob` },
    expect: [/master_assume_role_arn_chain\[1\]: "arn:aws:iam::111111111111:user\/bob" is not an IAM role ARN \(the second of 2 roles\)/],
  },
  { name: 'external id too short', params: { assume_external_id: 'x' }, expect: [/assume_external_id: must be 2–1224 characters/] },
  { name: 'session_duration_seconds: 100', params: { session_duration_seconds: 100 }, expect: [/session_duration_seconds: must be at least 900.*\(got 100\)/] },
  {
    name: 'env: variable unset',
    params: { access_key_id: 'AKIABADINPUTTEST0002', secret_access_key: 'env:AOI_TEST_UNSET_SECRET' },
    expect: [/secret_access_key: environment variable AOI_TEST_UNSET_SECRET is not set/],
  },
  { name: 'output_dir not writable', params: { output_dir: 'params.json/inventory' }, expect: [/output_dir: params\.json\/inventory cannot be created: .*params\.json is a file, not a directory/] },
  { name: 'concurrency: 0', params: { concurrency: 0 }, expect: [/concurrency: must be at least 1 \(got 0\)/] },
  { name: 'regions: []', params: { regions: [] }, expect: [/regions: must name at least one region, or be "all"/] },
  { name: 'a flag with a bad value', params: {}, extraArgs: ['--concurrency', 'many'], expect: [/concurrency: must be a number.*got "many"/] },
  { name: 'a malformed --shard', params: {}, extraArgs: ['--shard', '4/4'], expect: [/--shard: "4\/4" is not a shard of the form K\/N/] },
  { name: 'an unknown flag', params: {}, extraArgs: ['--regoins', 'us-east-1'], expect: [/Unknown argument/] },
];

function workspace(input: BadInput): { dir: string; paramsFile: string } {
  const dir = tempDir('aoi-bad-');
  const paramsFile = path.join(dir, 'params.json');
  if (typeof input.params === 'string') writeFileSync(paramsFile, input.params);
  else if (input.params !== null) writeFileSync(paramsFile, JSON.stringify({ output_dir: 'out', ...input.params }));
  return { dir, paramsFile };
}

/** `validate` shares the loader with `run`; a few cases show that it reports the same way. */
const VALIDATE_CASES = new Set(['missing file', 'unknown key', 'env: variable unset', 'output_dir not writable', 'regions: []']);

describe.concurrent('bad inputs: clear message, exit 2, nothing written', () => {
  for (const command of ['run', 'validate']) {
    it.each(CASES.filter((c) => command === 'run' || VALIDATE_CASES.has(c.name)))(`${command}: $name`, async (input) => {
      const { dir } = workspace(input);
      const before = listFiles(dir);
      const result = await runCli([command, '--params', 'params.json', ...(input.extraArgs ?? [])], { cwd: dir });
      expect(result.status, result.stderr).toBe(2);
      for (const pattern of input.expect) expect(result.stderr).toMatch(pattern);
      expect(result.stderr).toMatch(/^error: /);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stdout).toBe('');
      expect(listFiles(dir)).toEqual(before);
    }, CLI_TIMEOUT_MS);
  }

  it.skipIf(UNPRIVILEGED === undefined)(`run: output_dir in a read-only directory${UNPRIVILEGED_SKIP_NOTE}`, async () => {
    const { dir } = workspace({ name: 'read-only', params: { output_dir: 'locked/out' }, expect: [] });
    mkdirSync(path.join(dir, 'locked'));
    chmodSync(path.join(dir, 'locked'), 0o555);
    // As root the CLI runs as nobody, for whom the directory is read-only too.
    chmodSync(dir, 0o755);
    const before = listFiles(dir);
    const result = await runCli(['run', '--params', 'params.json'], { cwd: dir, user: UNPRIVILEGED });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/output_dir: locked\/out cannot be created/);
    expect(listFiles(dir)).toEqual(before);
  }, CLI_TIMEOUT_MS);

  it('shows the stack trace only with --debug', async () => {
    const { dir } = workspace({ name: 'debug', params: { concurrency: 0 }, expect: [] });
    const result = await runCli(['validate', '--params', 'params.json', '--debug'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^\s+at /m);
  }, CLI_TIMEOUT_MS);
});

describe.concurrent('usage errors exit 2', () => {
  it.each([
    [['frobnicate'], /unknown command|Unknown argument/i],
    [['rnu'], /unknown command "rnu"\. Did you mean run\?/],
    [[], /Name a command/],
    [['validate'], /--params: no parameter file given/],
    [['validate', '--log-format', 'xml', '--params', 'x.json'], /Invalid values/],
  ])('%j', async (args, pattern) => {
    const dir = tempDir('aoi-usage-');
    const result = await runCli(args, { cwd: dir });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(listFiles(dir)).toEqual([]);
  }, CLI_TIMEOUT_MS);
});
