/**
 * The Organizations extractor through the real pipeline against the simulated organization:
 * every column against the simulator's model, tree paths, the minimum number of calls, and
 * survival under a TooManyRequestsException storm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimTag } from '../../src/simulator/index.js';
import { crawlFixture } from '../helpers/harness.js';
import type { CrawlFixture } from '../helpers/harness.js';

type DbRow = Record<string, string | number | null>;
const tagsOf = (tags: SimTag[]) => JSON.stringify(Object.fromEntries([...tags].sort((a, b) => a.Key.localeCompare(b.Key)).map((t) => [t.Key, t.Value])));
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');

describe('the Organizations extractor on a 4-level tree with 60 accounts', () => {
  let f: CrawlFixture;
  let rows: (table: string) => DbRow[];
  let result: Awaited<ReturnType<CrawlFixture['run']>>;
  beforeAll(async () => {
    f = await crawlFixture({ accounts: 60, ouDepth: 4, ouBreadth: 2, queuesPerAccount: 0, bucketsPerAccount: 0, emptyPageEvery: 3 }, { resources: ['organizations'] });
    result = await f.run();
    const db = f.db();
    rows = (table) => db.prepare(`select * from ${table} order by 1, 2`).all() as DbRow[];
  }, 60_000);
  afterAll(async () => f.close());

  it('completes without errors', () => {
    expect(result.summary.errorCount).toBe(0);
    expect(result.exitCode).toBe(0);
  });

  it('writes the organization row from DescribeOrganization', () => {
    const org = f.sim.org;
    expect(rows('organization')).toEqual([
      {
        id: org.organizationId,
        arn: org.arn,
        feature_set: org.featureSet,
        management_account_id: org.managementAccountId,
        management_account_arn: org.accounts.get(org.managementAccountId)?.arn,
        management_account_email: org.managementAccountEmail,
        first_seen_run: 1,
        last_seen_run: 1,
        deleted_run: null,
      },
    ]);
  });

  it('writes the root with its policy types and tags', () => {
    const root = f.sim.org.root;
    const [row] = rows('organization_roots');
    expect(row).toMatchObject({ id: root.id, arn: root.arn, name: root.name, tags: tagsOf(root.tags) });
    const types = JSON.parse(String(row?.policy_types)) as Array<{ type: string; status: string }>;
    expect(types).toEqual([...root.policyTypes].sort((a, b) => a.Type.localeCompare(b.Type)).map((t) => ({ status: t.Status, type: t.Type })));
  });

  it('writes every OU with its parent, path, depth and tags', () => {
    const org = f.sim.org;
    const ous = rows('organizational_units');
    expect(ous).toHaveLength(org.organizationalUnits.size);
    expect(Math.max(...ous.map((o) => Number(o.depth)))).toBe(4);
    const pathOf = (id: string): { ids: string[]; names: string[] } => {
      if (id === org.root.id) return { ids: [id], names: [org.root.name] };
      const ou = org.organizationalUnits.get(id);
      if (!ou) throw new Error(`unknown parent ${id}`);
      const parent = pathOf(ou.parentId);
      return { ids: [...parent.ids, id], names: [...parent.names, ou.name] };
    };
    for (const row of ous) {
      const ou = org.organizationalUnits.get(String(row.id));
      expect(ou, `OU ${row.id} is in the simulator`).toBeDefined();
      if (!ou) continue;
      const p = pathOf(ou.id);
      expect(row).toMatchObject({ arn: ou.arn, name: ou.name, parent_id: ou.parentId, path_ids: p.ids.join('/'), path_names: p.names.join('/'), depth: p.ids.length - 1, tags: tagsOf(ou.tags) });
    }
  });

  it('writes every account with its parent, OU path, state and tags, and no ListParents call', () => {
    const org = f.sim.org;
    const accounts = rows('accounts');
    expect(accounts).toHaveLength(61);
    const ouPath = (parentId: string): string[] => (parentId === org.root.id ? [parentId] : [...ouPath(org.organizationalUnits.get(parentId)?.parentId ?? ''), parentId]);
    for (const row of accounts) {
      const a = org.accounts.get(String(row.id));
      expect(a, `account ${row.id} is in the simulator`).toBeDefined();
      if (!a) continue;
      expect(row).toMatchObject({
        arn: a.arn,
        name: a.name,
        email: a.email,
        state: a.state,
        status: a.state === 'PENDING_CLOSURE' ? 'PENDING_CLOSURE' : a.state,
        joined_method: a.joinedMethod,
        joined_timestamp: iso(a.joinedTimestamp),
        parent_id: a.parentId,
        ou_path_ids: ouPath(a.parentId).join('/'),
        is_management_account: a.id === org.managementAccountId ? 1 : 0,
        tags: tagsOf(a.tags),
        crawl_status: 'not-crawled',
      });
    }
    expect(f.sim.counters().byOperation.organizations?.ListParents ?? 0).toBe(0);
  });

  it('writes every policy of the enabled types, with content, and every attachment', () => {
    const org = f.sim.org;
    const enabled = new Set(org.root.policyTypes.filter((t) => t.Status === 'ENABLED').map((t) => t.Type));
    const expected = [...org.policies.values()].filter((p) => enabled.has(p.type));
    const policies = rows('policies');
    expect(policies.map((p) => p.id).sort()).toEqual(expected.map((p) => p.id).sort());
    for (const p of expected) {
      const row = policies.find((r) => r.id === p.id);
      expect(row).toMatchObject({ arn: p.arn, name: p.name, type: p.type, aws_managed: p.awsManaged ? 1 : 0, description: p.description });
      expect(JSON.parse(String(row?.content))).toEqual(JSON.parse(p.content));
    }
    const targets = rows('policy_targets');
    expect(targets.map((t) => `${t.policy_id}>${t.target_id}`).sort()).toEqual(expected.flatMap((p) => p.targets.map((t) => `${p.id}>${t}`)).sort());
    for (const t of targets) expect(['ROOT', 'ORGANIZATIONAL_UNIT', 'ACCOUNT']).toContain(t.target_type);
  });

  it('writes the delegated administrators', () => {
    const org = f.sim.org;
    const delegated = rows('delegated_administrators');
    expect(delegated.map((d) => `${d.account_id}/${d.service_principal}`).sort()).toEqual(org.delegatedAdministrators.map((d) => `${d.accountId}/${d.servicePrincipal}`).sort());
    for (const d of org.delegatedAdministrators) {
      expect(delegated.find((r) => r.account_id === d.accountId && r.service_principal === d.servicePrincipal)).toMatchObject({ delegation_enabled_date: iso(d.delegationEnabledDate), account_name: org.accounts.get(d.accountId)?.name });
    }
  });

  it('makes exactly the minimum number of Organizations calls for the tree', () => {
    const org = f.sim.org;
    const calls = f.sim.counters().byOperation.organizations ?? {};
    const pagesOf = (n: number) => Math.max(1, Math.ceil(n / 20));
    const parents = [org.root.id, ...org.organizationalUnits.keys()];
    // Empty pages that still carry a token are part of the minimum: AWS decides them, not us.
    const emptyPages = f.sim.counters().faults.emptyPage ?? 0;
    const enabled = org.root.policyTypes.filter((t) => t.Status === 'ENABLED').map((t) => t.Type);
    const policies = [...org.policies.values()].filter((p) => enabled.includes(p.type));
    const admins = [...new Set(org.delegatedAdministrators.map((d) => d.accountId))];
    const expected =
      1 + // DescribeOrganization
      1 + // ListRoots
      parents.reduce((n, id) => n + pagesOf(org.childOrganizationalUnits(id).length) + pagesOf(org.childAccountsOf(id).length), 0) +
      (1 + org.organizationalUnits.size + org.accounts.size) + // ListTagsForResource: root, OUs, accounts (tags fit one page)
      enabled.reduce((n, type) => n + pagesOf([...org.policies.values()].filter((p) => p.type === type).length), 0) +
      policies.length + // DescribePolicy
      policies.reduce((n, p) => n + pagesOf(p.targets.length), 0) + // ListTargetsForPolicy
      pagesOf(admins.length) +
      admins.length; // ListDelegatedServicesForAccount (one page each)
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    expect(total).toBe(expected + emptyPages);
  });
});

describe('the Organizations extractor under a TooManyRequestsException storm', () => {
  it('finishes with zero errors when 30% of Organizations calls are throttled', async () => {
    const f = await crawlFixture({ accounts: 20, ouDepth: 3, ouBreadth: 2, queuesPerAccount: 0, bucketsPerAccount: 0 }, { resources: ['organizations'], max_attempts: 10 });
    try {
      f.sim.faults.throttleRate = { organizations: 0.3 };
      const result = await f.run();
      expect(f.sim.counters().faults.throttled ?? 0).toBeGreaterThan(10);
      expect(result.summary.errorCount).toBe(0);
      expect(result.summary.rows.accounts).toBe(21);
      expect(result.summary.rows.organizational_units).toBe(f.sim.org.organizationalUnits.size);
    } finally {
      await f.close();
    }
  }, 120_000);
});
