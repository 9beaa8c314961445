/**
 * The data the page is drawn from, embedded in it as JSON (`client/report.js` reads it). Lists
 * with one entry per resource are arrays rather than objects: a 2,000-account organization's
 * report stays small, and the client names the positions once.
 */
import type { OpenStatement } from './exposure.js';

export type ChangeKind = 'added' | 'modified' | 'removed';

export interface RunData {
  id: number;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  durationSeconds: number | null;
  toolVersion: string | null;
  callerArn: string | null;
  /** `K/N` for one shard's run; the shards' labels joined for a merged run. */
  shard: string | null;
  /** Each shard's own run (a merged database's `run_shards`). */
  shards: Array<{ shard: string | null; status: string; startedAt: string; finishedAt: string | null; errorCount: number }>;
  rows: Record<string, number>;
  changes: Record<string, Record<ChangeKind, number>>;
  errorCount: number;
  /** Accounts of this run by how their member crawl ended (`account_crawls`). */
  accountCrawls: Record<string, number>;
}

export interface HistoryPoint {
  id: number;
  startedAt: string;
  status: string;
  rows: Record<string, number>;
  changes: Record<string, Record<ChangeKind, number>>;
  errorCount: number;
}

export interface TreeNodeData {
  id: string;
  name: string | null;
  kind: 'root' | 'ou';
  /** Null for a root. */
  parent: string | null;
  tags: string[];
}

export interface AccountData {
  id: string;
  name: string | null;
  email: string | null;
  state: string | null;
  crawlStatus: string | null;
  /** The root or OU the account is in; null outside an organization. */
  parent: string | null;
  management: boolean;
  tags: string[];
  /** Per region: [region index in `regions`, queues, buckets]. */
  counts: Array<[number, number, number]>;
}

/** [account id, region index, name, tags] */
export type ResourceEntry = [string, number, string, string[]];

/** A field of a modified row: its name, the value before and after the run. `before` is absent when not recorded. */
export interface FieldChange {
  column: string;
  before?: string | number | null;
  after: string | number | null;
  /** The new value was changed again later and is not known: the database keeps only the latest row. */
  afterUnknown?: boolean;
}

/** [table index in `changeTables`, kind, label, account id or null, tree node id or null, fields (modified only)] */
export type ChangeEntry = [number, ChangeKind, string, string | null, string | null, FieldChange[] | null];

export interface ErrorGroupData {
  errorCode: string;
  service: string;
  operation: string;
  /** The IAM action the call needs. */
  action: string;
  /** Whose credentials made the call: the member roles, or the chain's last role. */
  who: string;
  fix: string;
  count: number;
  accounts: string[];
  regions: string[];
  /** [account id, region, resource, message], the first ones only. */
  samples: Array<[string | null, string | null, string | null, string]>;
}

export interface ExposureData {
  /** [account id, bucket, region] */
  publicBuckets: Array<[string, string, string | null]>;
  /** [account id, bucket, region, 'none' | 'partial'] */
  bucketsWithoutBlock: Array<[string, string, string | null, 'none' | 'partial']>;
  /** [account id, queue, region, the statements that allow anyone] */
  openQueues: Array<[string, string, string | null, OpenStatement[]]>;
  /** [account id, 'bucket' | 'queue', name, region] */
  unencrypted: Array<[string, 'bucket' | 'queue', string, string | null]>;
  /** Resources whose settings could not be read in this run (their values are unknown, not exposed). */
  unreadable: number;
}

export interface ReportData {
  formatVersion: 1;
  generatedAt: string;
  toolVersion: string;
  source: string;
  run: RunData;
  previousRunId: number | null;
  /** The run whose rows the tree, search and exposure show (the latest finished run). */
  inventoryRunId: number | null;
  history: HistoryPoint[];
  regions: string[];
  nodes: TreeNodeData[];
  accounts: AccountData[];
  queues: ResourceEntry[];
  buckets: ResourceEntry[];
  changeTables: string[];
  changes: ChangeEntry[];
  /** Each tree node's ancestors, itself included (root first), for the OU filter of changes. */
  nodePaths: Record<string, string[]>;
  errorGroups: ErrorGroupData[];
  exposure: ExposureData;
}
