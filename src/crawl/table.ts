/**
 * A table is data: one declaration per table says what it holds, where each column comes from,
 * how wide its scope is and which calls fill it. The same declaration makes the SQLite DDL, the
 * CSV header and the README's table reference; the engine runs its `list` and `enrich` steps.
 */
import type { ResourceType } from '../parameters/schema.js';
import type { TargetContext } from './context.js';

export type SqlType = 'TEXT' | 'INTEGER' | 'REAL';
export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

export type Scope = 'organization' | 'account' | 'account-region';

export interface ColumnDeclaration {
  name: string;
  type: SqlType;
  description: string;
  /** Defaults to true. Primary-key columns are never null. */
  nullable?: boolean;
  /** Changes of a volatile column (message counts) never make a row `modified`. */
  volatile?: boolean;
  /** The value is JSON text (tags, policies, lists). */
  json?: boolean;
  /** A boolean stored as 0/1. */
  boolean?: boolean;
  /** An ISO-8601 UTC time. */
  time?: boolean;
}

export interface ListStep<Item> {
  /** The one API call that lists the items, `service:Operation`. */
  call: string;
  /** Yields the raw items of one target (pages are followed inside). */
  items(ctx: TargetContext): AsyncIterable<Item>;
  /** Columns known from the listing alone. */
  columns: readonly string[];
  row(item: Item, ctx: TargetContext): Row;
}

export interface EnrichStep<Item> {
  /** The one API call this step makes per item, `service:Operation`. */
  call: string;
  /** Columns this step fills; they are null when the call is denied or the setting is absent. */
  columns: readonly string[];
  /**
   * Fetch and map. Return `null` for "not configured" (every column null). Errors classified
   * `absent` are treated the same; `denied` and others null the columns and add an error row;
   * `gone` (the item vanished since it was listed) drops the item silently.
   */
  run(item: Item, ctx: TargetContext): Promise<Row | null>;
}

export interface TableDeclaration<Item = unknown> {
  name: string;
  description: string;
  /** The `resources` parameter value that selects this table. */
  resource: ResourceType;
  scope: Scope;
  /**
   * Resource columns in order. The scope's common columns (partition, account_id, region) are
   * prepended by `commonColumns()` and must not be repeated here.
   */
  columns: readonly ColumnDeclaration[];
  primaryKey: readonly string[];
  list: ListStep<Item>;
  enrich: readonly EnrichStep<Item>[];
}

/** Columns every row of a scope carries, from one place (partition, account, region). */
export function commonColumns(scope: Scope): ColumnDeclaration[] {
  const partition: ColumnDeclaration = { name: 'partition', type: 'TEXT', nullable: false, description: 'AWS partition: aws, aws-cn or aws-us-gov' };
  const account: ColumnDeclaration = { name: 'account_id', type: 'TEXT', nullable: false, description: 'account that owns the resource' };
  const region: ColumnDeclaration = { name: 'region', type: 'TEXT', nullable: false, description: 'region of the resource' };
  switch (scope) {
    case 'organization':
      return [];
    case 'account':
      return [partition, account];
    case 'account-region':
      return [partition, account, region];
  }
}

/** Every column of a table, common ones first: the DDL and CSV column order. */
export function allColumns(table: TableDeclaration): ColumnDeclaration[] {
  return [...commonColumns(table.scope), ...table.columns];
}

/** The columns that identify a target's slice of a table, used to decide deletions. */
export function scopeColumns(scope: Scope): string[] {
  switch (scope) {
    case 'organization':
      return [];
    case 'account':
      return ['account_id'];
    case 'account-region':
      return ['account_id', 'region'];
  }
}

/** Helpers for the row mappers: AWS answers strings for numbers and booleans in many places. */
export function toInt(value: string | number | undefined | null): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : null;
}

export function toBool(value: string | boolean | undefined | null): number | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const v = value.toLowerCase();
  if (v === 'true') return 1;
  if (v === 'false') return 0;
  return null;
}

/** Seconds since the epoch (SQS) or a Date (SDK) to ISO-8601 UTC without milliseconds noise. */
export function toIsoTime(value: Date | string | number | undefined | null): string | null {
  if (value === undefined || value === null || value === '') return null;
  let date: Date;
  if (value instanceof Date) date = value;
  else if (typeof value === 'number') date = new Date(Math.floor(value) * 1000);
  // Epoch seconds, whole (AWS) or with a fraction (some emulators).
  else if (/^\d+(\.\d+)?$/.test(value)) date = new Date(Math.floor(Number(value)) * 1000);
  else date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

/** JSON text with keys in a stable order, so equal values compare equal across runs. */
export function toJson(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Parse a JSON document AWS returned as a string (policies); keep the text if it is not JSON. */
export function jsonText(text: string | undefined | null): string | null {
  if (text === undefined || text === null || text === '') return null;
  try {
    return toJson(JSON.parse(text));
  } catch {
    return JSON.stringify(text);
  }
}

/** Tags as a JSON object `{key: value}` sorted by key; an empty tag set is `{}`. */
export function tagsJson(tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | Record<string, string> | undefined | null): string | null {
  if (tags === undefined || tags === null) return null;
  const out: Record<string, string> = {};
  if (Array.isArray(tags)) {
    for (const tag of tags) if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  } else {
    Object.assign(out, tags);
  }
  return toJson(out);
}
