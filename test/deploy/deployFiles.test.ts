/**
 * The deployment examples under deploy/ work with this version of the CLI: every command line in
 * them parses with the CLI's own parser, every shard crawls its own index of the right count into
 * its own directory on a persistent volume, every parameter file passes the real validator with
 * the container's environment, and exit 1 (partial, outputs written) counts as success while the
 * codes that wrote nothing fail. Broken copies of the files show that the checks can fail.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BatchJobDefinition } from '../helpers/deployFiles.js';
import {
  DEPLOY_DIR,
  batchEnv,
  checkBatchJobDefinition,
  checkKubernetesManifest,
  expandKubernetes,
  flagValue,
  kubernetesJobs,
  parseKubernetes,
  runContainer,
  runScript,
} from '../helpers/deployFiles.js';

const KUBERNETES = path.join(DEPLOY_DIR, 'kubernetes', 'indexed-job.yaml');
const BATCH_DIR = path.join(DEPLOY_DIR, 'aws-batch');
const read = (file: string) => readFileSync(file, 'utf8');
const readJson = <T>(file: string) => JSON.parse(read(file)) as T;

describe('deploy/kubernetes/indexed-job.yaml', () => {
  const text = read(KUBERNETES);

  it('runs every shard and the merge with command lines, shard numbers, volumes and a parameter file this CLI accepts', async () => {
    const check = await checkKubernetesManifest(text, 'indexed-job.yaml');
    expect(check.problems).toEqual([]);
    // Four shards and one merge.
    expect(check.invocations).toBe(5);
  });

  it('has an Indexed Job whose shards report exit 1 as success and fail on the codes that wrote nothing', () => {
    const shards = kubernetesJobs(parseKubernetes(text).objects).find((job) => job.indexed);
    const container = shards?.pod.containers?.[0];
    expect(container, 'an Indexed Job with a container').toBeDefined();
    const env = { JOB_COMPLETION_INDEX: '1', INVENTORY_EXTERNAL_ID: 'x' };
    const argv = [...(container?.command ?? []), ...(container?.args ?? [])].map((part) => expandKubernetes(part, env));
    const statusFor = (code: number) => runContainer(argv, env, code).status;
    expect([0, 1, 2, 3, 4, 5].map(statusFor)).toEqual([0, 0, 2, 3, 4, 5]);
  });

  it('catches a misspelt flag, a misspelt parameter, a wrong shard count and an unset variable', async () => {
    const broken = async (from: string | RegExp, to: string) => (await checkKubernetesManifest(text.replace(from, to), 'broken.yaml')).problems.join('\n');
    expect(await broken('--output-dir', '--outptu-dir')).toMatch(/Unknown arguments?: outptu-dir/);
    expect(await broken('--log-format json', '--log-format yaml')).toMatch(/Invalid values:[\s\S]*log-format/);
    expect(await broken('"regions": "all"', '"regoins": "all"')).toMatch(/regoins[\s\S]*regions/);
    expect(await broken('$(JOB_COMPLETION_INDEX)/4', '$(JOB_COMPLETION_INDEX)/3')).toMatch(/is shard \d\/3, but this is index \d of 4/);
    expect(await broken('$(JOB_COMPLETION_INDEX)/4', '$(JOB_INDEX)/4')).toMatch(/\$\(JOB_INDEX\) is not in the container's environment/);
    expect(await broken(/--output-dir \/data\/shard-\$\(JOB_COMPLETION_INDEX\)/, '--output-dir /tmp/shard-$(JOB_COMPLETION_INDEX)')).toMatch(/writes \/tmp\/shard-0, which is not on a persistent volume/);
    expect(await broken('--csv-dir /data/merged/csv', '--csv-dri /data/merged/csv')).toMatch(/merge [^\n]*: Unknown arguments?: csv-dri/);
    expect(await broken('--into /data/merged/inventory.sqlite', '--intoo /data/merged/inventory.sqlite')).toMatch(/Missing required argument: into/);
  });
});

describe('deploy/aws-batch', () => {
  const shard = readJson<BatchJobDefinition>(path.join(BATCH_DIR, 'job-definition.json'));
  const merge = readJson<BatchJobDefinition>(path.join(BATCH_DIR, 'merge-job-definition.json'));
  const files = { 'parameters.json': read(path.join(BATCH_DIR, 'parameters.json')) };
  const submitted = runScript(path.join(BATCH_DIR, 'submit.sh'), ['aws'], 'job-id-of-the-shards\n');
  const arraySize = Number(flagValue(submitted.invocations[0] ?? [], '--array-properties')?.replace(/^size=/, ''));

  it('submit.sh submits the shards as an array job, then the merge depending on it', () => {
    expect(submitted.status, submitted.output).toBe(0);
    const [shards, merged] = submitted.invocations;
    expect(submitted.invocations).toHaveLength(2);
    expect(shards?.slice(0, 3)).toEqual(['aws', 'batch', 'submit-job']);
    expect(flagValue(shards ?? [], '--job-definition')).toBe(shard.jobDefinitionName);
    expect(arraySize).toBeGreaterThan(1);
    expect(merged?.slice(0, 3)).toEqual(['aws', 'batch', 'submit-job']);
    expect(flagValue(merged ?? [], '--job-definition')).toBe(merge.jobDefinitionName);
    expect(flagValue(merged ?? [], '--depends-on')).toBe('jobId=job-id-of-the-shards');
  });

  it('job-definition.json runs every array child as its shard with a parameter file this CLI accepts', async () => {
    const check = await checkBatchJobDefinition(shard, 'job-definition.json', arraySize, files);
    expect(check.problems).toEqual([]);
    expect(check.invocations).toBe(arraySize);
  });

  it('merge-job-definition.json merges what the shards wrote', async () => {
    const check = await checkBatchJobDefinition(merge, 'merge-job-definition.json', null, files);
    expect(check.problems).toEqual([]);
    expect(check.invocations).toBe(1);
  });

  it('reports exit 1 as success, and retries only the codes that wrote nothing', () => {
    const env = batchEnv(shard, 0);
    const statusFor = (code: number) => runContainer(shard.containerProperties.command, env, code).status;
    expect([0, 1, 2, 3, 4, 5].map(statusFor)).toEqual([0, 0, 2, 3, 4, 5]);
    const retried = (readJson<{ retryStrategy: { evaluateOnExit: Array<{ onExitCode: string; action: string }> } }>(path.join(BATCH_DIR, 'job-definition.json')).retryStrategy.evaluateOnExit ?? [])
      .filter((rule) => rule.action === 'RETRY')
      .map((rule) => rule.onExitCode);
    expect(retried).toEqual(['3', '4']);
  });

  it('catches a misspelt flag and a shard count that is not the array size', async () => {
    const withCommand = (replace: (command: string) => string): BatchJobDefinition => ({
      ...shard,
      containerProperties: { ...shard.containerProperties, command: shard.containerProperties.command.map(replace) },
    });
    const misspelt = await checkBatchJobDefinition(withCommand((part) => part.replace('--params', '--param')), 'broken.json', arraySize, files);
    expect(misspelt.problems.join('\n')).toMatch(/Unknown arguments?: param\b/);
    const miscounted = await checkBatchJobDefinition(withCommand((part) => part.replace(`/${arraySize}"`, `/${arraySize + 1}"`)), 'broken.json', arraySize, files);
    expect(miscounted.problems.join('\n')).toMatch(new RegExp(`is shard 0/${arraySize + 1}, but this is index 0 of ${arraySize}`));
  });
});
