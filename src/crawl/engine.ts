/**
 * The crawl: targets (the organization once; every member account; account × region), each
 * running the tables of its scope. Failure is contained per target: a failed list is an error
 * row and an incomplete slice (its rows are not marked deleted), a failed enrich step nulls its
 * columns and is an error row, and the crawl goes on. Only configuration and authentication
 * failures of the chain itself stop a run.
 */
import { createHash } from 'node:crypto';
import { ListRegionsCommand } from '@aws-sdk/client-account';
import type { Account } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import pLimit from 'p-limit';
import type { ClientFactory } from '../aws/clientFactory.js';
import type { CredentialChain } from '../auth/assumeRoleChain.js';
import type { RefreshingProvider } from '../auth/refreshingProvider.js';
import { memberRoleArn } from '../auth/partition.js';
import { InventoryError } from '../errors/inventoryError.js';
import type { Logger } from '../log/logger.js';
import type { Parameters } from '../parameters/schema.js';
import type { ErrorRow, InventoryStore, ScopeKey } from '../sinks/store.js';
import type { ClassifiedError } from '../errors/classify.js';
import type { CrawlStatus, TargetContext } from './context.js';
import type { AccountNode } from './organizationWalk.js';
import { OrganizationWalk, pages } from './organizationWalk.js';
import type { CallMeta } from './scheduler.js';
import type { Scheduler } from './scheduler.js';
import type { Row, TableDeclaration } from './table.js';
import { ErrorRows, TableRunner, classified, targetContext, unwrap } from './tableRunner.js';
import type { PoolHost } from './workers/workerPool.js';
import type { ErrorMeta, RunnerSink } from './tableRunner.js';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

export interface CrawlProgress {
  startedAt: number;
  accountsTotal: number;
  accountsDone: number;
  errors: number;
  rows: number;
}

export interface CrawlEnvironment {
  params: Parameters;
  chain: CredentialChain;
  clients: ClientFactory;
  scheduler: Scheduler;
  store: InventoryStore;
  /** The tables this run crawls (already selected by `resources`). */
  tables: readonly TableDeclaration[];
  logger: Logger;
  shard: Shard | null;
  /** Crawl workers for the member targets; absent or null: everything runs on this thread. */
  workers?: MemberTargets | null;
  /** Who the chain's last credentials are (GetCallerIdentity, asked before anything is written). */
  caller: CallerIdentity;
  progress?: CrawlProgress;
}

/**
 * Spreads member targets over the crawl workers and this thread (`here` runs a target on this
 * thread); resolves with whether the slice is complete.
 */
export interface MemberTargets {
  attach(host: PoolHost): void;
  run(table: TableDeclaration, accountId: string, region: string | null, scope: ScopeKey, here: () => Promise<boolean>): Promise<boolean>;
  /** Every account has been found (or the walk failed): the main thread is free to crawl members too. */
  walkDone(): void;
}

export interface CallerIdentity {
  arn: string;
  accountId: string;
}

export interface CrawlOutcome {
  callerArn: string;
  callerAccountId: string;
  mode: 'organization' | 'standalone';
  accounts: Record<CrawlStatus, number>;
  errorCount: number;
}

/** The organization permissions a full crawl needs, named in the error when they are missing. */
export const ORGANIZATIONS_PERMISSIONS = [
  'organizations:DescribeOrganization',
  'organizations:ListRoots',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListAccountsForParent',
  'organizations:ListTagsForResource',
  'organizations:ListPolicies',
  'organizations:DescribePolicy',
  'organizations:ListTargetsForPolicy',
  'organizations:ListDelegatedAdministrators',
  'organizations:ListDelegatedServicesForAccount',
];

/** Deterministic shard of an account: stable across runs, machines and Node versions. */
export function shardOf(accountId: string, count: number): number {
  return createHash('sha256').update(accountId).digest().readUInt32BE(0) % count;
}

/**
 * GetCallerIdentity with the chain's last credentials: runs the whole chain once, before
 * anything is written, so that an authentication failure leaves the outputs untouched.
 */
export async function authenticate(chain: CredentialChain, clients: ClientFactory, scheduler: Scheduler, region: string): Promise<CallerIdentity> {
  try {
    const out = await scheduler.run({ service: 'sts', operation: 'GetCallerIdentity', accountId: null, region, resource: null, credentials: chain.management }, () =>
      clients.sts(chain.management).send(new GetCallerIdentityCommand({})),
    );
    return { arn: out.Arn ?? '', accountId: out.Account ?? '' };
  } catch (error) {
    throw fatalAuth(error, "GetCallerIdentity with the chain's last credentials failed");
  }
}

export async function crawl(env: CrawlEnvironment): Promise<CrawlOutcome> {
  return new Crawl(env).run();
}

class Crawl implements RunnerSink, PoolHost {
  private readonly params: Parameters;
  private readonly progress: CrawlProgress;
  private readonly errorRows = new ErrorRows();
  private readonly runner: TableRunner;
  private readonly statuses = new Map<string, { promise: Promise<CrawlStatus>; resolve: (s: CrawlStatus) => void; settled: boolean }>();
  private readonly counts: Record<CrawlStatus, number> = { crawled: 0, denied: 0, 'skipped-inactive': 0, filtered: 0, error: 0, 'other-shard': 0, 'not-crawled': 0 };
  private errorCount = 0;
  private walk!: OrganizationWalk;
  private callerAccountId = '';

  constructor(private readonly env: CrawlEnvironment) {
    this.params = env.params;
    this.progress = env.progress ?? { startedAt: Date.now(), accountsTotal: 0, accountsDone: 0, errors: 0, rows: 0 };
    this.runner = new TableRunner(this, env.params, () => env.scheduler.admit());
  }

  async run(): Promise<CrawlOutcome> {
    const { params, chain, store } = this.env;
    const callerArn = this.env.caller.arn;
    this.callerAccountId = this.env.caller.accountId;
    store.setCallerArn(callerArn);
    this.env.workers?.attach(this);

    const orgContext = this.context(null, null, chain.management);
    this.walk = new OrganizationWalk(orgContext);
    orgContext.organization = this.walk;

    const orgTables = this.env.tables.filter((t) => t.scope === 'organization');
    const memberTables = this.env.tables.filter((t) => t.scope !== 'organization');
    const writesOrgTables = orgTables.length > 0 && (this.env.shard === null || this.env.shard.index === 0);
    const crawlsMembers = memberTables.length > 0 && params.member_account_role_name !== null;

    let mode: 'organization' | 'standalone' = 'standalone';
    if (writesOrgTables || crawlsMembers) mode = await this.openOrganization(orgTables.length > 0);
    if (mode === 'standalone') {
      this.walk.standalone({ Id: this.callerAccountId, State: 'ACTIVE' } satisfies Account);
    } else {
      // Failures surface through the streams the tables and the member crawl read.
      this.walk.walkTree().catch(() => undefined);
    }

    const work: Promise<void>[] = [];
    if (writesOrgTables) {
      for (const table of orgTables) {
        // Outside an organization only `accounts` has anything to say.
        if (mode === 'standalone' && table.name !== 'accounts') continue;
        work.push(this.runTable(table, orgContext, {}));
      }
    }
    // Once nothing more will be asked of Organizations, its reserved slots serve the member crawl.
    const organizationWork: Promise<unknown>[] = [...work];
    if (mode !== 'standalone') organizationWork.push(this.walk.walkTree());
    void Promise.allSettled(organizationWork).then(() => this.env.scheduler.releaseReserved());
    work.push(this.crawlMembers(memberTables, crawlsMembers));
    await Promise.all(work);

    return { callerArn, callerAccountId: this.callerAccountId, mode, accounts: this.counts, errorCount: this.errorCount };
  }

  /** DescribeOrganization decides between a full organization crawl and the caller's account alone. */
  private async openOrganization(organizationsAsked: boolean): Promise<'organization' | 'standalone'> {
    try {
      await this.walk.organization();
      return 'organization';
    } catch (error) {
      const c = classified(error);
      if (c.code === 'AWSOrganizationsNotInUseException') {
        this.env.logger.warn('the account the chain ends in is not in an organization: inventorying that account alone');
        return 'standalone';
      }
      if (c.class === 'denied') {
        if (organizationsAsked) {
          throw new InventoryError('auth', `Organizations refused the chain's last role: ${c.code}: ${c.message}`, {
            awsCode: c.code,
            hint: `Grant it ${ORGANIZATIONS_PERMISSIONS.join(', ')} (it must be in the management account or a delegated administrator), or remove "organizations" from resources to inventory the caller's account alone.`,
          });
        }
        this.recordError(error, { service: 'organizations', operation: 'DescribeOrganization', accountId: null, region: this.params.region, resource: null });
        this.env.logger.warn(`Organizations is not readable (${c.code}): inventorying the account the chain ends in alone`);
        return 'standalone';
      }
      if (c.class === 'auth' || c.class === 'config') throw unwrap(error);
      throw new InventoryError('internal', `DescribeOrganization failed: ${c.code}: ${c.message}`, { awsCode: c.code, cause: error });
    }
  }

  /** Every account found by the walk gets a crawl status; the ones to crawl are crawled. */
  private async crawlMembers(memberTables: readonly TableDeclaration[], crawlsMembers: boolean): Promise<void> {
    const accountPool = pLimit(Math.max(2, this.params.concurrency));
    const crawls: Promise<void>[] = [];
    const onlyCaller = memberTables.length > 0 && this.params.member_account_role_name === null;
    const started = new Set<string>();
    try {
      for await (const node of this.walk.accounts) {
        const id = node.account.Id ?? '';
        const decided = this.decide(node, memberTables.length > 0, crawlsMembers, onlyCaller);
        if (decided !== null) {
          this.settle(id, decided);
          continue;
        }
        this.progress.accountsTotal += 1;
        started.add(id);
        const crawled = accountPool(() => this.crawlAccount(id, memberTables)).then((status) => {
          this.progress.accountsDone += 1;
          this.settle(id, status);
        });
        // A failure that stops the run may come while the walk still lists accounts; Promise.all below reports it.
        crawled.catch(() => undefined);
        crawls.push(crawled);
      }
      if (this.walk.inUse && crawlsMembers) this.retireDepartedAccounts(memberTables);
      this.env.workers?.walkDone();
    } catch (error) {
      this.env.workers?.walkDone();
      this.recordError(error, { service: 'organizations', operation: 'ListAccountsForParent', accountId: null, region: this.params.region, resource: null });
    }
    // Outside the walk (it failed, or the caller is not in the organization it lists), the
    // account the chain ends in is still crawled when only it was asked for.
    if (onlyCaller && !started.has(this.callerAccountId)) {
      crawls.push(this.crawlAccount(this.callerAccountId, memberTables).then((status) => this.settle(this.callerAccountId, status)));
    }
    await Promise.all(crawls);
    for (const [id, entry] of this.statuses) if (!entry.settled) this.settle(id, 'not-crawled');
  }

  /**
   * An account that has left the organization is never crawled again: once the walk has listed
   * every account, its stored slices are complete with nothing seen, so its rows are marked
   * deleted. (Accounts still in the organization but filtered, inactive or in another shard keep
   * their rows as they were.)
   */
  private retireDepartedAccounts(tables: readonly TableDeclaration[]): void {
    const present = new Set<string>();
    for (const node of this.walk.accounts.snapshot()) if (node.account.Id) present.add(node.account.Id);
    for (const table of tables) {
      for (const scope of this.env.store.storedScopes?.(table) ?? []) {
        if (scope.accountId !== undefined && !present.has(scope.accountId)) this.env.store.completeScope(table, scope);
      }
    }
  }

  private decide(node: AccountNode, hasMemberTables: boolean, crawlsMembers: boolean, onlyCaller: boolean): CrawlStatus | null {
    const id = node.account.Id ?? '';
    const p = this.params;
    if (!hasMemberTables) return 'not-crawled';
    if (onlyCaller) return id === this.callerAccountId ? null : 'not-crawled';
    if (!crawlsMembers) return 'not-crawled';
    if (p.include_accounts !== null && !p.include_accounts.includes(id)) return 'filtered';
    if (p.exclude_accounts !== null && p.exclude_accounts.includes(id)) return 'filtered';
    if (p.include_organizational_units !== null && !node.parent.pathIds.some((ouId) => p.include_organizational_units?.includes(ouId))) return 'filtered';
    if (this.env.shard !== null && shardOf(id, this.env.shard.count) !== this.env.shard.index) return 'other-shard';
    const state = node.account.State ?? node.account.Status;
    if (state !== undefined && state !== 'ACTIVE') return 'skipped-inactive';
    return null;
  }

  /** The account's credentials: the chain's own for the account it ends in, the member role's otherwise. */
  credentialsFor(accountId: string): RefreshingProvider {
    return accountId === this.callerAccountId ? this.env.chain.management : this.env.chain.member(accountId);
  }

  private async crawlAccount(accountId: string, tables: readonly TableDeclaration[]): Promise<CrawlStatus> {
    const credentials = this.credentialsFor(accountId);
    try {
      await credentials();
    } catch (error) {
      const roleArn = memberRoleArn(this.env.chain.partition, accountId, this.params.member_account_role_name ?? '');
      const c = this.recordError(error, { service: 'sts', operation: 'AssumeRole', accountId, region: this.params.region, resource: roleArn });
      this.env.logger.warn({ accountId, errorCode: c.code }, `cannot assume ${roleArn}: ${c.code}; account skipped`);
      return c.class === 'denied' ? 'denied' : 'error';
    }
    const regions = await this.regionsOf(accountId, credentials);
    const runs: Promise<boolean>[] = [];
    for (const table of tables) {
      if (table.scope === 'account') {
        runs.push(this.runTableReporting(table, this.context(accountId, null, credentials), { accountId }));
      } else {
        for (const region of regions) runs.push(this.runTableReporting(table, this.context(accountId, region, credentials), { accountId, region }));
      }
    }
    const complete = await Promise.all(runs);
    return complete.every(Boolean) ? 'crawled' : 'error';
  }

  /** `regions: "all"` ⇒ the regions enabled for the account (account:ListRegions). */
  private async regionsOf(accountId: string, credentials: RefreshingProvider): Promise<string[]> {
    if (this.params.regions !== 'all') return this.params.regions;
    const meta: CallMeta = { service: 'account', operation: 'ListRegions', accountId, region: this.params.region, resource: null, credentials };
    try {
      const regions: string[] = [];
      const client = this.env.clients.account(credentials);
      for await (const page of pages((NextToken) =>
        this.call(meta, () => client.send(new ListRegionsCommand({ RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'], MaxResults: 50, NextToken }))),
      )) {
        for (const r of page.Regions ?? []) if (r.RegionName) regions.push(r.RegionName);
      }
      return [...new Set(regions)].sort();
    } catch (error) {
      const c = this.recordError(error, meta);
      this.env.logger.warn({ accountId }, `cannot list the enabled regions of ${accountId} (${c.code}; grant account:ListRegions): crawling ${this.params.region} only`);
      return [this.params.region];
    }
  }

  private async runTableReporting(table: TableDeclaration, ctx: TargetContext, scope: ScopeKey): Promise<boolean> {
    const workers = this.env.workers;
    // Member targets are spread over the crawl workers and this thread; the organization stays here.
    if (workers && ctx.accountId !== null && table.scope !== 'organization') return workers.run(table, ctx.accountId, ctx.region, scope, () => this.runner.run(table, ctx, scope));
    return this.runner.run(table, ctx, scope);
  }

  private async runTable(table: TableDeclaration, ctx: TargetContext, scope: ScopeKey): Promise<void> {
    await this.runner.run(table, ctx, scope);
  }

  // RunnerSink: rows and finished slices go straight to the store.
  upsert(table: TableDeclaration, row: Row, unknownColumns: string[] | null): void {
    this.env.store.upsert(table, row, unknownColumns !== null ? { unknownColumns } : undefined);
    this.progress.rows += 1;
  }

  completeScope(table: TableDeclaration, scope: ScopeKey): void {
    this.env.store.completeScope(table, scope);
  }

  private context(accountId: string | null, region: string | null, credentials: RefreshingProvider): TargetContext {
    const { clients, chain, scheduler, logger } = this.env;
    return targetContext(
      { clients, scheduler, partition: chain.partition, homeRegion: this.params.region, logger, organization: this.walk, memberCrawlStatus: (id) => this.statusOf(id).promise },
      accountId,
      region,
      credentials,
    );
  }

  private call<T>(meta: CallMeta, fn: () => Promise<T>): Promise<T> {
    return this.env.scheduler.run(meta, fn);
  }

  /** One error row per failure (a failure read by several consumers is recorded once). */
  recordError(error: unknown, fallback: ErrorMeta): ClassifiedError {
    const { classified: c, row } = this.errorRows.rowOf(error, fallback);
    if (row !== null) this.recordErrorRow(row);
    return c;
  }

  /** An error row decided here or by a crawl worker. */
  recordErrorRow(row: ErrorRow): void {
    this.env.store.recordError(row);
    this.errorCount += 1;
    this.progress.errors += 1;
    this.env.logger.debug({ ...row }, `${row.service}:${row.operation} failed: ${row.errorCode}`);
  }

  private statusOf(accountId: string) {
    let entry = this.statuses.get(accountId);
    if (!entry) {
      let resolve!: (s: CrawlStatus) => void;
      const promise = new Promise<CrawlStatus>((r) => (resolve = r));
      entry = { promise, resolve, settled: false };
      this.statuses.set(accountId, entry);
    }
    return entry;
  }

  private settle(accountId: string, status: CrawlStatus): void {
    const entry = this.statusOf(accountId);
    if (entry.settled) return;
    entry.settled = true;
    this.counts[status] += 1;
    // The shard that owns the account speaks for it when the shards are merged.
    if (status !== 'other-shard') this.env.store.recordAccountCrawl(accountId, status);
    entry.resolve(status);
  }
}

function fatalAuth(error: unknown, what: string): unknown {
  const inner = unwrap(error);
  if (inner instanceof InventoryError) return inner;
  const c = classified(error);
  return new InventoryError('auth', `${what}: ${c.code}: ${c.message}`, { awsCode: c.code, cause: error });
}
