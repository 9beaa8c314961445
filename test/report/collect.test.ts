/**
 * What the report reads from a real inventory: the demo organization crawled twice with changes
 * between the runs (see reportFixture.ts), read back through the SQLite reader.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixFor } from '../../src/errors/errorFix.js';
import { collectReport } from '../../src/report/collect.js';
import type { ChangeEntry, ReportData } from '../../src/report/reportData.js';
import { openSqliteReader } from '../../src/report/sqliteReader.js';
import { tempDir } from '../helpers/harness.js';
import { policyIsPublic } from '../../src/simulator/services/s3.js';
import { reportInventory } from '../helpers/reportFixture.js';
import type { ReportInventory } from '../helpers/reportFixture.js';

let inv: ReportInventory;
let data: ReportData;

async function collect(file: string, runId: number | null = null): Promise<ReportData> {
  const reader = openSqliteReader(file);
  try {
    return await collectReport(reader, { runId, toolVersion: '0.0.0-test', now: () => new Date('2026-02-03T04:05:06Z') });
  } finally {
    await reader.close();
  }
}

function changesOf(d: ReportData, table: string, kind?: string): ChangeEntry[] {
  return d.changes.filter((c) => d.changeTables[c[0]] === table && (kind === undefined || c[1] === kind));
}

beforeAll(async () => {
  inv = await reportInventory();
  data = await collect(inv.sqlitePath);
}, 180_000);

afterAll(async () => {
  await inv?.close();
});

describe('collectReport', () => {
  it('reports the latest finished run: status, caller, counts, history', () => {
    expect(data.run).toMatchObject({ id: inv.second.summary.runId, status: 'partial', errorCount: inv.second.summary.errorCount, callerArn: inv.second.outcome.callerArn });
    expect(data.previousRunId).toBe(inv.first.summary.runId);
    expect(data.inventoryRunId).toBe(data.run.id);
    expect(data.run.rows).toEqual(inv.second.summary.rows);
    expect(data.run.changes).toEqual(inv.second.summary.changes);
    expect(data.run.durationSeconds).toBeGreaterThan(0);
    expect(data.run.accountCrawls.denied).toBe(1);
    expect(data.history.map((h) => h.id)).toEqual([inv.first.summary.runId, inv.second.summary.runId]);
    expect(data.history[0]?.changes.s3_buckets?.added).toBe(inv.first.summary.rows.s3_buckets);
    expect(data.regions).toEqual(['ap-southeast-2', 'eu-west-1', 'us-east-1']);
  });

  it('builds the tree: every current account under its OU, with resource counts per region', () => {
    const ids = new Set(data.nodes.map((n) => n.id));
    expect(data.nodes.filter((n) => n.kind === 'root')).toHaveLength(1);
    expect(data.accounts).toHaveLength(inv.sim.org.allAccounts().length);
    for (const account of data.accounts) expect(ids.has(account.parent ?? '')).toBe(true);
    const retagged = data.accounts.find((a) => a.id === inv.retagged.accountId);
    const queues = data.queues.filter((q) => q[0] === inv.retagged.accountId).length;
    const buckets = data.buckets.filter((b) => b[0] === inv.retagged.accountId).length;
    expect(retagged?.counts.reduce((n, c) => n + c[1], 0)).toBe(queues);
    expect(retagged?.counts.reduce((n, c) => n + c[2], 0)).toBe(buckets);
    expect(retagged?.crawlStatus).toBe('crawled');
    expect(data.accounts.find((a) => a.id === inv.deniedAccount)?.crawlStatus).toBe('denied');
    expect(data.buckets.some((b) => b[2] === inv.retagged.bucket.name && b[3].includes('owner=report-test'))).toBe(true);
  });

  it('shows a modified bucket and queue field by field, before and after the run', () => {
    const bucket = changesOf(data, 's3_buckets', 'modified').find((c) => c[2] === inv.retagged.bucket.name);
    expect(bucket?.[3]).toBe(inv.retagged.accountId);
    const tags = bucket?.[5]?.find((f) => f.column === 'tags');
    expect(JSON.parse(String(tags?.before))).toEqual(inv.retagged.before);
    expect(JSON.parse(String(tags?.after))).toEqual(inv.retagged.after);

    const queue = changesOf(data, 'sqs_queues', 'modified').find((c) => c[2] === `${inv.opened.queue.name} (${inv.opened.queue.region})`);
    expect(queue?.[5]).toEqual(
      expect.arrayContaining([
        { column: 'visibility_timeout_seconds', before: Number(inv.opened.visibilityBefore), after: 45 },
        { column: 'policy', before: null, after: expect.stringContaining('"Principal":{"AWS":"*"}') },
      ]),
    );
    const account = changesOf(data, 'accounts', 'modified').find((c) => c[3] === inv.deniedAccount);
    expect(account?.[5]).toEqual([{ column: 'crawl_status', before: 'crawled', after: 'denied' }]);
  });

  it('names added and removed rows and places them in the tree', () => {
    const removed = changesOf(data, 's3_buckets', 'removed');
    expect(removed.map((c) => c[2])).toEqual([inv.deletedBucket.name]);
    const added = changesOf(data, 'sqs_queues', 'added');
    expect(added.map((c) => c[2])).toEqual([`${inv.createdQueue.name} (${inv.createdQueue.region})`]);
    const parent = inv.sim.org.parentOf(inv.createdQueue.accountId);
    expect(added[0]?.[4]).toBe(parent);
    expect(data.nodePaths[parent ?? '']?.at(-1)).toBe(parent);
    expect(data.nodePaths[parent ?? '']?.[0]).toMatch(/^r-/);
  });

  it('groups the errors by cause, each with the fix test-connection and run print', () => {
    const member = data.errorGroups.find((g) => g.service === 'sts' && g.operation === 'AssumeRole');
    expect(member).toMatchObject({ errorCode: 'AccessDenied', count: 1, accounts: [inv.deniedAccount] });
    expect(member?.fix).toBe(fixFor({ errorCode: 'AccessDenied', service: 'sts', operation: 'AssumeRole', step: 'member-role' }));
    const encryption = data.errorGroups.find((g) => g.operation === 'GetBucketEncryption');
    expect(encryption).toMatchObject({ errorCode: 'AccessDenied', action: 's3:GetEncryptionConfiguration', accounts: [inv.encryptionDeniedAccount] });
    expect(encryption?.count).toBe(inv.sim.org.bucketsOf(inv.encryptionDeniedAccount).length);
    expect(encryption?.fix).toBe('grant s3:GetEncryptionConfiguration to the member role (member_account_role_name) in that account');
    expect(data.errorGroups.reduce((n, g) => n + g.count, 0)).toBe(data.run.errorCount);
    // The run printed the same causes and fixes on the command line.
    const warned = inv.fixture.logs.lines.map((line) => JSON.parse(line) as { level: number | string; msg: string }).map((l) => l.msg);
    expect(warned).toContain(`1 × AccessDenied on sts:AssumeRole in 1 account; fix: ${member?.fix}`);
    expect(warned).toContain(`${encryption?.count} × AccessDenied on s3:GetBucketEncryption in 1 account; fix: ${encryption?.fix}`);
  });

  it('lists exposure from the columns, leaving out what could not be read', () => {
    const x = data.exposure;
    const publicInSim = inv.sim.org
      .allAccounts()
      .flatMap((a) => inv.sim.org.bucketsOf(a.id))
      .filter(policyIsPublic)
      .map((b) => b.name);
    expect(publicInSim.length).toBeGreaterThan(0);
    expect(x.publicBuckets.map((b) => b[1]).sort()).toEqual(publicInSim.sort());
    expect(x.openQueues).toEqual([[inv.opened.queue.accountId, inv.opened.queue.name, inv.opened.queue.region, [{ sid: 'AnyoneMaySend', actions: ['sqs:SendMessage'], conditions: [] }]]]);
    // Buckets configured with nothing at all: no encryption and no public access block.
    const bare = inv.sim.org.bucketsOf(inv.retagged.accountId).filter((b) => b.encryption === undefined);
    expect(bare.length).toBeGreaterThan(0);
    for (const b of bare) expect(x.unencrypted).toContainEqual([b.accountId, 'bucket', b.name, b.region]);
    expect(x.unencrypted.some((u) => u[1] === 'queue')).toBe(true);
    expect(x.bucketsWithoutBlock.some((b) => b[3] === 'none') && x.bucketsWithoutBlock.some((b) => b[3] === 'partial')).toBe(true);
    // The account whose GetBucketEncryption was denied: its encryption is unknown, not missing.
    expect(x.unreadable).toBe(inv.sim.org.bucketsOf(inv.encryptionDeniedAccount).length);
    expect(x.unencrypted.some((u) => u[0] === inv.encryptionDeniedAccount && u[1] === 'bucket')).toBe(false);
    expect(x.bucketsWithoutBlock.some((u) => u[0] === inv.encryptionDeniedAccount)).toBe(true);
  });

  it('the page the run wrote holds no secret, session token or signed URL', () => {
    const html = readFileSync(inv.reportPath, 'utf8');
    expect(html).toContain(`Inventory report: run ${data.run.id}`);
    expect(inv.secretsSeen.length).toBeGreaterThan(2);
    for (const secret of inv.secretsSeen) {
      for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) expect(html.includes(form), 'a secret is in report.html').toBe(false);
    }
    expect(html).not.toMatch(/X-Amz-(Credential|Signature|Security-Token)/i);
    expect(html).not.toMatch(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/);
  });

  it('reports an older run with the values its changes had then, and a database without previous values', async () => {
    // A third run changes the same bucket's tags again: run 2's "after" is now run 3's "before".
    const bucket = inv.retagged.bucket;
    bucket.tags = [{ Key: 'owner', Value: 'someone-else' }];
    inv.sim.faults.deny = [];
    inv.sim.faults.denyMemberRoles = [];
    const third = await inv.fixture.run();
    const older = await collect(inv.sqlitePath, inv.second.summary.runId);
    expect(older.run.id).toBe(inv.second.summary.runId);
    expect(older.inventoryRunId).toBe(third.summary.runId);
    const tags = changesOf(older, 's3_buckets', 'modified').find((c) => c[2] === bucket.name)?.[5]?.find((f) => f.column === 'tags');
    expect(JSON.parse(String(tags?.after))).toEqual(inv.retagged.after);
    const latest = await collect(inv.sqlitePath);
    const now = changesOf(latest, 's3_buckets', 'modified').find((c) => c[2] === bucket.name)?.[5]?.find((f) => f.column === 'tags');
    expect(JSON.parse(String(now?.before))).toEqual(inv.retagged.after);
    expect(JSON.parse(String(now?.after))).toEqual({ owner: 'someone-else' });

    // Changes recorded before the database kept previous values show their new values only.
    const dir = tempDir();
    const copy = path.join(dir, 'old.sqlite');
    const source = new Database(inv.sqlitePath, { readonly: true });
    await source.backup(copy);
    source.close();
    const old = new Database(copy);
    old.exec('ALTER TABLE changes DROP COLUMN previous_values');
    old.close();
    const withoutPrevious = await collect(copy);
    const field = changesOf(withoutPrevious, 's3_buckets', 'modified').find((c) => c[2] === bucket.name)?.[5]?.find((f) => f.column === 'tags');
    expect(field).toEqual({ column: 'tags', after: JSON.stringify({ owner: 'someone-else' }) });
  }, 120_000);
});

describe('opening an inventory for a report', () => {
  it('refuses a missing, empty or foreign file, one with no runs, and a run that is not there', async () => {
    const dir = tempDir();
    expect(() => openSqliteReader(path.join(dir, 'missing.sqlite'))).toThrow(/missing\.sqlite does not exist: there is no inventory to report on/);
    const empty = path.join(dir, 'empty.sqlite');
    new Database(empty).close();
    expect(() => openSqliteReader(empty)).toThrow(/is empty/);
    const foreign = path.join(dir, 'foreign.sqlite');
    const f = new Database(foreign);
    f.exec('CREATE TABLE notes (x)');
    f.close();
    expect(() => openSqliteReader(foreign)).toThrow(/did not write/);
    const fresh = path.join(dir, 'fresh.sqlite');
    const { openSqliteStore } = await import('../../src/sinks/sqlite/sqliteStore.js');
    openSqliteStore(fresh).close();
    await expect(collect(fresh)).rejects.toThrow(/holds no run yet/);
    await expect(collect(inv.sqlitePath, 99)).rejects.toThrow(/has no run 99: its runs are 1 to \d/);
  });
});
