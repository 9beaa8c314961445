/**
 * Which accounts and regions a crawl covers, and what happens at the edges: filters, inactive
 * accounts, `regions: "all"`, an organization not in use, Organizations denied.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runInventory } from '../../src/crawl/run.js';
import { InventoryError } from '../../src/errors/inventoryError.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { collectLogs, parametersFor } from '../helpers/harness.js';

const running: RunningSimulator[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()?.close();
});
async function sim(options: Parameters<typeof startSimulator>[0]) {
  const s = await startSimulator(options);
  running.push(s);
  return s;
}
function query<T = Record<string, unknown>>(file: string | null, sql: string, ...args: unknown[]): T[] {
  const db = new Database(file ?? '', { readonly: true });
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
}

describe('crawl scope', () => {
  it('crawls only included accounts and OU subtrees, never excluded or inactive ones, and says why in crawl_status', async () => {
    const s = await sim({ accounts: 12, ouDepth: 2, ouBreadth: 2, queuesPerAccount: 1, bucketsPerAccount: 1, regions: ['us-east-1'] });
    const members = [...s.org.accounts.values()].filter((a) => a.id !== s.managementAccountId);
    const suspended = members.find((a) => a.state !== 'ACTIVE');
    const ou = [...s.org.organizationalUnits.values()][0];
    if (!ou) throw new Error('no OU');
    const inSubtree = (parentId: string): boolean => parentId === ou.id || (s.org.organizationalUnits.get(parentId) !== undefined && inSubtree(s.org.organizationalUnits.get(parentId)?.parentId ?? ''));
    const excluded = members.find((a) => a.state === 'ACTIVE' && inSubtree(a.parentId));
    const params = parametersFor(s, { include_organizational_units: [ou.id], exclude_accounts: excluded ? [excluded.id] : null });
    const result = await runInventory({ params, logger: collectLogs().logger, progress: 'none' });
    const statuses = Object.fromEntries(query<{ id: string; crawl_status: string }>(result.sqlitePath, 'select id, crawl_status from accounts').map((r) => [r.id, r.crawl_status]));
    for (const a of s.org.accounts.values()) {
      const expected = !inSubtree(a.parentId) || a.id === excluded?.id ? 'filtered' : a.state !== 'ACTIVE' ? 'skipped-inactive' : 'crawled';
      expect(statuses[a.id], `${a.id} (${a.state}, under ${a.parentId})`).toBe(expected);
    }
    const crawledIds = new Set(query<{ account_id: string }>(result.sqlitePath, 'select distinct account_id from sqs_queues').map((r) => r.account_id));
    expect([...crawledIds].sort()).toEqual(Object.entries(statuses).filter(([, v]) => v === 'crawled').map(([k]) => k).sort());
    if (suspended) expect(s.counters().assumeRoleByAccount[suspended.id] ?? 0).toBe(0);
  });

  it('with regions "all" crawls the regions each account has enabled, and falls back to the home region when ListRegions is denied', async () => {
    const s = await sim({ accounts: 3, queuesPerAccount: 6, bucketsPerAccount: 0, regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] });
    const [a, b] = [...s.org.accounts.keys()].filter((id) => id !== s.managementAccountId);
    if (!a || !b) throw new Error('need two members');
    s.faults.regionsNotEnabled = { [a]: ['ap-southeast-2'] };
    s.faults.deny = [{ account: b, service: 'account', operation: 'ListRegions' }];
    const params = parametersFor(s, { regions: 'all' });
    const result = await runInventory({ params, logger: collectLogs().logger, progress: 'none' });
    const regionsOf = (id: string) => query<{ region: string }>(result.sqlitePath, 'select distinct region from sqs_queues where account_id = ? order by 1', id).map((r) => r.region);
    expect(regionsOf(a)).toEqual(['eu-west-1', 'us-east-1']);
    expect(regionsOf(b)).toEqual(['us-east-1']);
    expect(regionsOf(s.managementAccountId)).toEqual(['ap-southeast-2', 'eu-west-1', 'us-east-1']);
    const errors = query<Record<string, string>>(result.sqlitePath, 'select * from errors');
    expect(errors).toEqual([expect.objectContaining({ account_id: b, service: 'account', operation: 'ListRegions', error_code: 'AccessDeniedException' })]);
    expect(result.exitCode).toBe(1);
  });

  it('inventories the caller’s account alone, with a warning, outside an organization', async () => {
    const s = await sim({ accounts: 2, queuesPerAccount: 2, bucketsPerAccount: 1, regions: ['us-east-1'] });
    s.faults.organizationsNotInUse = true;
    const logs = collectLogs();
    const result = await runInventory({ params: parametersFor(s), logger: logs.logger, progress: 'none' });
    expect(result.exitCode).toBe(0);
    expect(result.outcome.mode).toBe('standalone');
    expect(query(result.sqlitePath, 'select id, crawl_status, tags from accounts')).toEqual([{ id: s.managementAccountId, crawl_status: 'crawled', tags: null }]);
    expect(query(result.sqlitePath, 'select count(*) n from organizational_units')).toEqual([{ n: 0 }]);
    expect(query<{ account_id: string }>(result.sqlitePath, 'select distinct account_id from sqs_queues').map((r) => r.account_id)).toEqual([s.managementAccountId]);
    expect(logs.lines.some((l) => l.includes('not in an organization'))).toBe(true);
  });

  it('stops with exit 3 naming the missing permissions when Organizations is denied, unless organizations is not asked for', async () => {
    const s = await sim({ accounts: 2, queuesPerAccount: 1, bucketsPerAccount: 0, regions: ['us-east-1'] });
    s.faults.deny = [{ service: 'organizations' }];
    const error = (await runInventory({ params: parametersFor(s), logger: collectLogs().logger, progress: 'none' }).catch((e: unknown) => e)) as InventoryError;
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.kind).toBe('auth');
    expect(error.hint).toContain('organizations:ListAccountsForParent');

    const result = await runInventory({ params: parametersFor(s, { resources: ['sqs'] }), logger: collectLogs().logger, progress: 'none' });
    expect(result.outcome.mode).toBe('standalone');
    expect(query<{ account_id: string }>(result.sqlitePath, 'select distinct account_id from sqs_queues').map((r) => r.account_id)).toEqual([s.managementAccountId]);
  });

  it('with member_account_role_name null crawls only the account the chain ends in, with no member AssumeRole', async () => {
    const s = await sim({ accounts: 3, queuesPerAccount: 2, bucketsPerAccount: 1, regions: ['us-east-1'], trackRepeats: true });
    // Without the accounts table too: then nothing but the crawl itself tracks the account.
    await runInventory({ params: parametersFor(s, { member_account_role_name: null, resources: ['sqs', 's3'] }), logger: collectLogs().logger, progress: 'none' });
    expect(s.counters().repeated, 'the account the chain ends in is crawled once').toEqual({});
    s.resetCounters();
    const result = await runInventory({ params: parametersFor(s, { member_account_role_name: null }), logger: collectLogs().logger, progress: 'none' });
    expect(s.counters().repeated).toEqual({});
    expect(result.exitCode).toBe(0);
    expect(query<{ account_id: string }>(result.sqlitePath, 'select distinct account_id from sqs_queues').map((r) => r.account_id)).toEqual([s.managementAccountId]);
    expect(s.counters().assumeRole).toBe(1); // the chain's one hop
    expect(query<{ n: number }>(result.sqlitePath, "select count(*) n from accounts where crawl_status = 'not-crawled'")[0]?.n).toBe(3);
  });
});
