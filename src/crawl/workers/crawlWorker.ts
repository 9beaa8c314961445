/**
 * A crawl worker: a thread with its own SDK clients, HTTP connections and scheduler that crawls
 * the member targets the main thread gives it. Requests in flight count against the run's one
 * `concurrency` limit (shared memory); credentials are asked of the main thread, which owns
 * every provider, so renewals stay single-flight across threads. Rows and error rows go back
 * in batches; the main thread writes them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AwsCredentialIdentity } from '@smithy/types';
import { ClientFactory } from '../../aws/clientFactory.js';
import { defaultRequestHandler } from '../../aws/httpHandler.js';
import { refreshingProvider } from '../../auth/refreshingProvider.js';
import type { RefreshingProvider } from '../../auth/refreshingProvider.js';
import { createLogger } from '../../log/logger.js';
import { TABLES } from '../../tables/index.js';
import type { OrganizationWalk } from '../organizationWalk.js';
import { Scheduler } from '../scheduler.js';
import type { SchedulerStatsDelta } from '../scheduler.js';
import type { Row, TableDeclaration } from '../table.js';
import { ErrorRows, TableRunner, targetContext } from '../tableRunner.js';
import type { ErrorMeta, RunnerSink } from '../tableRunner.js';
import type { ClassifiedError } from '../../errors/classify.js';
import type { ScopeKey } from '../../sinks/store.js';
import { fromWireCredentials, fromWireError, toWireCredentials, toWireError } from './protocol.js';
import type { FromWorker, Op, ToWorker, WorkerInit } from './protocol.js';
import { SharedSlots } from './sharedSlots.js';

// As in the CLI: no eight-line Node 22 notice from the SDK on stderr, which carries JSON logs.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const port = parentPort;
if (port === null) throw new Error('crawlWorker runs as a worker thread');
const init = workerData as WorkerInit;
const { params } = init;
const post = (message: FromWorker) => port.postMessage(message);

// Lines go to the main thread, which logs them through its own logger (and its secret scrubbing).
const logger = createLogger({ level: params.log_level, format: 'json', destination: { write: (line: string) => post({ type: 'log', line }) } });
const requestHandler = defaultRequestHandler(params);
const clients = new ClientFactory(params, requestHandler);
const scheduler = new Scheduler({
  concurrency: params.concurrency,
  maxAttempts: params.max_attempts,
  sharedSlots: new SharedSlots(init.slots),
});
const tables = new Map<string, TableDeclaration>(TABLES.map((t) => [t.name, t]));
// How many calls back off here, for the main thread handing out targets.
const backingOff = new Int32Array(init.backingOff);
setInterval(() => Atomics.store(backingOff, 0, scheduler.backingOff()), 10).unref();

/** Operations batched until the event loop turns (or the batch is full), then posted in order. */
let ops: Op[] = [];
let flushScheduled = false;
const sent: SchedulerStatsDelta = { requests: 0, retries: 0, throttled: 0, expiredRenewals: 0, byOperation: {} };
const MAX_BATCH = 256;

function flush(): void {
  flushScheduled = false;
  const s = scheduler.stats;
  const delta: SchedulerStatsDelta = {
    requests: s.requests - sent.requests,
    retries: s.retries - sent.retries,
    throttled: s.throttled - sent.throttled,
    expiredRenewals: s.expiredRenewals - sent.expiredRenewals,
    byOperation: {},
  };
  for (const [key, n] of Object.entries(s.byOperation)) {
    const d = n - (sent.byOperation[key] ?? 0);
    if (d !== 0) delta.byOperation[key] = d;
    sent.byOperation[key] = n;
  }
  sent.requests = s.requests;
  sent.retries = s.retries;
  sent.throttled = s.throttled;
  sent.expiredRenewals = s.expiredRenewals;
  if (ops.length === 0 && delta.requests === 0 && delta.retries === 0 && delta.throttled === 0 && delta.expiredRenewals === 0) return;
  const batch = ops;
  ops = [];
  post({ type: 'ops', ops: batch, stats: delta });
}

function enqueue(op: Op): void {
  ops.push(op);
  if (ops.length >= MAX_BATCH) flush();
  else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

const errorRows = new ErrorRows();
const sink: RunnerSink = {
  upsert: (table: TableDeclaration, row: Row, unknownColumns: string[] | null) => enqueue({ op: 'upsert', table: table.name, row, unknownColumns }),
  completeScope: (table: TableDeclaration, scope: ScopeKey) => enqueue({ op: 'complete', table: table.name, scope }),
  recordError: (error: unknown, fallback: ErrorMeta): ClassifiedError => {
    const { classified, row } = errorRows.rowOf(error, fallback);
    if (row !== null) enqueue({ op: 'error', row });
    return classified;
  },
};
const runner = new TableRunner(sink, params, () => scheduler.admit());

/** Credentials asked of the main thread, one request per account at a time. */
let nextRequest = 0;
const waiting = new Map<number, { resolve: (c: AwsCredentialIdentity) => void; reject: (e: Error) => void }>();
function askMain(accountId: string, force: boolean, stale: AwsCredentialIdentity | null): Promise<AwsCredentialIdentity> {
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    post({ type: 'credentials', id, accountId, force, stale: stale === null ? null : toWireCredentials(stale) });
  });
}

const providers = new Map<string, RefreshingProvider>();
/**
 * The account's credentials as the main thread's provider hands them out, renewed in the same
 * window; a renewal forced by ExpiredToken asks the main thread to force one too.
 */
function remoteProvider(accountId: string): RefreshingProvider {
  let provider = providers.get(accountId);
  if (!provider) {
    provider = refreshingProvider((forced) => askMain(accountId, forced !== undefined, forced?.stale ?? null), {
      refreshWindowSeconds: params.credential_refresh_window_seconds,
      label: `account ${accountId}`,
    });
    providers.set(accountId, provider);
  }
  return provider;
}

const noWalk = new Proxy({} as OrganizationWalk, {
  get() {
    throw new Error('the organization walk is read on the main thread only: organization tables do not run in crawl workers');
  },
});

async function runTarget(message: Extract<ToWorker, { type: 'target' }>): Promise<void> {
  try {
    const table = tables.get(message.table);
    if (table === undefined) throw new Error(`crawl worker: unknown table ${message.table}`);
    const ctx = targetContext(
      {
        clients,
        scheduler,
        partition: init.partition,
        homeRegion: params.region,
        logger,
        organization: noWalk,
        memberCrawlStatus: () => Promise.reject(new Error('member crawl statuses are known on the main thread only')),
      },
      message.accountId,
      message.region,
      remoteProvider(message.accountId),
    );
    const complete = await runner.run(table, ctx, message.scope);
    flush();
    post({ type: 'done', id: message.id, complete });
  } catch (error) {
    flush();
    post({ type: 'failed', id: message.id, error: toWireError(error) });
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'target':
      void runTarget(message);
      break;
    case 'credentials': {
      const w = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.ok) w?.resolve(fromWireCredentials(message.credentials));
      else w?.reject(fromWireError(message.error));
      break;
    }
    case 'close':
      flush();
      requestHandler.destroy();
      port.close();
      break;
  }
});
