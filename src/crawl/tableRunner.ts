/**
 * One target of one table: list its items, enrich them a bounded number at a time, and stream
 * the rows out. The same code runs on the main thread and in the crawl workers; only the sink
 * differs (the store itself, or messages to the main thread that owns it).
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CallGate, ClientFactory } from '../aws/clientFactory.js';
import type { RefreshingProvider } from '../auth/refreshingProvider.js';
import { InventoryError } from '../errors/inventoryError.js';
import type { Logger } from '../log/logger.js';
import type { ErrorRow, ScopeKey } from '../sinks/store.js';
import { classifyError } from '../errors/classify.js';
import type { ClassifiedError } from '../errors/classify.js';
import type { CrawlStatus, ScheduledClient, TargetContext } from './context.js';
import type { OrganizationWalk } from './organizationWalk.js';
import { WALK_OPERATIONS, WALK_PRIORITY } from './organizationWalk.js';
import { CallError } from './scheduler.js';
import type { CallMeta, Scheduler } from './scheduler.js';
import type { Row, TableDeclaration } from './table.js';
import { allColumns, commonColumns } from './table.js';

export type ErrorMeta = Omit<CallMeta, 'credentials'>;

/** Where a table's rows, finished slices and failures go. */
export interface RunnerSink {
  upsert(table: TableDeclaration, row: Row, unknownColumns: string[] | null): void;
  completeScope(table: TableDeclaration, scope: ScopeKey): void;
  /** Records a failure once per error object; throws the failures that stop the run. */
  recordError(error: unknown, fallback: ErrorMeta): ClassifiedError;
}

export class TableRunner {
  /** Items of one target enriched at once: enough to keep `concurrency` requests busy. */
  private readonly maxPendingItems: number;
  /** The run's home region, for error rows of targets without a region. */
  private readonly homeRegion: string;

  constructor(
    private readonly sink: RunnerSink,
    params: { concurrency: number; region: string },
    /** Resolves when the scheduler can take more requests (`Scheduler.admit`). */
    private readonly admit: () => Promise<void> = () => Promise.resolve(),
  ) {
    this.maxPendingItems = Math.max(8, params.concurrency * 2);
    this.homeRegion = params.region;
  }

  /** Lists a target's items and enriches them; resolves with whether the slice is complete. */
  async run(table: TableDeclaration, ctx: TargetContext, scope: ScopeKey): Promise<boolean> {
    let complete = true;
    const pending = new Set<Promise<void>>();
    try {
      for await (const item of table.list.items(ctx)) {
        await this.admit();
        const p: Promise<void> = this.enrichAndWrite(table, ctx, item).then(
          () => {
            pending.delete(p);
          },
          (error: unknown) => {
            pending.delete(p);
            complete = false;
            this.sink.recordError(error, this.metaOf(table.list.call, ctx));
          },
        );
        // Observed from the start: an item that fails the run may reject while the list is still read.
        p.catch(() => undefined);
        pending.add(p);
        if (pending.size >= this.maxPendingItems) await Promise.race(pending);
      }
    } catch (error) {
      complete = false;
      // Items in flight finish before a failure that stops the run leaves this table.
      await Promise.allSettled(pending);
      this.sink.recordError(error, this.metaOf(table.list.call, ctx));
    }
    await Promise.all(pending);
    if (complete) this.sink.completeScope(table, scope);
    return complete;
  }

  private async enrichAndWrite(table: TableDeclaration, ctx: TargetContext, item: unknown): Promise<void> {
    const row: Row = {};
    for (const column of allColumns(table)) row[column.name] = null;
    Object.assign(row, commonValues(table, ctx), table.list.row(item, ctx));
    const unknown: string[] = [];
    let gone = false;
    await Promise.all(
      table.enrich.map(async (step) => {
        try {
          const values = await step.run(item, ctx);
          if (values !== null) Object.assign(row, values);
        } catch (error) {
          const c = classified(error);
          if (c.class === 'absent') return;
          if (c.class === 'gone') {
            gone = true;
            return;
          }
          if (c.class === 'auth' || c.class === 'config') throw unwrap(error);
          unknown.push(...step.columns);
          this.sink.recordError(error, this.metaOf(step.call, ctx, resourceOfRow(row)));
        }
      }),
    );
    if (gone) return;
    this.sink.upsert(table, row, unknown.length > 0 ? unknown : null);
  }

  metaOf(call: string, ctx: TargetContext, resource: string | null = null): ErrorMeta {
    const [service = call, operation = call] = call.split(/[:+ ]/).filter(Boolean);
    return { service, operation, accountId: ctx.accountId, region: ctx.region ?? this.homeRegion, resource };
  }
}

/**
 * Error rows, one per failure: a failure read by several consumers (a listing shared by two
 * tables) is recorded once. Failures of the auth and config classes stop the run: thrown.
 */
export class ErrorRows {
  private readonly recorded = new WeakSet<object>();

  /** The row to record, or null when this error was recorded already. */
  rowOf(error: unknown, fallback: ErrorMeta): { classified: ClassifiedError; row: ErrorRow | null } {
    const c = classified(error);
    if (c.class === 'auth' || c.class === 'config') throw unwrap(error);
    if (error !== null && typeof error === 'object') {
      if (this.recorded.has(error)) return { classified: c, row: null };
      this.recorded.add(error);
    }
    const meta = error instanceof CallError ? error.meta : fallback;
    return {
      classified: c,
      row: {
        accountId: meta.accountId,
        region: meta.region,
        service: meta.service,
        operation: meta.operation,
        resource: meta.resource,
        errorCode: c.code,
        message: c.message,
      },
    };
  }
}

/** A client whose calls can hold their slot only while on the wire (`SigningClient`). */
interface GatedClient<C extends { send: unknown }> {
  gated(gate: CallGate): Pick<C, 'send'>;
}

export interface TargetContextDeps {
  clients: ClientFactory;
  scheduler: Scheduler;
  partition: string;
  homeRegion: string;
  logger: Logger;
  organization: OrganizationWalk;
  memberCrawlStatus(accountId: string): Promise<CrawlStatus>;
}

/** A target's view of the crawl: clients whose every call goes through the scheduler. */
export function targetContext(deps: TargetContextDeps, accountId: string | null, region: string | null, credentials: RefreshingProvider): TargetContext {
  const { clients, scheduler, homeRegion } = deps;
  // Each call holds its concurrency slot only while its request is on the wire (`CallGate`).
  const scheduled = <C extends { send: unknown }>(service: string, clientRegion: string, client: GatedClient<C>): ScheduledClient<C> => ({
    send: ((command: { input?: unknown; constructor: { name: string } }, ...rest: unknown[]) =>
      scheduler.runGated(
        { service, operation: operationOf(command), accountId, region: clientRegion, resource: resourceOf(command.input), credentials, priority: priorityOf(service, operationOf(command)) },
        (gate) => (client.gated(gate).send as (...args: unknown[]) => Promise<unknown>)(command, ...rest),
      )) as C['send'],
  });
  return {
    partition: deps.partition,
    accountId,
    region,
    homeRegion,
    logger: deps.logger,
    organization: deps.organization,
    organizations: () => scheduled<OrganizationsClient>('organizations', homeRegion, clients.organizations(credentials)),
    sqs: (r) => scheduled<SQSClient>('sqs', r, clients.sqs(credentials, r)),
    s3: (r) => scheduled<S3Client>('s3', r, clients.s3(credentials, r)),
    memberCrawlStatus: (id) => deps.memberCrawlStatus(id),
  };
}

function commonValues(table: TableDeclaration, ctx: TargetContext): Row {
  const values: Row = {};
  for (const column of commonColumns(table.scope)) {
    if (column.name === 'partition') values.partition = ctx.partition;
    if (column.name === 'account_id') values.account_id = ctx.accountId;
    if (column.name === 'region') values.region = ctx.region;
  }
  return values;
}

export function classified(error: unknown): ClassifiedError {
  return error instanceof CallError ? error.classified : classifyError(error);
}

/** The error a person should see: the InventoryError behind a failed call, if there is one. */
export function unwrap(error: unknown): unknown {
  if (error instanceof CallError && error.cause instanceof InventoryError) return error.cause;
  return error;
}

/**
 * The calls that find the organization's accounts go first among the Organizations calls
 * waiting for a slot: each account found starts its member crawl, most of a run, while tags and
 * policies can wait. Measured in the benchmark (a) at concurrency 64: the 200 accounts were all
 * found after 3.7 s when the 240 tag calls queued in between, instead of about 1.2 s.
 */
function priorityOf(service: string, operation: string): number {
  return service === 'organizations' && WALK_OPERATIONS.has(operation) ? WALK_PRIORITY : 0;
}

function operationOf(command: { constructor: { name: string } }): string {
  return command.constructor.name.replace(/Command$/, '');
}

/** What a call is about, for error rows: the first identifying field of its input. */
function resourceOf(input: unknown): string | null {
  if (input === null || typeof input !== 'object') return null;
  const i = input as Record<string, unknown>;
  for (const key of ['QueueUrl', 'Bucket', 'ResourceId', 'ParentId', 'PolicyId', 'AccountId', 'RoleArn']) {
    const value = i[key];
    if (typeof value === 'string') return value;
  }
  return null;
}

function resourceOfRow(row: Row): string | null {
  for (const key of ['url', 'arn', 'name', 'id']) {
    const value = row[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}
