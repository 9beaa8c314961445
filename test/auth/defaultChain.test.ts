/**
 * No keys in the parameter file: the SDK's default provider chain gives the first credentials,
 * as on a laptop (environment, a profile), in a Kubernetes pod (a web identity token file) or
 * in AWS Batch/ECS (the container credentials endpoint). Each runs the built CLI in a child
 * process with its own environment, so nothing leaks into other tests.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { CLI_TIMEOUT_MS, ensureCliBuilt, runCli } from '../helpers/builtCli.js';
import type { CliRun } from '../helpers/builtCli.js';
import { startForwarder } from '../helpers/forwarder.js';
import type { Forwarder } from '../helpers/forwarder.js';
import { tempDir } from '../helpers/tempDir.js';

const EXTERNAL_ID = 'default-chain-external-id';
let sim: RunningSimulator;
let sts: Forwarder;
let podRole: string;
let reader: string;

beforeAll(async () => {
  await ensureCliBuilt();
  const probe = await startSimulator({ accounts: 1 });
  const identity = probe.org.identityAccountId;
  const management = probe.managementAccountId;
  await probe.close();
  // The role a pod's service account (or a task) is: it trusts the simulator's OIDC provider.
  podRole = `arn:aws:iam::${identity}:role/InventoryPod`;
  reader = `arn:aws:iam::${management}:role/InventoryReader`;
  sim = await startSimulator({
    accounts: 1,
    queuesPerAccount: 0,
    bucketsPerAccount: 0,
    roles: [
      { arn: podRole, trustedAccounts: [], webIdentityAudience: 'sts.amazonaws.com' },
      { arn: reader, externalId: EXTERNAL_ID, trustedAccounts: [identity] },
    ],
  });
  sts = await startForwarder(sim.url);
}, 300_000);
afterAll(async () => {
  await sts.close();
  await sim.close();
});
afterEach(() => sim.resetCounters());

/** A working directory with a parameter file that names no credentials. */
function workdir(extra: Record<string, unknown> = {}): { cwd: string; params: string; output: string } {
  const cwd = tempDir('aoi-default-chain-');
  const output = path.join(cwd, 'output');
  const params = path.join(cwd, 'parameters.json');
  writeFileSync(
    params,
    JSON.stringify({
      access_key_id: null,
      master_assume_role_arn_chain: [reader],
      assume_external_id: EXTERNAL_ID,
      region: 'eu-west-1',
      endpoint_url: sim.url,
      resources: ['organizations'],
      output_dir: output,
      ...extra,
    }),
  );
  return { cwd, params, output };
}

/** No instance metadata service to wait for, and no AWS_* variable of the machine running the tests. */
const BARE = { AWS_EC2_METADATA_DISABLED: 'true' };

function callerArn(output: string): unknown {
  const db = new Database(path.join(output, 'inventory.sqlite'), { readonly: true });
  try {
    return db.prepare('select caller_arn from runs order by run_id desc limit 1').pluck().get();
  } finally {
    db.close();
  }
}

function expectCrawledAllowingCache(run: CliRun, output: string): void {
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(callerArn(output)).toBe(`arn:aws:sts::${sim.managementAccountId}:assumed-role/InventoryReader/aws-org-inventory`);
}

function expectCrawled(run: CliRun, output: string): void {
  expectCrawledAllowingCache(run, output);
  expect(sim.counters().assumeRole).toBeGreaterThanOrEqual(1);
}

describe('the default credential chain', () => {
  it('takes keys from the environment', async () => {
    const { cwd, params, output } = workdir();
    const run = await runCli(['run', '--params', params, '--progress', 'none'], {
      cwd,
      env: { ...BARE, AWS_ACCESS_KEY_ID: sim.bootstrap.accessKeyId, AWS_SECRET_ACCESS_KEY: sim.bootstrap.secretAccessKey },
    });
    expectCrawled(run, output);
    expect(run.stdout + run.stderr).not.toContain(sim.bootstrap.secretAccessKey);
  }, CLI_TIMEOUT_MS);

  it('takes the keys of AWS_PROFILE from a shared credentials file', async () => {
    const { cwd, params, output } = workdir();
    const credentials = path.join(cwd, 'credentials');
    writeFileSync(
      credentials,
      ['[default]', 'aws_access_key_id = AKIANOTTHEONEWANTED1', 'aws_secret_access_key = wrong-secret', '', '[inventory]', `aws_access_key_id = ${sim.bootstrap.accessKeyId}`, `aws_secret_access_key = ${sim.bootstrap.secretAccessKey}`, ''].join('\n'),
      { mode: 0o600 },
    );
    const run = await runCli(['run', '--params', params, '--progress', 'none'], {
      cwd,
      env: { ...BARE, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: path.join(cwd, 'no-config'), AWS_PROFILE: 'inventory' },
    });
    expectCrawled(run, output);
  }, CLI_TIMEOUT_MS);

  it('assumes the pod’s role with its web identity token file, through the parameter file’s STS endpoint, capping the first hop at an hour', async () => {
    const { cwd, params, output } = workdir({ endpoints: { sts: sts.url }, session_duration_seconds: 7200 });
    const token = sim.webIdentityToken({ subject: 'system:serviceaccount:inventory:crawler' });
    const tokenFile = path.join(cwd, 'token');
    writeFileSync(tokenFile, token);
    const before = sts.count();
    const run = await runCli(['run', '--params', params, '--progress', 'none', '--log-format', 'json'], {
      cwd,
      env: { ...BARE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: podRole, AWS_ROLE_SESSION_NAME: 'crawler-pod-1' },
    });
    expectCrawled(run, output);
    const counters = sim.counters();
    expect(counters.byOperation.sts?.AssumeRoleWithWebIdentity).toBe(1);
    // AssumeRoleWithWebIdentity, the chain's AssumeRole and GetCallerIdentity all went to endpoints.sts.
    expect(sts.count() - before).toBe((counters.byOperation.sts?.AssumeRoleWithWebIdentity ?? 0) + (counters.byOperation.sts?.AssumeRole ?? 0) + (counters.byOperation.sts?.GetCallerIdentity ?? 0));
    expect(run.stderr).toMatch(/session_duration_seconds 7200 is capped at 3600 from the first hop \(the default provider chain found temporary credentials/);
    expect(run.stdout + run.stderr).not.toContain(token);
  }, CLI_TIMEOUT_MS);

  it('takes a task role from the container credentials endpoint, with its authorization token', async () => {
    const { cwd, params, output } = workdir();
    const issued = sim.issueCredentials(podRole, 'batch-job', 3600);
    const seen: Array<string | undefined> = [];
    const server: Server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== 'task-authorization-token') {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ AccessKeyId: issued.accessKeyId, SecretAccessKey: issued.secretAccessKey, Token: issued.sessionToken, Expiration: new Date(issued.expiration).toISOString(), RoleArn: podRole }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/credentials/task`;
      const run = await runCli(['run', '--params', params, '--progress', 'none'], {
        cwd,
        env: { ...BARE, AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'task-authorization-token' },
      });
      expectCrawled(run, output);
      expect(seen.length).toBeGreaterThanOrEqual(1);
      expect(seen.every((h) => h === 'task-authorization-token')).toBe(true);
      expect(run.stdout + run.stderr).not.toContain(issued.secretAccessKey);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, CLI_TIMEOUT_MS);

  it('finding nothing, exits 3 naming the ways to give credentials', async () => {
    const { cwd, params } = workdir();
    const run = await runCli(['run', '--params', params, '--progress', 'none'], { cwd, env: BARE });
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(/No credentials found by the default provider chain/);
    expect(run.stderr).toMatch(/AWS_WEB_IDENTITY_TOKEN_FILE/);
  }, CLI_TIMEOUT_MS);

  it('keys the credential cache by identity: two default-chain identities never share an entry, one identity’s sessions do', async () => {
    const shared = tempDir('aoi-default-chain-cache-');
    const cacheFile = path.join(shared, 'credentials.json');
    const tokenFile = path.join(shared, 'token');
    writeFileSync(tokenFile, sim.webIdentityToken());
    const keys = { AWS_ACCESS_KEY_ID: sim.bootstrap.accessKeyId, AWS_SECRET_ACCESS_KEY: sim.bootstrap.secretAccessKey };
    const pod = (session: string) => ({ AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: podRole, AWS_ROLE_SESSION_NAME: session });
    const assumesOfReader = async (env: Record<string, string>): Promise<number> => {
      sim.resetCounters();
      const { cwd, params, output } = workdir({ credential_cache: cacheFile });
      const run = await runCli(['run', '--params', params, '--progress', 'none'], { cwd, env: { ...BARE, ...env } });
      expectCrawledAllowingCache(run, output);
      return sim.counters().byOperation.sts?.AssumeRole ?? 0;
    };
    expect(await assumesOfReader(keys)).toBe(1);
    // Another identity: the entry of the first is not served to it.
    expect(await assumesOfReader(pod('pod-a'))).toBe(1);
    // Each finds its own entry again; the pod in another session of the same role too.
    expect(await assumesOfReader(keys)).toBe(0);
    expect(await assumesOfReader(pod('pod-b'))).toBe(0);
  }, 4 * CLI_TIMEOUT_MS);
});
