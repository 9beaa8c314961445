/** The CLI's commands as a user meets them: help, version, validate's output, the schema command. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderJsonSchema } from '../../src/parameters/jsonSchema.js';
import { CLI_TIMEOUT_MS, ensureCliBuilt, listFiles, ROOT, runCli } from '../helpers/builtCli.js';
import { tempDir } from '../helpers/tempDir.js';

beforeAll(ensureCliBuilt, 300_000);

function scratch(): string {
  return tempDir('aoi-cmd-');
}

describe.concurrent('aws-org-inventory', () => {
  it('--version prints the package version', async () => {
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const result = await runCli(['--version'], { cwd: scratch() });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  }, CLI_TIMEOUT_MS);

  it('--help lists every command and the exit codes', async () => {
    const result = await runCli(['--help'], { cwd: scratch() });
    expect(result.status).toBe(0);
    for (const command of ['run', 'validate', 'test-connection', 'report', 'simulate', 'demo', 'merge', 'schema']) expect(result.stdout).toMatch(new RegExp(`aws-org-inventory ${command}\\b`));
    expect(result.stdout).toMatch(/Exit codes: 0 succeeded/);
  }, CLI_TIMEOUT_MS);

  it.each(['run', 'validate', 'test-connection', 'report', 'simulate', 'demo', 'merge', 'schema'])('%s --help has examples', async (command) => {
    const result = await runCli([command, '--help'], { cwd: scratch() });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Examples:/);
  }, CLI_TIMEOUT_MS);

  it('run --help offers a flag for each overridable parameter, and none for credentials', async () => {
    const result = await runCli(['run', '--help'], { cwd: scratch() });
    for (const flag of ['--region', '--regions', '--resources', '--output-dir', '--concurrency', '--include-accounts', '--exclude-accounts', '--endpoint-url', '--record', '--shard', '--sqlite-path', '--csv-dir', '--csv-include-deleted']) {
      expect(result.stdout).toContain(flag);
    }
    for (const flag of ['--secret-access-key', '--session-token', '--access-key-id', '--mfa-token-code']) expect(result.stdout).not.toContain(flag);
  }, CLI_TIMEOUT_MS);

  it('validate prints the effective configuration: flags over the file, secrets masked, nothing written', async () => {
    const dir = scratch();
    writeFileSync(
      path.join(dir, 'params.json'),
      JSON.stringify({ access_key_id: 'AKIATESTVALIDATE1234', secret_access_key: 'env:AOI_VALIDATE_SECRET', regions: ['us-west-2'], concurrency: 4, output_dir: 'not-created' }),
    );
    const result = await runCli(['validate', '--params', 'params.json', '--regions', 'eu-west-1,us-east-1,eu-west-1', '--concurrency', '64', '--member-account-role-name', 'null'], {
      cwd: dir,
      env: { AOI_VALIDATE_SECRET: 'validate-secret-from-env' },
    });
    expect(result.status, result.stderr).toBe(0);
    const shown = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({
      access_key_id: '***1234',
      secret_access_key: '***',
      regions: ['eu-west-1', 'us-east-1'],
      concurrency: 64,
      member_account_role_name: null,
      output_dir: 'not-created',
    });
    expect(result.stdout).not.toContain('validate-secret-from-env');
    expect(listFiles(dir)).toEqual(['params.json']);
  }, CLI_TIMEOUT_MS);

  it('schema prints the committed JSON Schema', async () => {
    const result = await runCli(['schema'], { cwd: scratch() });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(renderJsonSchema());
  }, CLI_TIMEOUT_MS);

  it('schema --write regenerates the schema file and the README section', async () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'README.md'), '# x\n<!-- parameters:start -->\nstale\n<!-- parameters:end -->\n<!-- tables:start -->\n<!-- tables:end -->\nend\n');
    const result = await runCli(['schema', '--write', '--schema-file', 'schema.json'], { cwd: dir });
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'schema.json'), 'utf8')).toBe(renderJsonSchema());
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/^# x\n<!-- parameters:start -->\n\| name \| type \| default \| meaning \|/);
    expect(readme).not.toContain('stale');
    expect(readme).toMatch(/<!-- parameters:end -->\n<!-- tables:start -->\n.+<!-- tables:end -->\nend\n$/s);
  }, CLI_TIMEOUT_MS);

  it('logs JSON lines on stderr when it is not a terminal, and only those', async () => {
    const dir = scratch();
    writeFileSync(
      path.join(dir, 'params.json'),
      JSON.stringify({ access_key_id: 'AKIATESTLOGFMT001234', secret_access_key: 'log-format-secret', endpoint_url: 'http://127.0.0.1:9', max_attempts: 1, output_dir: 'out' }),
    );
    const result = await runCli(['test-connection', '--params', 'params.json', '--log-level', 'debug'], { cwd: dir });
    const lines = result.stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('error: '));
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
  }, CLI_TIMEOUT_MS);
});
