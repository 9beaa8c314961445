/**
 * The main thread's side of the crawl workers: starts them when the first member target comes,
 * gives each target to the thread (a worker, or the main thread itself) with the fewest targets
 * in hand, answers their credential
 * requests from the run's providers, and applies what they send back — rows, finished slices,
 * error rows, request counts, log lines — in the order they sent it.
 *
 * Why threads: the AWS SDK spends about a millisecond of CPU on each request, so one thread
 * serves at most about a thousand requests a second, short of what `concurrency` × the API's
 * latency allows on a large organization. The threads share the one `concurrency` limit through
 * shared memory, so the limit means what it says with any number of workers.
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { RefreshingProvider } from '../../auth/refreshingProvider.js';
import { InventoryError } from '../../errors/inventoryError.js';
import type { Logger } from '../../log/logger.js';
import type { Parameters } from '../../parameters/schema.js';
import { SECRET_FIELDS } from '../../parameters/schema.js';
import type { ErrorRow, ScopeKey } from '../../sinks/store.js';
import type { MemberTargets } from '../engine.js';
import type { Scheduler } from '../scheduler.js';
import type { Row, TableDeclaration } from '../table.js';
import { fromWireCredentials, fromWireError, toWireCredentials, toWireError } from './protocol.js';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.js';
import type { SharedSlots } from './sharedSlots.js';

/** What the pool writes to and asks of the main thread's crawl. */
export interface PoolHost {
  upsert(table: TableDeclaration, row: Row, unknownColumns: string[] | null): void;
  completeScope(table: TableDeclaration, scope: ScopeKey): void;
  recordErrorRow(row: ErrorRow): void;
  /** The provider for an account's member role (or the chain's own, for the caller's account). */
  credentialsFor(accountId: string): RefreshingProvider;
}

export interface WorkerPoolOptions {
  params: Parameters;
  count: number;
  slots: SharedSlots;
  scheduler: Scheduler;
  logger: Logger;
  partition: string;
  tables: readonly TableDeclaration[];
  /** The worker's module; the built `crawlWorker.js` beside this file by default. */
  entry?: URL;
  /** `workers: auto`: start the workers only once the main thread is saturated. */
  adaptive?: boolean;
}

/**
 * `workers: auto` ⇒ one thread per core: the main thread (the organization walk, SQLite) and
 * cores − 1 workers, at most 8; none on a single core. Measured on 2 cores (benchmark (b)): one
 * worker 44.9 s, two 48.9 s (three threads contending for two cores), none 76.8 s. They start
 * only when the main thread is saturated (see `saturated`).
 */
export function resolveWorkerCount(workers: Parameters['workers'], cores = availableParallelism()): number {
  if (workers !== 'auto') return workers;
  return Math.max(0, Math.min(cores - 1, 8));
}

/**
 * With `workers: auto`, the workers start once this many member targets have come (each an
 * account's table in one region: two accounts crawled in three regions, or more). Measured in
 * the benchmark (a) at concurrency 64: starting them at the first target instead of when the main
 * thread was saturated ended the organization walk at 1.9 s instead of 3.2 s.
 */
const EARLY_START_TARGETS = 12;

/**
 * Targets a thread may hold whatever its demand. Each target has several requests in parallel (a
 * region's queues, an account's buckets), so a few keep a thread's share of the slots busy;
 * holding many more only interleaves more accounts, which costs memory: measured at concurrency
 * 64, 8 in hand against 64, (a) 16.8 s against 17.2–17.7 s, (b) 36.2 s and 252 MB against
 * 37.2–37.4 s and 298–319 MB; 4 was too few ((b) 40.8 s).
 */
const MIN_IN_HAND = 8;

export function defaultWorkerEntry(): URL {
  return new URL('./crawlWorker.js', import.meta.url);
}

interface PendingTarget {
  table: TableDeclaration;
  accountId: string;
  region: string | null;
  scope: ScopeKey;
  here: () => Promise<boolean>;
  resolve: (complete: boolean) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  targets: number;
  exited: boolean;
  /** The worker's calls backing off after throttling, as it last wrote them. */
  backingOff: Int32Array;
}

export class WorkerPool implements MemberTargets {
  private readonly slots: Slot[] = [];
  private readonly tasks = new Map<number, { resolve: (complete: boolean) => void; reject: (e: unknown) => void; slot: Slot }>();
  private readonly tables: Map<string, TableDeclaration>;
  private nextTask = 0;
  /** Targets the main thread is crawling itself. */
  private hereTargets = 0;
  /** Member targets handed to the pool so far. */
  private targetsSeen = 0;
  private walkFinished = false;
  /** Targets not yet handed to a thread, in the order they came. */
  private readonly pending: PendingTarget[] = [];
  private poll: NodeJS.Timeout | null = null;
  private sample: { at: number; elu: EventLoopUtilization } | null = null;
  private host: PoolHost | null = null;
  private failure: Error | null = null;
  private closing = false;
  private aborted = false;

  constructor(private readonly options: WorkerPoolOptions) {
    this.tables = new Map(options.tables.map((t) => [t.name, t]));
  }

  /** The crawl the workers report to; set before the first target. */
  attach(host: PoolHost): void {
    this.host = host;
  }

  run(table: TableDeclaration, accountId: string, region: string | null, scope: ScopeKey, here: () => Promise<boolean>): Promise<boolean> {
    if (this.failure) return Promise.reject(this.failure);
    this.targetsSeen += 1;
    if (this.slots.length === 0) {
      if (!this.needsHelp()) return this.runHere(here);
      this.start();
    }
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ table, accountId, region, scope, here, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Hands waiting targets out as threads have room, to the thread with the most. A thread has
   * room for `MIN_IN_HAND` targets, plus one for each of its calls backing off after throttling
   * (a target whose requests wait out a backoff keeps no slot busy), up to `concurrency`. The main
   * thread is one of them once the organization walk (its first job, and the critical path of a
   * large organization: each account it finds starts a member crawl) is over. Handing all targets
   * out at once instead, the main thread joined late or not at all and the worker carried the
   * crawl alone; a fixed 8 each left the slots idle while throttled requests backed off ((d)
   * 25.7 s against 18.7 s).
   */
  private dispatch(): void {
    const most = Math.max(MIN_IN_HAND, this.options.params.concurrency);
    const room = (targets: number, backingOff: number) => Math.min(most, MIN_IN_HAND + backingOff) - targets;
    while (this.pending.length > 0 && this.failure === null) {
      let best: Slot | null = null;
      let bestRoom = 0;
      for (const s of this.slots) {
        if (s.exited) continue;
        const r = room(s.targets, Atomics.load(s.backingOff, 0));
        if (r > bestRoom) {
          best = s;
          bestRoom = r;
        }
      }
      const hereRoom = this.walkFinished ? room(this.hereTargets, this.options.scheduler.backingOff()) : 0;
      if (best === null && hereRoom <= 0) {
        this.pollWhilePending();
        return;
      }
      const target = this.pending.shift()!;
      if (hereRoom > 0 && hereRoom >= bestRoom) {
        this.runHere(target.here).then(target.resolve, target.reject);
        continue;
      }
      const slot = best!;
      const id = this.nextTask++;
      slot.targets += 1;
      this.tasks.set(id, { resolve: target.resolve, reject: target.reject, slot });
      this.send(slot, { type: 'target', id, table: target.table.name, accountId: target.accountId, region: target.region, scope: target.scope });
    }
  }

  /** Runs a target on this thread, counted in hand until it ends. */
  private runHere(here: () => Promise<boolean>): Promise<boolean> {
    this.hereTargets += 1;
    return here().finally(() => {
      this.hereTargets -= 1;
      this.dispatch();
    });
  }

  /** While targets wait and no thread has room, looks again every few milliseconds: a thread's room grows without a message when its calls back off. */
  private pollWhilePending(): void {
    if (this.poll !== null) return;
    this.poll = setInterval(() => {
      if (this.pending.length === 0 || this.failure !== null) {
        if (this.poll !== null) clearInterval(this.poll);
        this.poll = null;
        return;
      }
      this.dispatch();
    }, 20);
  }

  /** The organization walk has found every account: the main thread is free to crawl. */
  walkDone(): void {
    this.walkFinished = true;
    this.dispatch();
  }

  /**
   * Whether to start the workers: with a worker count given, at the first target; with `auto`,
   * once the crawl is more than a few accounts (`EARLY_START_TARGETS`: a worker's start-up,
   * about 0.3 s of CPU, is then soon repaid, and it overlaps the organization walk instead of
   * following it) or the main thread is saturated.
   */
  private needsHelp(): boolean {
    if (!this.options.adaptive) return true;
    if (this.targetsSeen > EARLY_START_TARGETS) return true;
    return this.saturated();
  }

  /**
   * Whether the main thread needs help. With a worker count given, it always does; with `auto`,
   * once its event loop has been busy more than 85% of the last half second: a crawl the main
   * thread keeps up with alone (a small organization, low concurrency) never pays for starting
   * workers, nor for handing requests between threads.
   */
  private saturated(): boolean {
    if (!this.options.adaptive) return true;
    const now = performance.now();
    if (this.sample === null) {
      this.sample = { at: now, elu: performance.eventLoopUtilization() };
      return false;
    }
    if (now - this.sample.at < 500) return false;
    const elu = performance.eventLoopUtilization(this.sample.elu);
    this.sample = { at: now, elu: performance.eventLoopUtilization() };
    return elu.utilization > 0.85;
  }

  /**
   * Stops the workers after the crawl. A crawl that ended normally left them nothing to do: they
   * flush and exit. After a failure they are stopped at once (`abort`).
   */
  async close(): Promise<void> {
    if (this.failure !== null || this.aborted) {
      await this.abort();
      return;
    }
    this.closing = true;
    const live = this.slots.filter((s) => !s.exited);
    const exits = live.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.worker.once('exit', () => resolve());
          this.send(s, { type: 'close' });
        }),
    );
    // A worker that does not stop by itself within a few seconds is stopped.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)));
    await Promise.race([Promise.all(exits), late]);
    clearTimeout(timer);
    await Promise.all(live.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  /**
   * Stops the workers now, when the run has failed: nothing they send is applied any more (the
   * store may be closed), their targets are dropped, and the shared slots they held are given
   * back to this thread's requests.
   */
  async abort(): Promise<void> {
    if (this.aborted) return;
    this.aborted = true;
    this.closing = true;
    this.host = null;
    const error = this.failure ?? new InventoryError('internal', 'the crawl stopped');
    for (const task of this.tasks.values()) task.reject(error);
    this.tasks.clear();
    for (const target of this.pending.splice(0)) target.reject(error);
    await Promise.all(this.slots.map((s) => (s.exited ? undefined : s.worker.terminate())));
    this.slots.length = 0;
    this.options.slots.reclaim();
  }

  private start(): void {
    const { params, count } = this.options;
    const entry = this.options.entry ?? defaultWorkerEntry();
    if (entry.protocol === 'file:' && !existsSync(fileURLToPath(entry))) {
      throw new InventoryError('internal', `the crawl worker module is missing: ${fileURLToPath(entry)}`, {
        hint: 'Run the built program (npm run build), or set "workers": 0 to crawl on the main thread.',
      });
    }
    const safe: Record<string, unknown> = { ...params };
    for (const field of SECRET_FIELDS) delete safe[field];
    const init: Omit<WorkerInit, 'backingOff'> = {
      params: safe as unknown as Parameters,
      slots: this.options.slots.buffer,
      partition: this.options.partition,
    };
    for (let i = 0; i < count; i++) {
      const backingOff = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
      const worker = new Worker(entry, { workerData: { ...init, backingOff } satisfies WorkerInit, env: process.env });
      const slot: Slot = { worker, targets: 0, exited: false, backingOff: new Int32Array(backingOff) };
      worker.on('message', (message: FromWorker) => this.receive(slot, message));
      worker.on('error', (error) => this.fail(new InventoryError('internal', `a crawl worker failed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => {
        slot.exited = true;
        if (!this.closing) this.fail(new InventoryError('internal', `a crawl worker stopped unexpectedly (exit code ${code})`));
      });
      this.slots.push(slot);
    }
    this.options.logger.debug({ workers: count }, `started ${count} crawl worker(s)`);
  }

  private receive(slot: Slot, message: FromWorker): void {
    const host = this.host;
    // After a failure the store may be closed: what the workers still send is dropped.
    if (host === null || this.failure !== null) return;
    switch (message.type) {
      case 'ops':
        this.options.scheduler.absorb(message.stats);
        try {
          for (const op of message.ops) {
            if (op.op === 'upsert') host.upsert(this.table(op.table), op.row, op.unknownColumns);
            else if (op.op === 'complete') host.completeScope(this.table(op.table), op.scope);
            else host.recordErrorRow(op.row);
          }
        } catch (error) {
          this.fail(error instanceof Error ? error : new Error(String(error)));
        }
        break;
      case 'done':
      case 'failed': {
        const task = this.tasks.get(message.id);
        this.tasks.delete(message.id);
        if (!task) return;
        task.slot.targets -= 1;
        if (message.type === 'done') task.resolve(message.complete);
        else task.reject(fromWireError(message.error));
        this.dispatch();
        break;
      }
      case 'credentials':
        void this.answerCredentials(slot, message);
        break;
      case 'log':
        this.relog(message.line);
        break;
    }
  }

  private async answerCredentials(slot: Slot, message: Extract<FromWorker, { type: 'credentials' }>): Promise<void> {
    try {
      const provider = this.host?.credentialsFor(message.accountId);
      if (!provider) throw new Error('no crawl is attached to the worker pool');
      const stale: AwsCredentialIdentity | undefined = message.stale === null ? undefined : fromWireCredentials(message.stale);
      const credentials = message.force ? (await provider.renewAfterRefusal(stale)).credentials : await provider();
      this.send(slot, { type: 'credentials', id: message.id, ok: true, credentials: toWireCredentials(credentials) });
    } catch (error) {
      this.send(slot, { type: 'credentials', id: message.id, ok: false, error: toWireError(error) });
    }
  }

  /** A worker's log line, logged again here so that it passes this logger's level and scrubbing. */
  private relog(line: string): void {
    try {
      const { level, msg, time: _time, ...fields } = JSON.parse(line) as { level: number; msg?: string; time?: unknown };
      const logger = this.options.logger;
      const label = logger.levels.labels[level] as 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | undefined;
      if (label !== undefined) logger[label](fields, msg ?? '');
    } catch {
      // Not JSON: nothing a person could read either.
    }
  }

  private table(name: string): TableDeclaration {
    const table = this.tables.get(name);
    if (!table) throw new Error(`a crawl worker sent rows of an unknown table: ${name}`);
    return table;
  }

  private send(slot: Slot, message: ToWorker): void {
    slot.worker.postMessage(message);
  }

  private fail(error: Error): void {
    if (this.failure || this.closing) return;
    this.failure = error;
    for (const task of this.tasks.values()) task.reject(error);
    this.tasks.clear();
    for (const target of this.pending.splice(0)) target.reject(error);
  }
}
