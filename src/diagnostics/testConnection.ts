/**
 * `test-connection`: what the crawl will do, tried once, like a connector's "Test Connection"
 * button. It runs the chain hop by hop, then makes one of each call the crawl makes: the
 * Organizations calls with the chain's last credentials, then — in one member account (the first
 * ACTIVE one, or `--account`) through its member role, in the home region — the listing and every
 * per-item call of each member table, on one item, taken from the table declarations themselves
 * (so a call added to a table is checked without touching this file). Each check is one line: the
 * IAM action, the resource, PASS or FAIL with AWS's own answer and, when denied, the grant that
 * fixes it. Every check passing exits 0; any failure exits 3 and lists the failed checks.
 */
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsForParentCommand,
  ListDelegatedAdministratorsCommand,
  ListDelegatedServicesForAccountCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  ListTargetsForPolicyCommand,
} from '@aws-sdk/client-organizations';
import type { Account, Root } from '@aws-sdk/client-organizations';
import { ListRegionsCommand } from '@aws-sdk/client-account';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { ClientFactory } from '../aws/clientFactory.js';
import { endpointFor } from '../aws/endpoints.js';
import { iamActionFor } from '../aws/iamActions.js';
import { defaultRequestHandler } from '../aws/httpHandler.js';
import { classifyError } from '../errors/classify.js';
import { fixFor } from '../errors/errorFix.js';
import { ExitCode, InventoryError, configError } from '../errors/inventoryError.js';
import type { ExitCodeValue } from '../errors/inventoryError.js';
import type { Logger } from '../log/logger.js';
import type { Parameters } from '../parameters/schema.js';
import { buildCredentialChain } from '../auth/assumeRoleChain.js';
import type { CredentialChain } from '../auth/assumeRoleChain.js';
import { accountOfArn, memberRoleArn } from '../auth/partition.js';
import type { RefreshingProvider } from '../auth/refreshingProvider.js';
import { checkRolesAnywhere } from '../auth/rolesAnywhere/connectionCheck.js';
import type { TargetContext } from '../crawl/context.js';
import type { OrganizationWalk } from '../crawl/organizationWalk.js';
import { CallError, Scheduler } from '../crawl/scheduler.js';
import type { Row, TableDeclaration } from '../crawl/table.js';
import { classified as classifiedOf, targetContext } from '../crawl/tableRunner.js';
import { tablesFor } from '../tables/index.js';

export interface ConnectionCheck {
  step: string;
  status: 'PASS' | 'FAIL' | 'SKIP';
  detail: string;
  errorCode?: string;
  /** What to do about a failure (for a denied call: the grant that fixes it). */
  hint?: string;
  /** The IAM action the step needs, and the resource it was tried on. */
  action?: string;
  resource?: string;
  /** Caller ARN after an authentication step. */
  arn?: string;
  /** Expiry of the step's credentials (ISO-8601), when temporary. */
  expiration?: string;
}

export interface ConnectionReport {
  checks: ConnectionCheck[];
  /** The steps that failed, in order. */
  failed: string[];
  /** The account whose member-account checks ran, if any. */
  memberAccount: string | null;
  exitCode: ExitCodeValue;
}

export interface TestConnectionOptions {
  /** The member account to check (`--account`); default the first ACTIVE one. */
  account?: string | null;
}

/** The fix for first credentials or a chain hop that failed, worded where every fix is. */
function authHint(code: string): string {
  return fixFor({ errorCode: code, service: 'sts', operation: 'AssumeRole', step: 'chain-role' });
}

/** The organization walk is not needed here: the member tables' steps do not read it. */
const NO_WALK = new Proxy({} as OrganizationWalk, {
  get() {
    throw new Error('test-connection checks member tables only: the organization walk is not available');
  },
});

/** One test-connection session: the chain, clients that retry as the crawl's do, and the checks so far. */
class Checker {
  readonly checks: ConnectionCheck[] = [];
  readonly clients: ClientFactory;
  readonly scheduler: Scheduler;

  constructor(
    readonly params: Parameters,
    readonly chain: CredentialChain,
    readonly logger: Logger,
    clients: ClientFactory,
  ) {
    this.clients = clients;
    // Few requests, one after another: the crawl's retries, none of its parallelism.
    this.scheduler = new Scheduler({ concurrency: 4, maxAttempts: params.max_attempts });
  }

  context(accountId: string | null, region: string | null, credentials: RefreshingProvider): TargetContext {
    return targetContext(
      {
        clients: this.clients,
        scheduler: this.scheduler,
        partition: this.chain.partition,
        homeRegion: this.params.region,
        logger: this.logger,
        organization: NO_WALK,
        memberCrawlStatus: () => Promise.reject(new Error('no member crawl in test-connection')),
      },
      accountId,
      region,
      credentials,
    );
  }

  /** Who `provider` is (GetCallerIdentity): PASS with the ARN, or FAIL with the reason. */
  async identity(step: string, provider: RefreshingProvider, extra: Partial<ConnectionCheck> = {}): Promise<string | null> {
    try {
      const out = await this.clients.sts(provider).send(new GetCallerIdentityCommand({}));
      const credentials: AwsCredentialIdentity | undefined = provider.peek();
      const expiration = credentials?.expiration?.toISOString();
      this.checks.push({
        step,
        status: 'PASS',
        detail: `${out.Arn ?? '?'}${expiration ? ` (credentials expire ${expiration})` : ''}`,
        ...extra,
        ...(out.Arn ? { arn: out.Arn } : {}),
        ...(expiration ? { expiration } : {}),
      });
      return out.Arn ?? '';
    } catch (error) {
      const inner = error instanceof InventoryError ? error : null;
      const c = classifyError(error);
      const code = inner?.awsCode ?? c.code;
      this.checks.push({ step, status: 'FAIL', detail: inner ? inner.message : `${code}: ${c.message}`, errorCode: code, hint: inner?.hint ?? authHint(code), ...extra });
      return null;
    }
  }

  /**
   * One call the crawl makes, as one check: PASS with what it found, or FAIL with AWS's answer
   * and, when denied, the grant to `principal` that fixes it. "Not configured" answers pass.
   */
  async call<T>(call: string, given: string, principal: string, send: () => Promise<T>, describe: (out: T) => string): Promise<T | undefined> {
    let action = iamActionFor(call);
    let resource = given;
    try {
      const out = await send();
      this.checks.push({ step: `${action} on ${resource}`, status: 'PASS', detail: describe(out), action, resource });
      return out;
    } catch (error) {
      // A listing makes other calls too (S3 looks up a bucket's region): name the one refused.
      if (error instanceof CallError && `${error.meta.service}:${error.meta.operation}` !== call) {
        action = iamActionFor(`${error.meta.service}:${error.meta.operation}`);
        resource = error.meta.service === 's3' && error.meta.resource !== null ? `arn:${this.chain.partition}:s3:::${error.meta.resource}` : (error.meta.resource ?? given);
      }
      const step = `${action} on ${resource}`;
      const c = classifiedOf(error);
      if (c.class === 'absent' || c.class === 'gone') {
        this.checks.push({ step, status: 'PASS', detail: `${c.code}: not configured (the column is empty, as in the crawl)`, action, resource });
        return undefined;
      }
      if (c.code === 'AWSOrganizationsNotInUseException') {
        this.checks.push({ step, status: 'PASS', detail: `${c.code}: the account is not in an organization; the crawl inventories it alone`, action, resource });
        return undefined;
      }
      const hint =
        c.class === 'denied'
          ? `grant ${action} on ${resource} to ${principal}`
          : c.class === 'auth' || c.class === 'config'
            ? ((error as { cause?: { hint?: string } }).cause?.hint ?? authHint(c.code))
            : `AWS answered ${c.code}; the crawl would record it as an error row and go on`;
      this.checks.push({ step, status: 'FAIL', detail: `${c.code}: ${c.message}`, errorCode: c.code, hint, action, resource });
      return undefined;
    }
  }

  skip(call: string, resource: string, why: string): void {
    const action = iamActionFor(call);
    this.checks.push({ step: `${action} on ${resource}`, status: 'SKIP', detail: why, action, resource });
  }
}

export async function testConnection(params: Parameters, logger: Logger, options: TestConnectionOptions = {}): Promise<ConnectionReport> {
  const requestHandler = defaultRequestHandler(params);
  try {
    return await check(params, logger, options, requestHandler);
  } finally {
    requestHandler.destroy();
  }
}

async function check(params: Parameters, logger: Logger, options: TestConnectionOptions, requestHandler: ReturnType<typeof defaultRequestHandler>): Promise<ConnectionReport> {
  const chain = buildCredentialChain({ params, logger, requestHandler });
  const checker = new Checker(params, chain, logger, new ClientFactory(params, requestHandler));
  const { checks } = checker;
  const report = (memberAccount: string | null): ConnectionReport => {
    const failed = checks.filter((c) => c.status === 'FAIL').map((c) => c.step);
    return { checks, failed, memberAccount, exitCode: failed.length > 0 ? ExitCode.auth : ExitCode.succeeded };
  };
  if (params.authentication_type === 'roles_anywhere' && params.roles_anywhere !== null) {
    const endpoint = endpointFor(params, 'rolesanywhere');
    const ra = await checkRolesAnywhere(params.roles_anywhere, { ...(endpoint !== undefined ? { endpoint } : {}), requestHandler });
    checks.push(...ra.checks);
    if (ra.session === null) return report(null);
  }

  // The chain, hop by hop.
  const firstLabel = params.authentication_type === 'roles_anywhere' ? 'first credentials (IAM Roles Anywhere)' : params.access_key_id !== null ? 'first credentials (access keys)' : 'first credentials (default provider chain)';
  let callerArn = await checker.identity(firstLabel, chain.first);
  for (const hop of chain.hops) {
    if (callerArn === null) {
      checks.push({ step: `assume ${hop.roleArn}`, status: 'SKIP', detail: 'an earlier hop failed' });
      continue;
    }
    callerArn = await checker.identity(`assume ${hop.roleArn} (ExternalId ${params.assume_external_id === null ? 'none' : 'set'})`, hop.provider, { action: 'sts:AssumeRole', resource: hop.roleArn });
    const last = checks.at(-1);
    if (last !== undefined) last.step = `${last.step}, ${hop.durationSeconds} s`;
  }
  if (callerArn === null) return report(null);
  const callerAccount = accountOfArn(callerArn) ?? '';
  // Who a missing permission is to be granted to: the chain's last role as written (with its path).
  const chainPrincipal = chain.hops.at(-1)?.roleArn ?? callerArn;

  const memberTables = tablesFor(params.resources).filter((t) => t.scope !== 'organization');
  const organization = params.resources.includes('organizations') || (memberTables.length > 0 && params.member_account_role_name !== null);
  let found: string | null = null;
  if (organization) found = await checkOrganization(checker, chainPrincipal, callerAccount, options.account ?? null);

  let memberAccount: string | null = null;
  if (memberTables.length > 0) {
    memberAccount = options.account ?? found ?? callerAccount;
    await checkMemberAccount(checker, memberTables, memberAccount, callerAccount, chainPrincipal);
  }

  if (params.publish !== null) {
    const { checkPublishing } = await import('../publish/checkPublishing.js');
    checks.push(...(await checkPublishing(params, params.publish, chain, logger, requestHandler)));
  }
  return report(memberAccount);
}

/**
 * The Organizations calls of the crawl with the chain's last credentials. Resolves with the first
 * ACTIVE account other than the chain's own (the member account to check), when one is found.
 */
async function checkOrganization(checker: Checker, principal: string, callerAccount: string, wanted: string | null): Promise<string | null> {
  const { params, chain } = checker;
  const org = checker.context(null, null, chain.management).organizations();
  const described = await checker.call('organizations:DescribeOrganization', '*', principal, () => org.send(new DescribeOrganizationCommand({})), (out) => `organization ${out.Organization?.Id ?? '?'}, management account ${out.Organization?.MasterAccountId ?? '?'}`);
  if (described?.Organization === undefined) {
    const last = checker.checks.at(-1);
    if (last?.status === 'FAIL') checker.checks.push({ step: 'the other Organizations calls', status: 'SKIP', detail: 'Organizations refused DescribeOrganization' });
    return null;
  }
  const orgId = described.Organization.Id ?? '?';
  const management = described.Organization.MasterAccountId ?? callerAccount;
  const accountArn = (id: string) => `arn:${chain.partition}:organizations::${management}:account/${orgId}/${id}`;

  const roots = await checker.call('organizations:ListRoots', '*', principal, () => org.send(new ListRootsCommand({})), (out) => `${out.Roots?.length ?? 0} root(s)`);
  const root: Root | undefined = roots?.Roots?.[0];
  if (root?.Id === undefined) return null;
  const rootResource = root.Arn ?? root.Id;
  const ous = await checker.call('organizations:ListOrganizationalUnitsForParent', rootResource, principal, () => org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: root.Id })), (out) => `${out.OrganizationalUnits?.length ?? 0} OU(s) under ${root.Id}`);
  const underRoot = await checker.call('organizations:ListAccountsForParent', rootResource, principal, () => org.send(new ListAccountsForParentCommand({ ParentId: root.Id })), (out) => `${out.Accounts?.length ?? 0} account(s) directly under ${root.Id}`);

  // The member account to check: the first ACTIVE one found walking the tree, as the crawl would.
  let found: string | null = wanted;
  if (found === null && underRoot !== undefined) found = await firstActiveMember(checker, underRoot.Accounts ?? [], (ous?.OrganizationalUnits ?? []).flatMap((ou) => (ou.Id ? [ou.Id] : [])), callerAccount);

  if (!params.resources.includes('organizations')) return found;
  const tagged = found ?? management;
  await checker.call('organizations:ListTagsForResource', accountArn(tagged), principal, () => org.send(new ListTagsForResourceCommand({ ResourceId: tagged })), (out) => `${out.Tags?.length ?? 0} tag(s) on account ${tagged}`);

  const types = (root.PolicyTypes ?? []).filter((t) => t.Status === 'ENABLED' && t.Type !== undefined).map((t) => t.Type as string).sort();
  const policyType = types[0];
  if (policyType === undefined) {
    checker.skip('organizations:ListPolicies', '*', 'no policy type is enabled on the root: the crawl lists no policies');
  } else {
    const listed = await checker.call('organizations:ListPolicies', '*', principal, () => org.send(new ListPoliciesCommand({ Filter: policyType as never })), (out) => `${out.Policies?.length ?? 0} ${policyType} polic(ies) on the first page`);
    const policy = listed?.Policies?.[0];
    if (policy?.Id !== undefined) {
      const policyResource = policy.Arn ?? policy.Id;
      await checker.call('organizations:DescribePolicy', policyResource, principal, () => org.send(new DescribePolicyCommand({ PolicyId: policy.Id })), () => `${policy.Name ?? policy.Id}: content readable`);
      await checker.call('organizations:ListTargetsForPolicy', policyResource, principal, () => org.send(new ListTargetsForPolicyCommand({ PolicyId: policy.Id })), (out) => `${out.Targets?.length ?? 0} target(s) of ${policy.Name ?? policy.Id}`);
    }
  }
  const admins = await checker.call('organizations:ListDelegatedAdministrators', '*', principal, () => org.send(new ListDelegatedAdministratorsCommand({})), (out) => `${out.DelegatedAdministrators?.length ?? 0} delegated administrator(s)`);
  const admin = admins?.DelegatedAdministrators?.[0]?.Id;
  if (admin !== undefined) {
    await checker.call('organizations:ListDelegatedServicesForAccount', accountArn(admin), principal, () => org.send(new ListDelegatedServicesForAccountCommand({ AccountId: admin })), (out) => `${out.DelegatedServices?.length ?? 0} service(s) delegated to ${admin}`);
  }
  return found;
}

/** Breadth-first, a bounded number of calls: the first ACTIVE account that is not the chain's own. */
async function firstActiveMember(checker: Checker, underRoot: readonly Account[], ous: readonly string[], callerAccount: string): Promise<string | null> {
  const active = (accounts: readonly Account[]) => accounts.find((a) => a.Id !== undefined && a.Id !== callerAccount && (a.State ?? a.Status) === 'ACTIVE')?.Id ?? null;
  const inRoot = active(underRoot);
  if (inRoot !== null) return inRoot;
  const org = checker.context(null, null, checker.chain.management).organizations();
  const queue = [...ous];
  for (let calls = 0; queue.length > 0 && calls < 50; calls += 1) {
    const parent = queue.shift() as string;
    try {
      const accounts = await org.send(new ListAccountsForParentCommand({ ParentId: parent }));
      const hit = active(accounts.Accounts ?? []);
      if (hit !== null) return hit;
      const children = await org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent }));
      for (const ou of children.OrganizationalUnits ?? []) if (ou.Id) queue.push(ou.Id);
    } catch {
      // Reported by the calls on the root already.
      return null;
    }
  }
  return null;
}

/**
 * In one member account and the home region: its credentials (the member role, or the chain's
 * own in the chain's account), `account:ListRegions` when `regions` is "all", then for each member
 * table its listing and each per-item call on the first item listed.
 */
async function checkMemberAccount(checker: Checker, tables: readonly TableDeclaration[], accountId: string, callerAccount: string, chainPrincipal: string): Promise<void> {
  const { params, chain } = checker;
  const roleName = params.member_account_role_name;
  let credentials: RefreshingProvider;
  let principal: string;
  if (accountId === callerAccount) {
    credentials = chain.management;
    principal = chainPrincipal;
    checker.checks.push({ step: `member account ${accountId}`, status: 'PASS', detail: "the chain's own account: the crawl reads it with the chain's credentials, no member role" });
  } else if (roleName === null) {
    throw configError('--account', `member_account_role_name is null, so the crawl reads only the chain's own account ${callerAccount}, not ${accountId}.`, 'Leave out --account, or set member_account_role_name.');
  } else {
    const roleArn = memberRoleArn(chain.partition, accountId, roleName);
    credentials = chain.member(accountId);
    principal = roleArn;
    const arn = await checker.identity(`sts:AssumeRole on ${roleArn}`, credentials, { action: 'sts:AssumeRole', resource: roleArn });
    if (arn === null) {
      const last = checker.checks.at(-1);
      if (last !== undefined && last.errorCode !== undefined && /AccessDenied/.test(last.errorCode)) {
        last.hint = `let ${chainPrincipal} assume ${roleArn}: its trust policy must trust the chain's last role${params.member_account_external_id !== null ? ', and its sts:ExternalId condition match member_account_external_id' : ''}`;
      }
      checker.checks.push({ step: `the calls in member account ${accountId}`, status: 'SKIP', detail: 'its role could not be assumed' });
      return;
    }
  }

  if (params.regions === 'all') {
    const account = checker.clients.account(credentials);
    await checker.call(
      'account:ListRegions',
      '*',
      principal,
      () =>
        checker.scheduler.run({ service: 'account', operation: 'ListRegions', accountId, region: params.region, resource: null, credentials }, () =>
          account.send(new ListRegionsCommand({ RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'], MaxResults: 50 })),
        ),
      (out) => `${out.Regions?.length ?? 0} region(s) enabled${out.NextToken ? ' on the first page' : ''}`,
    );
  }
  for (const table of tables) await checkTable(checker, table, checker.context(accountId, table.scope === 'account-region' ? params.region : null, credentials), accountId, principal);
}

/** A member table's listing, then each per-item call on the first item: the calls its declaration names. */
async function checkTable(checker: Checker, table: TableDeclaration, ctx: TargetContext, accountId: string, principal: string): Promise<void> {
  const [service = ''] = table.list.call.split(':');
  const listResource = table.scope === 'account-region' ? `arn:${ctx.partition}:${service}:${ctx.region ?? ''}:${accountId}:*` : '*';
  let first: unknown;
  let row: Row | undefined;
  let listed = false;
  await checker.call(
    table.list.call,
    listResource,
    principal,
    async () => {
      for await (const item of table.list.items(ctx)) {
        first = item;
        break;
      }
      // What the listing knows of the item; throws when part of it could not be read.
      if (first !== undefined) row = table.list.row(first, ctx);
      listed = true;
    },
    () => (first === undefined ? `no ${table.name} item in ${accountId}${ctx.region ? ` ${ctx.region}` : ''}` : `first of ${table.name}: ${String(row?.name ?? '?')}`),
  );
  const where = `${accountId}${ctx.region ? ` ${ctx.region}` : ''}`;
  for (const step of table.enrich) {
    if (!listed) {
      checker.skip(step.call, `one of ${table.name}`, `${table.list.call} failed`);
      continue;
    }
    if (first === undefined) {
      checker.skip(step.call, `one of ${table.name}`, `no ${table.name} item in ${where} to try it on`);
      continue;
    }
    const item = first;
    const resource = typeof row?.arn === 'string' ? row.arn : String(row?.name ?? '?');
    await checker.call(step.call, resource, principal, () => step.run(item, ctx), () => 'readable');
  }
}

export function formatConnectionReport(report: ConnectionReport): string {
  const lines = report.checks.map((c) => {
    const fix = c.status === 'FAIL' && c.hint ? ` — fix: ${c.hint}` : '';
    return `${c.status.padEnd(4)}  ${c.step}: ${c.detail}${fix}`;
  });
  if (report.failed.length === 0) return `${lines.join('\n')}\n\nAll checks passed.`;
  const failed = report.checks.filter((c) => c.status === 'FAIL').map((c) => `  - ${c.step}${c.hint ? `: ${c.hint}` : ''}`);
  return `${lines.join('\n')}\n\n${report.failed.length} check(s) failed; the crawl would not do all it should until they pass:\n${failed.join('\n')}`;
}
