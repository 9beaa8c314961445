/**
 * Checks of the deployment examples under deploy/, which users copy as they are.
 *
 * Each container's command is run by the real shell (quoting, line continuations, variables,
 * globs) with a stand-in `aws-org-inventory` first on PATH that records its arguments and exits
 * with a chosen code. Every recorded command line is then parsed by the CLI's own parser
 * (`checkUsage`: commands, flags, choices, strictness), its `--shard` by the CLI's `parseShard`,
 * and the parameter file it names, with its flags and the container's environment, by the real
 * loader. Problems come back as lines, so a test can also show that a broken file is caught.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkUsage } from '../../src/cli/cli.js';
import { parseShard } from '../../src/cli/commands/runCommand.js';
import { parameterOverrides } from '../../src/cli/parameterFlags.js';
import { InventoryError } from '../../src/errors/inventoryError.js';
import { loadParameters } from '../../src/parameters/load.js';
import { tempDir } from './tempDir.js';

export const DEPLOY_DIR = path.resolve(import.meta.dirname, '../../deploy');

/** What a container got when its command ran with the stand-in CLI. */
export interface ContainerRun {
  status: number | null;
  output: string;
  /** Argument lists the stand-in `aws-org-inventory` was called with, in order. */
  invocations: string[][];
}

/** A directory with stand-ins for `names` that log their arguments to `log` (one JSON array a line). */
function standIns(names: readonly string[], log: string, extra = ''): string {
  const bin = tempDir('aoi-deploy-bin-');
  for (const name of names) {
    const file = path.join(bin, name);
    writeFileSync(
      file,
      `#!${process.execPath}\n` +
        `require('node:fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify([${JSON.stringify(name)}, ...process.argv.slice(2)]) + '\\n');\n` +
        `${extra}\nprocess.exit(Number(process.env.STAND_IN_EXIT ?? 0));\n`,
    );
    chmodSync(file, 0o755);
  }
  return bin;
}

function readLog(log: string): string[][] {
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as string[]);
}

/** Runs `argv` (a container's command) with the stand-in CLI; `exitCode` is what the stand-in exits with. */
export function runContainer(argv: readonly string[], env: Record<string, string>, exitCode = 0): ContainerRun {
  const log = path.join(tempDir('aoi-deploy-log-'), 'invocations.jsonl');
  const bin = standIns(['aws-org-inventory'], log);
  const [command, ...args] = argv;
  if (command === undefined) return { status: null, output: 'empty command', invocations: [] };
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    env: { ...env, PATH: `${bin}:/usr/bin:/bin`, STAND_IN_EXIT: String(exitCode) },
    timeout: 30_000,
  });
  return {
    status: result.status,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? result.error.message : ''}`,
    invocations: readLog(log).map(([, ...rest]) => rest),
  };
}

/** Runs a shell script with stand-ins for `names` (e.g. `aws`) that print `reply` and exit 0. */
export function runScript(file: string, names: readonly string[], reply: string): ContainerRun {
  const log = path.join(tempDir('aoi-deploy-log-'), 'invocations.jsonl');
  const bin = standIns(names, log, `process.stdout.write(${JSON.stringify(reply)});`);
  const result = spawnSync('sh', [file], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` }, timeout: 30_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`, invocations: readLog(log) };
}

/** Where a container finds a file: the parameter file's text for a path, or null when nothing mounted holds it. */
export type FileLookup = (containerPath: string) => string | null;

export interface InvocationContext {
  /** Names the problems, e.g. "deploy/kubernetes/indexed-job.yaml, CronJob aws-org-inventory-shards, index 2". */
  where: string;
  env: Record<string, string>;
  readFile: FileLookup;
  /** Directories a run may write to (persistent volumes); every output path must be under one. */
  writable: readonly string[];
  /** For a shard: the index it must crawl and the shard count. */
  shard?: { index: number; count: number };
}

function under(file: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => file === dir || file.startsWith(`${dir.replace(/\/$/, '')}/`));
}

function describeError(error: unknown): string {
  return error instanceof InventoryError ? error.describe() : String((error as Error).message ?? error);
}

/** Problems of one `aws-org-inventory` command line (empty when it is right). */
export async function checkInvocation(args: readonly string[], context: InvocationContext): Promise<string[]> {
  const where = `${context.where}: aws-org-inventory ${args.join(' ')}`;
  const usage = await checkUsage(args);
  if (!usage.ok) return [`${where}: ${usage.message}`];
  const problems: string[] = [];
  const argv = usage.argv;
  const outputs: string[] = [];
  if (usage.command === 'run') {
    const shardText = argv.shard;
    if (context.shard !== undefined) {
      if (typeof shardText !== 'string') problems.push(`${where}: a shard's run has no --shard`);
      else {
        try {
          const shard = parseShard(shardText, context.env);
          if (shard.index !== context.shard.index || shard.count !== context.shard.count) {
            problems.push(`${where}: --shard ${shardText} is shard ${shard.index}/${shard.count}, but this is index ${context.shard.index} of ${context.shard.count}`);
          }
        } catch (error) {
          problems.push(`${where}: ${describeError(error)}`);
        }
      }
    }
    const paramsPath = argv.params;
    if (typeof paramsPath !== 'string') problems.push(`${where}: no --params`);
    else {
      const text = context.readFile(paramsPath);
      if (text === null) problems.push(`${where}: nothing mounted in the container holds ${paramsPath}`);
      else {
        const file = path.join(tempDir('aoi-deploy-params-'), path.basename(paramsPath));
        writeFileSync(file, text);
        try {
          const params = loadParameters({ file, overrides: parameterOverrides(argv), env: context.env });
          outputs.push(params.output_dir);
        } catch (error) {
          problems.push(`${where}: the parameter file ${paramsPath} is refused: ${describeError(error)}`);
        }
      }
    }
    for (const flag of ['sqlite-path', 'csv-dir', 'record']) if (typeof argv[flag] === 'string') outputs.push(argv[flag] as string);
  }
  if (usage.command === 'merge') {
    outputs.push(String(argv.into));
    if (typeof argv['csv-dir'] === 'string') outputs.push(argv['csv-dir']);
    const sources = Array.isArray(argv.sources) ? argv.sources.map(String) : [];
    for (const source of sources) if (!under(source, context.writable)) problems.push(`${where}: reads ${source}, which is on no volume the shards write to`);
  }
  for (const output of outputs) {
    if (!path.isAbsolute(output) || !under(output, context.writable)) problems.push(`${where}: writes ${output}, which is not on a persistent volume (${context.writable.join(', ')})`);
  }
  return problems;
}

// --- Kubernetes -------------------------------------------------------------------------------

interface K8sObject {
  kind?: string;
  metadata?: { name?: string };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

interface K8sContainer {
  name?: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

interface K8sPodSpec {
  containers?: K8sContainer[];
  volumes?: Array<{ name: string; configMap?: { name: string }; persistentVolumeClaim?: { claimName: string } }>;
}

export interface K8sJob {
  /** "CronJob aws-org-inventory-shards". */
  name: string;
  indexed: boolean;
  completions: number | null;
  parallelism: number | null;
  pod: K8sPodSpec;
}

export function parseKubernetes(text: string): { objects: K8sObject[]; errors: string[] } {
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  const errors = list.flatMap((document) => document.errors.map((error) => error.message));
  return { objects: list.map((document) => document.toJS() as K8sObject).filter((object) => object !== null), errors };
}

/** The Jobs of a manifest: Jobs, and the job templates of CronJobs. */
export function kubernetesJobs(objects: readonly K8sObject[]): K8sJob[] {
  const jobs: K8sJob[] = [];
  for (const object of objects) {
    let spec: Record<string, unknown> | undefined;
    if (object.kind === 'Job') spec = object.spec;
    if (object.kind === 'CronJob') spec = (object.spec?.jobTemplate as { spec?: Record<string, unknown> } | undefined)?.spec;
    if (spec === undefined) continue;
    jobs.push({
      name: `${object.kind} ${object.metadata?.name ?? '(unnamed)'}`,
      indexed: spec.completionMode === 'Indexed',
      completions: typeof spec.completions === 'number' ? spec.completions : null,
      parallelism: typeof spec.parallelism === 'number' ? spec.parallelism : null,
      pod: ((spec.template as { spec?: K8sPodSpec } | undefined)?.spec ?? {}) as K8sPodSpec,
    });
  }
  return jobs;
}

/** Kubernetes' own expansion of command and args: $(NAME) from the container's environment, $$ ⇒ $. */
export function expandKubernetes(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) => {
    if (name === undefined) return '$';
    return env[name] ?? match;
  });
}

/** The environment a container of `job` gets, with placeholders for secrets and field references. */
function containerEnv(job: K8sJob, container: K8sContainer, index: number | null): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) env[variable.name] = variable.value ?? `from-${variable.name.toLowerCase().replace(/_/g, '-')}`;
  // The Job controller sets it in every container of an Indexed Job's pods.
  if (job.indexed && index !== null) env.JOB_COMPLETION_INDEX = String(index);
  return env;
}

export interface KubernetesCheck {
  problems: string[];
  /** Command lines checked. */
  invocations: number;
}

/** Every problem of a Kubernetes manifest that runs aws-org-inventory. */
export async function checkKubernetesManifest(text: string, where: string): Promise<KubernetesCheck> {
  const { objects, errors } = parseKubernetes(text);
  const problems = errors.map((error) => `${where}: YAML: ${error}`);
  const configMaps = new Map(objects.filter((object) => object.kind === 'ConfigMap').map((object) => [object.metadata?.name ?? '', object.data ?? {}]));
  let invocations = 0;
  for (const job of kubernetesJobs(objects)) {
    const indexes = job.indexed ? Array.from({ length: job.completions ?? 0 }, (_, index) => index) : [null];
    if (job.indexed && (job.completions === null || job.parallelism !== job.completions)) {
      problems.push(`${where}, ${job.name}: an Indexed Job for shards needs completions = parallelism = N (got ${job.completions}, ${job.parallelism})`);
    }
    for (const container of job.pod.containers ?? []) {
      const mounts = container.volumeMounts ?? [];
      const volumeOf = (mountName: string) => job.pod.volumes?.find((volume) => volume.name === mountName);
      const writable = mounts.filter((mount) => volumeOf(mount.name)?.persistentVolumeClaim !== undefined).map((mount) => mount.mountPath);
      const readFile: FileLookup = (file) => {
        for (const mount of mounts) {
          const configMap = volumeOf(mount.name)?.configMap;
          if (configMap === undefined || path.dirname(file) !== mount.mountPath.replace(/\/$/, '')) continue;
          return configMaps.get(configMap.name)?.[path.basename(file)] ?? null;
        }
        return null;
      };
      for (const index of indexes) {
        const label = `${where}, ${job.name}, container ${container.name ?? '?'}${index === null ? '' : `, index ${index}`}`;
        const env = containerEnv(job, container, index);
        const argv = [...(container.command ?? []), ...(container.args ?? [])].map((part) => expandKubernetes(part, env));
        for (const part of argv) {
          for (const unresolved of part.match(/\$\([A-Za-z_][A-Za-z0-9_]*\)/g) ?? []) problems.push(`${label}: ${unresolved} is not in the container's environment`);
        }
        const ran = runContainer(argv, env);
        if (ran.status !== 0) problems.push(`${label}: the command exited ${ran.status}: ${ran.output}`);
        if (ran.invocations.length === 0) problems.push(`${label}: the command never runs aws-org-inventory`);
        for (const args of ran.invocations) {
          invocations += 1;
          problems.push(
            ...(await checkInvocation(args, { where: label, env, readFile, writable, ...(index === null ? {} : { shard: { index, count: job.completions ?? 0 } }) })),
          );
        }
      }
    }
  }
  return { problems, invocations };
}

// --- AWS Batch --------------------------------------------------------------------------------

export interface BatchJobDefinition {
  jobDefinitionName: string;
  containerProperties: {
    command: string[];
    environment?: Array<{ name: string; value: string }>;
    secrets?: Array<{ name: string; valueFrom: string }>;
    mountPoints?: Array<{ sourceVolume: string; containerPath: string }>;
    volumes?: Array<{ name: string; efsVolumeConfiguration?: unknown }>;
  };
}

/** The environment Batch gives a container of `definition` (placeholders for secrets), as child `index` of an array job. */
export function batchEnv(definition: BatchJobDefinition, index: number | null): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of definition.containerProperties.environment ?? []) env[variable.name] = variable.value;
  for (const secret of definition.containerProperties.secrets ?? []) env[secret.name] = `from-${secret.name.toLowerCase().replace(/_/g, '-')}`;
  if (index !== null) env.AWS_BATCH_JOB_ARRAY_INDEX = String(index);
  return env;
}

/**
 * Every problem of an AWS Batch job definition that runs aws-org-inventory; `arraySize` for the
 * shards' definition (each child is checked), and `files` maps the file names on the EFS volume
 * to their text (the parameter file users copy there).
 */
export async function checkBatchJobDefinition(definition: BatchJobDefinition, where: string, arraySize: number | null, files: Record<string, string>): Promise<KubernetesCheck> {
  const problems: string[] = [];
  let invocations = 0;
  const efs = new Set((definition.containerProperties.volumes ?? []).filter((volume) => volume.efsVolumeConfiguration !== undefined).map((volume) => volume.name));
  const writable = (definition.containerProperties.mountPoints ?? []).filter((mount) => efs.has(mount.sourceVolume)).map((mount) => mount.containerPath);
  const readFile: FileLookup = (file) => (under(file, writable) ? (files[path.basename(file)] ?? null) : null);
  const indexes = arraySize === null ? [null] : Array.from({ length: arraySize }, (_, index) => index);
  for (const index of indexes) {
    const label = `${where}${index === null ? '' : `, array child ${index}`}`;
    const env = batchEnv(definition, index);
    const ran = runContainer(definition.containerProperties.command, env);
    if (ran.status !== 0) problems.push(`${label}: the command exited ${ran.status}: ${ran.output}`);
    if (ran.invocations.length === 0) problems.push(`${label}: the command never runs aws-org-inventory`);
    for (const args of ran.invocations) {
      invocations += 1;
      problems.push(...(await checkInvocation(args, { where: label, env, readFile, writable, ...(index === null || arraySize === null ? {} : { shard: { index, count: arraySize } }) })));
    }
  }
  return { problems, invocations };
}

/** The value after `flag` in an argument list, or undefined. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at === -1 ? undefined : args[at + 1];
}
