/**
 * Reads everything the report shows from the inventory, through a `ReportReader`:
 * - the chosen run (the latest finished one unless asked), its shards, counts, changes and errors;
 * - the history of runs (counts and changes, run by run);
 * - the inventory as it stands after the latest finished run: the OU tree with its accounts,
 *   resource counts per account and region, queues and buckets for search, and the exposure view.
 *
 * A modified row's field-by-field difference: the value before the run is in the change's
 * `previous_values`; the value after it is the previous value of the next change of that column,
 * or the row's current value when none came later. A row removed and added again in between was
 * rewritten without a record of its values, so the value after is then unknown.
 */
import { groupErrors } from '../errors/errorCauses.js';
import type { ErrorRecord } from '../errors/errorCauses.js';
import { accountOfArn } from '../errors/errorCauses.js';
import { iamActionFor } from '../aws/iamActions.js';
import { InventoryError } from '../errors/inventoryError.js';
import { publicAccessBlockOf, queueEncryption, statementsAllowingAnyone } from './exposure.js';
import type { ReportReader, ResultRow, Value } from './reader.js';
import type { AccountData, ChangeEntry, ChangeKind, ExposureData, FieldChange, HistoryPoint, ReportData, RunData, TreeNodeData } from './reportData.js';
import { asFlag, asJson, asNumber, asText, tagList } from './values.js';

export interface CollectOptions {
  /** The run to report on; the latest finished run when absent. */
  runId?: number | null;
  toolVersion: string;
  now?: () => Date;
  /** Runs in the history chart, the latest ones. */
  historyLimit?: number;
  /** Errors listed per group (all are counted). */
  errorSamples?: number;
}

const HISTORY_LIMIT = 60;
/** Primary keys per lookup query: well under every database's limit on bound parameters. */
const LOOKUP_BATCH = 100;

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `SELECT`-list of `wanted`, with NULL for the columns this database does not have; null without the table. */
async function selectList(reader: ReportReader, table: string, wanted: readonly string[]): Promise<string | null> {
  const have = await reader.columns(table);
  if (have === null) return null;
  return wanted.map((c) => (have.includes(c) ? quote(c) : `NULL AS ${quote(c)}`)).join(', ');
}

function perTable(value: Value | undefined): Record<string, number> {
  const parsed = asJson(value);
  const out: Record<string, number> = {};
  if (parsed === null || typeof parsed !== 'object') return out;
  for (const [table, n] of Object.entries(parsed as Record<string, unknown>)) if (typeof n === 'number') out[table] = n;
  return out;
}

function changesPerTable(value: Value | undefined): Record<string, Record<ChangeKind, number>> {
  const parsed = asJson(value);
  const out: Record<string, Record<ChangeKind, number>> = {};
  if (parsed === null || typeof parsed !== 'object') return out;
  for (const [table, kinds] of Object.entries(parsed as Record<string, unknown>)) {
    const k = (kinds ?? {}) as Record<string, unknown>;
    out[table] = { added: Number(k.added ?? 0), modified: Number(k.modified ?? 0), removed: Number(k.removed ?? 0) };
  }
  return out;
}

async function chooseRun(reader: ReportReader, runId: number | null | undefined): Promise<ResultRow> {
  if ((await reader.columns('runs')) === null) {
    throw new InventoryError('config', `${reader.source} holds no runs table: it is not an inventory database.`, {
      field: reader.source,
      hint: 'Point --output-dir (or --sqlite-path) at the inventory a run wrote.',
    });
  }
  const columns = await selectList(reader, 'runs', ['run_id', 'started_at', 'finished_at', 'status', 'tool_version', 'caller_arn', 'shard', 'rows_per_table', 'changes_per_table', 'error_count']);
  const rows =
    runId === undefined || runId === null
      ? await reader.query(`SELECT ${columns} FROM runs WHERE status <> 'running' ORDER BY run_id DESC LIMIT 1`)
      : await reader.query(`SELECT ${columns} FROM runs WHERE run_id = ?`, [runId]);
  const row = rows[0];
  if (row !== undefined) return row;
  const range = (await reader.query('SELECT min(run_id) AS first, max(run_id) AS last, count(*) AS n FROM runs'))[0];
  const count = asNumber(range?.n) ?? 0;
  if (count === 0) {
    throw new InventoryError('config', `${reader.source} holds no run yet: there is nothing to report.`, { field: reader.source, hint: 'Run "aws-org-inventory run --params FILE" first.' });
  }
  if (runId === undefined || runId === null) {
    throw new InventoryError('config', `${reader.source} holds no finished run yet (run ${asNumber(range?.last)} is still running).`, {
      field: reader.source,
      hint: `Wait for it to finish, or report on it anyway with --run ${asNumber(range?.last)}.`,
    });
  }
  throw new InventoryError('config', `${reader.source} has no run ${runId}: its runs are ${asNumber(range?.first)} to ${asNumber(range?.last)}.`, {
    field: '--run',
    hint: 'Pass one of those run ids, or leave --run out for the latest finished run.',
  });
}

async function runData(reader: ReportReader, row: ResultRow): Promise<RunData> {
  const id = asNumber(row.run_id) ?? 0;
  const startedAt = asText(row.started_at) ?? '';
  const finishedAt = asText(row.finished_at);
  const duration = finishedAt === null ? null : (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000;
  const shards: RunData['shards'] = [];
  if ((await reader.columns('run_shards')) !== null) {
    for (const s of await reader.query('SELECT shard, status, started_at, finished_at, error_count FROM run_shards WHERE run_id = ? ORDER BY shard', [id])) {
      shards.push({ shard: asText(s.shard), status: asText(s.status) ?? '', startedAt: asText(s.started_at) ?? '', finishedAt: asText(s.finished_at), errorCount: asNumber(s.error_count) ?? 0 });
    }
  }
  const accountCrawls: Record<string, number> = {};
  if ((await reader.columns('account_crawls')) !== null) {
    for (const c of await reader.query('SELECT crawl_status, count(*) AS n FROM account_crawls WHERE run_id = ? GROUP BY crawl_status ORDER BY crawl_status', [id])) {
      accountCrawls[asText(c.crawl_status) ?? '?'] = asNumber(c.n) ?? 0;
    }
  }
  return {
    id,
    status: asText(row.status) ?? '',
    startedAt,
    finishedAt,
    durationSeconds: duration !== null && Number.isFinite(duration) ? duration : null,
    toolVersion: asText(row.tool_version),
    callerArn: asText(row.caller_arn),
    shard: asText(row.shard),
    shards,
    rows: perTable(row.rows_per_table),
    changes: changesPerTable(row.changes_per_table),
    errorCount: asNumber(row.error_count) ?? 0,
    accountCrawls,
  };
}

async function history(reader: ReportReader, limit: number): Promise<HistoryPoint[]> {
  const columns = await selectList(reader, 'runs', ['run_id', 'started_at', 'status', 'rows_per_table', 'changes_per_table', 'error_count']);
  const rows = await reader.query(`SELECT ${columns} FROM runs ORDER BY run_id DESC LIMIT ${Math.max(1, Math.trunc(limit))}`);
  return rows.reverse().map((r) => ({
    id: asNumber(r.run_id) ?? 0,
    startedAt: asText(r.started_at) ?? '',
    status: asText(r.status) ?? '',
    rows: perTable(r.rows_per_table),
    changes: changesPerTable(r.changes_per_table),
    errorCount: asNumber(r.error_count) ?? 0,
  }));
}

/** Rows of a resource table, current ones (or all with `includeDeleted`); [] without the table. */
async function rowsOf(reader: ReportReader, table: string, columns: readonly string[], options: { includeDeleted?: boolean; orderBy?: string } = {}): Promise<ResultRow[]> {
  const list = await selectList(reader, table, [...columns, 'deleted_run']);
  if (list === null) return [];
  const where = options.includeDeleted ? '' : ' WHERE deleted_run IS NULL';
  const order = options.orderBy ? ` ORDER BY ${options.orderBy}` : '';
  return reader.query(`SELECT ${list} FROM ${quote(table)}${where}${order}`);
}

interface Lookups {
  accounts: Map<string, ResultRow>;
  ous: Map<string, ResultRow>;
  roots: Map<string, ResultRow>;
  policies: Map<string, string>;
  /** Every root and OU (current or not) with its path from the root, itself last. */
  nodePaths: Record<string, string[]>;
}

async function lookups(reader: ReportReader): Promise<Lookups> {
  const accounts = await rowsOf(reader, 'accounts', ['id', 'name', 'email', 'state', 'crawl_status', 'parent_id', 'ou_path_ids', 'is_management_account', 'tags'], { includeDeleted: true, orderBy: 'id' });
  const ous = await rowsOf(reader, 'organizational_units', ['id', 'name', 'parent_id', 'path_ids', 'path_names', 'tags'], { includeDeleted: true, orderBy: 'path_names' });
  const roots = await rowsOf(reader, 'organization_roots', ['id', 'name', 'tags'], { includeDeleted: true, orderBy: 'id' });
  const policies = await rowsOf(reader, 'policies', ['id', 'name'], { includeDeleted: true });
  const nodePaths: Record<string, string[]> = {};
  for (const root of roots) nodePaths[asText(root.id) ?? ''] = [asText(root.id) ?? ''];
  for (const ou of ous) nodePaths[asText(ou.id) ?? ''] = (asText(ou.path_ids) ?? '').split('/').filter(Boolean);
  return {
    accounts: new Map(accounts.map((a) => [asText(a.id) ?? '', a])),
    ous: new Map(ous.map((o) => [asText(o.id) ?? '', o])),
    roots: new Map(roots.map((r) => [asText(r.id) ?? '', r])),
    policies: new Map(policies.map((p) => [asText(p.id) ?? '', asText(p.name) ?? asText(p.id) ?? ''])),
    nodePaths,
  };
}

function isCurrent(row: ResultRow): boolean {
  return row.deleted_run === null || row.deleted_run === undefined;
}

function treeNodes(l: Lookups): TreeNodeData[] {
  const nodes: TreeNodeData[] = [];
  for (const [id, root] of l.roots) if (isCurrent(root)) nodes.push({ id, name: asText(root.name), kind: 'root', parent: null, tags: tagList(root.tags) });
  for (const [id, ou] of l.ous) if (isCurrent(ou)) nodes.push({ id, name: asText(ou.name), kind: 'ou', parent: asText(ou.parent_id), tags: tagList(ou.tags) });
  return nodes;
}

async function resourceEntries(reader: ReportReader, regions: Map<string, number>): Promise<{ queues: ReportData['queues']; buckets: ReportData['buckets']; counts: Map<string, Map<number, [number, number]>> }> {
  const queues: ReportData['queues'] = [];
  const buckets: ReportData['buckets'] = [];
  const counts = new Map<string, Map<number, [number, number]>>();
  if ((await reader.columns('v_resources')) === null) return { queues, buckets, counts };
  for (const r of await reader.query('SELECT DISTINCT region FROM v_resources ORDER BY region')) regions.set(asText(r.region) ?? '', regions.size);
  const rows = await reader.query('SELECT resource_type, account_id, region, name, tags FROM v_resources ORDER BY account_id, region, resource_type, name');
  for (const r of rows) {
    const account = asText(r.account_id) ?? '';
    const region = asText(r.region) ?? '';
    if (!regions.has(region)) regions.set(region, regions.size);
    const index = regions.get(region) ?? 0;
    const isQueue = asText(r.resource_type) === 'sqs_queue';
    (isQueue ? queues : buckets).push([account, index, asText(r.name) ?? '', tagList(r.tags)]);
    let byRegion = counts.get(account);
    if (byRegion === undefined) counts.set(account, (byRegion = new Map()));
    const pair = byRegion.get(index) ?? [0, 0];
    pair[isQueue ? 0 : 1] += 1;
    byRegion.set(index, pair);
  }
  return { queues, buckets, counts };
}

function accountData(l: Lookups, counts: Map<string, Map<number, [number, number]>>): AccountData[] {
  const out: AccountData[] = [];
  for (const [id, a] of l.accounts) {
    if (!isCurrent(a)) continue;
    const byRegion = [...(counts.get(id) ?? new Map<number, [number, number]>())].sort((x, y) => x[0] - y[0]);
    out.push({
      id,
      name: asText(a.name),
      email: asText(a.email),
      state: asText(a.state),
      crawlStatus: asText(a.crawl_status),
      parent: asText(a.parent_id),
      management: asFlag(a.is_management_account) === true,
      tags: tagList(a.tags),
      counts: byRegion.map(([region, [q, b]]) => [region, q, b]),
    });
  }
  // Accounts that hold resources but are not in the accounts table (a run without Organizations).
  for (const [id, byRegion] of counts) {
    if (l.accounts.has(id)) continue;
    const sorted = [...byRegion].sort((x, y) => x[0] - y[0]);
    out.push({ id, name: null, email: null, state: null, crawlStatus: null, parent: null, management: false, tags: [], counts: sorted.map(([region, [q, b]]) => [region, q, b]) });
  }
  return out;
}

function accountLabel(l: Lookups, id: string | null): string {
  if (id === null) return '?';
  const name = asText(l.accounts.get(id)?.name);
  return name === null ? id : `${name} (${id})`;
}

function nodeLabel(l: Lookups, id: string): string {
  const ou = l.ous.get(id);
  if (ou !== undefined) return asText(ou.path_names) ?? asText(ou.name) ?? id;
  const root = l.roots.get(id);
  if (root !== undefined) return asText(root.name) ?? id;
  if (l.accounts.has(id)) return accountLabel(l, id);
  return id;
}

/** The tree node a row belongs under (for the OU filter) and the account it concerns. */
function placeOf(l: Lookups, table: string, key: Record<string, unknown>): { account: string | null; node: string | null } {
  const text = (name: string): string | null => (typeof key[name] === 'string' ? (key[name] as string) : null);
  const accountNode = (id: string | null) => ({ account: id, node: id === null ? null : asText(l.accounts.get(id)?.parent_id) });
  switch (table) {
    case 'accounts':
      return accountNode(text('id'));
    case 'organizational_units':
    case 'organization_roots':
      return { account: null, node: text('id') };
    case 'policy_targets': {
      const target = text('target_id');
      if (target !== null && l.accounts.has(target)) return accountNode(target);
      return { account: null, node: target };
    }
    default:
      return accountNode(text('account_id'));
  }
}

/** How a change names its row: the resource's name and where it is, not its key as JSON. */
function changeLabel(l: Lookups, table: string, key: Record<string, unknown>): string {
  const text = (name: string): string => (typeof key[name] === 'string' || typeof key[name] === 'number' ? String(key[name]) : '?');
  switch (table) {
    case 'accounts':
      return accountLabel(l, text('id'));
    case 'organizational_units':
    case 'organization_roots':
      return nodeLabel(l, text('id'));
    case 'policies':
      return `${l.policies.get(text('id')) ?? text('id')} (${text('id')})`;
    case 'policy_targets':
      return `${l.policies.get(text('policy_id')) ?? text('policy_id')} → ${nodeLabel(l, text('target_id'))}`;
    case 'delegated_administrators':
      return `${accountLabel(l, text('account_id'))} for ${text('service_principal')}`;
    case 'sqs_queues':
      return `${text('name')} (${text('region')})`;
    case 's3_buckets':
      return text('name');
    default:
      return Object.values(key).map(String).join(' / ');
  }
}

interface StoredChange {
  table: string;
  key: string;
  kind: ChangeKind;
  columns: string[];
  previous: Record<string, string | number | null> | null;
}

function storedChange(r: ResultRow): StoredChange {
  const columns = asJson(r.changed_columns);
  const previous = asJson(r.previous_values);
  return {
    table: asText(r.table_name) ?? '',
    key: asText(r.primary_key) ?? '{}',
    kind: (asText(r.change) ?? 'modified') as ChangeKind,
    columns: Array.isArray(columns) ? columns.map(String) : [],
    previous: previous !== null && typeof previous === 'object' && !Array.isArray(previous) ? (previous as Record<string, string | number | null>) : null,
  };
}

function scalar(value: Value | undefined): string | number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return asText(value);
}

/** The current values of `columns` for the rows with these primary keys, by key JSON. */
async function currentValues(reader: ReportReader, table: string, keys: readonly string[], columns: readonly string[]): Promise<Map<string, ResultRow>> {
  const found = new Map<string, ResultRow>();
  const keyColumns = Object.keys(JSON.parse(keys[0] ?? '{}') as Record<string, unknown>);
  const have = await reader.columns(table);
  if (have === null || keyColumns.length === 0 || keyColumns.some((c) => !have.includes(c))) return found;
  const wanted = [...new Set([...keyColumns, ...columns.filter((c) => have.includes(c))])];
  for (let i = 0; i < keys.length; i += LOOKUP_BATCH) {
    const batch = keys.slice(i, i + LOOKUP_BATCH).map((k) => JSON.parse(k) as Record<string, Value>);
    const where = batch.map(() => `(${keyColumns.map((c) => `${quote(c)} = ?`).join(' AND ')})`).join(' OR ');
    const params = batch.flatMap((k) => keyColumns.map((c) => k[c] ?? null));
    for (const row of await reader.query(`SELECT ${wanted.map(quote).join(', ')} FROM ${quote(table)} WHERE ${where}`, params)) {
      const key: Record<string, Value> = {};
      for (const c of keyColumns) key[c] = row[c] ?? null;
      found.set(JSON.stringify(key), row);
    }
  }
  return found;
}

/** The field-by-field differences of the run's modified rows of one table, by key JSON. */
async function fieldChanges(reader: ReportReader, table: string, runId: number, modified: readonly StoredChange[], hasPrevious: boolean): Promise<Map<string, FieldChange[]>> {
  const wanted = new Set(modified.map((c) => c.key));
  // Later changes of the same rows, oldest first: the first one that touches a column holds its value after this run.
  const later = new Map<string, StoredChange[]>();
  const previousColumn = hasPrevious ? 'previous_values' : 'NULL AS previous_values';
  for (const r of await reader.query(`SELECT table_name, primary_key, change, changed_columns, ${previousColumn} FROM changes WHERE table_name = ? AND run_id > ? ORDER BY run_id`, [table, runId])) {
    const c = storedChange(r);
    if (!wanted.has(c.key)) continue;
    const list = later.get(c.key) ?? [];
    list.push(c);
    later.set(c.key, list);
  }
  const needCurrent = new Set<string>();
  const afterOf = new Map<string, Map<string, { value: string | number | null } | 'unknown' | 'current'>>();
  for (const change of modified) {
    const after = new Map<string, { value: string | number | null } | 'unknown' | 'current'>();
    for (const column of change.columns) {
      let found: { value: string | number | null } | 'unknown' | 'current' = 'current';
      for (const next of later.get(change.key) ?? []) {
        if (next.kind === 'added') {
          found = 'unknown';
          break;
        }
        if (next.kind === 'modified' && next.columns.includes(column)) {
          found = next.previous !== null && column in next.previous ? { value: next.previous[column] ?? null } : 'unknown';
          break;
        }
      }
      if (found === 'current') needCurrent.add(change.key);
      after.set(column, found);
    }
    afterOf.set(change.key, after);
  }
  const columns = [...new Set(modified.flatMap((c) => c.columns))];
  const current = needCurrent.size > 0 ? await currentValues(reader, table, [...needCurrent], columns) : new Map<string, ResultRow>();
  const out = new Map<string, FieldChange[]>();
  for (const change of modified) {
    const after = afterOf.get(change.key);
    out.set(
      change.key,
      change.columns.map((column) => {
        const field: FieldChange = { column, after: null };
        if (change.previous !== null && column in change.previous) field.before = change.previous[column] ?? null;
        const a = after?.get(column);
        if (a === 'unknown' || a === undefined) field.afterUnknown = true;
        else if (a === 'current') {
          const row = current.get(change.key);
          if (row === undefined) field.afterUnknown = true;
          else field.after = scalar(row[column]);
        } else field.after = a.value;
        return field;
      }),
    );
  }
  return out;
}

async function changes(reader: ReportReader, runId: number, l: Lookups): Promise<{ tables: string[]; entries: ChangeEntry[] }> {
  const have = await reader.columns('changes');
  if (have === null) return { tables: [], entries: [] };
  const hasPrevious = have.includes('previous_values');
  const rows = await reader.query(
    `SELECT table_name, primary_key, change, changed_columns, ${hasPrevious ? 'previous_values' : 'NULL AS previous_values'} FROM changes WHERE run_id = ? ORDER BY table_name, change, primary_key`,
    [runId],
  );
  const stored = rows.map(storedChange);
  const tables = [...new Set(stored.map((c) => c.table))].sort();
  const fields = new Map<string, Map<string, FieldChange[]>>();
  for (const table of tables) {
    const modified = stored.filter((c) => c.table === table && c.kind === 'modified');
    if (modified.length > 0) fields.set(table, await fieldChanges(reader, table, runId, modified, hasPrevious));
  }
  const entries = stored.map((c): ChangeEntry => {
    const key = JSON.parse(c.key) as Record<string, unknown>;
    const place = placeOf(l, c.table, key);
    return [tables.indexOf(c.table), c.kind, changeLabel(l, c.table, key), place.account, place.node, c.kind === 'modified' ? (fields.get(c.table)?.get(c.key) ?? []) : null];
  });
  return { tables, entries };
}

async function errorGroups(reader: ReportReader, run: RunData, sampleLimit: number): Promise<ReportData['errorGroups']> {
  if ((await reader.columns('errors')) === null) return [];
  const rows = await reader.query('SELECT account_id, region, service, operation, resource, error_code, message FROM errors WHERE run_id = ?', [run.id]);
  const records: ErrorRecord[] = rows.map((r) => ({
    accountId: asText(r.account_id),
    region: asText(r.region),
    service: asText(r.service) ?? '',
    operation: asText(r.operation) ?? '',
    resource: asText(r.resource),
    errorCode: asText(r.error_code) ?? '',
    message: asText(r.message) ?? '',
  }));
  return groupErrors(records, accountOfArn(run.callerArn), sampleLimit).map((g) => ({
    errorCode: g.errorCode,
    service: g.service,
    operation: g.operation,
    action: iamActionFor(`${g.service}:${g.operation}`),
    who: g.step === 'member-role' ? 'assuming member roles' : g.principal === 'member' ? 'member roles' : "the chain's last role",
    fix: g.fix,
    count: g.count,
    accounts: g.accounts,
    regions: g.regions,
    samples: g.samples.map((s) => [s.accountId, s.region, s.resource, s.message]),
  }));
}

/** The calls that fill the columns each exposure rule reads: when one failed, that rule cannot judge the resource. */
const EXPOSURE_CALLS = {
  publicPolicy: 'GetBucketPolicyStatus',
  publicAccessBlock: 'GetPublicAccessBlock',
  bucketEncryption: 'GetBucketEncryption',
  queueAttributes: 'GetQueueAttributes',
} as const;

async function exposure(reader: ReportReader, inventoryRunId: number | null): Promise<ExposureData> {
  // `account|resource` ⇒ the exposure calls that failed for it in the run the inventory is from.
  const failed = new Map<string, Set<string>>();
  const calls = new Set<string>(Object.values(EXPOSURE_CALLS));
  if (inventoryRunId !== null && (await reader.columns('errors')) !== null) {
    for (const e of await reader.query('SELECT account_id, operation, resource FROM errors WHERE run_id = ?', [inventoryRunId])) {
      const operation = asText(e.operation) ?? '';
      if (!calls.has(operation)) continue;
      const key = `${asText(e.account_id)}|${asText(e.resource)}`;
      const set = failed.get(key) ?? new Set<string>();
      set.add(operation);
      failed.set(key, set);
    }
  }
  /** The exposure calls that failed for a resource known by any of `names` (name, ARN, URL). */
  const failedFor = (account: string, ...names: Array<string | null>): Set<string> => {
    const out = new Set<string>();
    for (const name of names) for (const op of (name === null ? undefined : failed.get(`${account}|${name}`)) ?? []) out.add(op);
    return out;
  };
  const out: ExposureData = { publicBuckets: [], bucketsWithoutBlock: [], openQueues: [], unencrypted: [], unreadable: 0 };

  const buckets = await rowsOf(
    reader,
    's3_buckets',
    ['account_id', 'name', 'arn', 'region', 'policy_is_public', 'block_public_acls', 'ignore_public_acls', 'block_public_policy', 'restrict_public_buckets', 'sse_algorithm'],
    { orderBy: 'account_id, name' },
  );
  for (const b of buckets) {
    const account = asText(b.account_id) ?? '';
    const name = asText(b.name) ?? '';
    const region = asText(b.region);
    const unknown = failedFor(account, name, asText(b.arn));
    if (unknown.size > 0) out.unreadable += 1;
    if (!unknown.has(EXPOSURE_CALLS.publicPolicy) && asFlag(b.policy_is_public) === true) out.publicBuckets.push([account, name, region]);
    const block = unknown.has(EXPOSURE_CALLS.publicAccessBlock) ? null : publicAccessBlockOf(b);
    if (block === 'none' || block === 'partial') out.bucketsWithoutBlock.push([account, name, region, block]);
    if (!unknown.has(EXPOSURE_CALLS.bucketEncryption) && asText(b.sse_algorithm) === null) out.unencrypted.push([account, 'bucket', name, region]);
  }

  const queues = await rowsOf(reader, 'sqs_queues', ['account_id', 'region', 'name', 'url', 'arn', 'policy', 'sqs_managed_sse_enabled', 'kms_master_key_id'], { orderBy: 'account_id, region, name' });
  for (const q of queues) {
    const account = asText(q.account_id) ?? '';
    const name = asText(q.name) ?? '';
    const region = asText(q.region);
    if (failedFor(account, asText(q.url), asText(q.arn)).size > 0) {
      out.unreadable += 1;
      continue;
    }
    const open = statementsAllowingAnyone(asJson(q.policy));
    if (open.length > 0) out.openQueues.push([account, name, region, open]);
    if (queueEncryption(q) === 'none') out.unencrypted.push([account, 'queue', name, region]);
  }
  return out;
}

export async function collectReport(reader: ReportReader, options: CollectOptions): Promise<ReportData> {
  const chosen = await chooseRun(reader, options.runId);
  const run = await runData(reader, chosen);
  const previous = await reader.query('SELECT max(run_id) AS id FROM runs WHERE run_id < ?', [run.id]);
  const latest = await reader.query("SELECT max(run_id) AS id FROM runs WHERE status <> 'running'");
  const l = await lookups(reader);
  const regionIndex = new Map<string, number>();
  const resources = await resourceEntries(reader, regionIndex);
  const changed = await changes(reader, run.id, l);
  return {
    formatVersion: 1,
    generatedAt: (options.now ?? (() => new Date()))().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    toolVersion: options.toolVersion,
    source: reader.source,
    run,
    previousRunId: asNumber(previous[0]?.id),
    inventoryRunId: asNumber(latest[0]?.id),
    history: await history(reader, options.historyLimit ?? HISTORY_LIMIT),
    regions: [...regionIndex.keys()],
    nodes: treeNodes(l),
    accounts: accountData(l, resources.counts),
    queues: resources.queues,
    buckets: resources.buckets,
    changeTables: changed.tables,
    changes: changed.entries,
    nodePaths: l.nodePaths,
    errorGroups: await errorGroups(reader, run, options.errorSamples ?? 100),
    exposure: await exposure(reader, asNumber(latest[0]?.id)),
  };
}
