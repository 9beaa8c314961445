/**
 * A table is data: one declaration per table says what it holds, where each column comes from,
 * how wide its scope is and which calls fill it. The same declaration makes the SQLite DDL, the
 * CSV header and the README's table reference; the engine runs its `list` and `enrich` steps.
 *
 * The shape, one file per table under src/tables/:
 *
 *     export const sqsQueues = defineTable({
 *       name: 'sqs_queues', description: '…', resource: 'sqs', scope: 'account-region',
 *       primaryKey: ['account_id', 'region', 'name'],
 *       columns: [
 *         // Each column names the one call that fills it (`from`), as a steampipe hydrate does.
 *         { name: 'name', type: 'TEXT', nullable: false, from: 'sqs:ListQueues', description: '…' },
 *         { name: 'policy', type: 'TEXT', json: true, from: 'sqs:GetQueueAttributes', description: '…' },
 *         { name: 'tags', type: 'TEXT', json: true, from: 'sqs:ListQueueTags', description: '…' },
 *       ],
 *       // The listing: yields the items of a target, and maps one to the columns `from` its call.
 *       list: { call: 'sqs:ListQueues', items: listQueues, row: (item) => ({ name: item.name }) },
 *       // One step per other call the columns name, keyed by that call: it returns that call's
 *       // columns for one item, or null ("not configured": all of them null).
 *       enrich: {
 *         'sqs:GetQueueAttributes': async (item, ctx) => ({ policy: … }),
 *         'sqs:ListQueueTags': async (item, ctx) => ({ tags: … }),
 *       },
 *     });
 *
 * A column's source is one search away (its `from` is the key of the step that fills it), and
 * the steps' column lists are derived from the `from`s, never written a second time.
 *
 * What the compiler refuses: a step's row that misses one of its columns or misspells one
 * (`Row<Name>`), a primary key naming no column, a call named by a column that no step makes, a
 * step keyed by a call no column names. `defineTable` refuses the last two again when the module
 * loads (the registry test loads every table), and a listing that fills no column.
 *
 * Two habits keep the compiler's messages to the point. Give `items` a typed `ctx` (or pass a
 * named function), so the item type is known before the steps are checked. When columns and
 * steps disagree on a call, read the message that names the call: the compiler may add that the
 * item is `unknown` in the other steps, which is only a consequence.
 *
 * Columns kept in a constant of their own, so that a helper can be typed by them, are declared
 * `[…] as const satisfies readonly TableColumn[]`; such a helper returns
 * `Row<ColumnsFrom<typeof columns, 'sqs:GetQueueAttributes'>>`.
 */
import type { ResourceType } from '../parameters/schema.js';
import { InventoryError } from '../errors/inventoryError.js';
import type { TargetContext } from './context.js';

export type SqlType = 'TEXT' | 'INTEGER' | 'REAL';
export type SqlValue = string | number | null;
/**
 * Values by column name. `Row` alone is any table's row (what the store takes); `Row<Name>` is
 * what a step returns: every one of its columns, so a misspelt name is a missing one and does not
 * compile. (Required rather than optional keys on purpose: TypeScript does not flag an extra key
 * in a callback's returned object, but it always flags a missing one.)
 */
export type Row<Name extends string = string> = Record<Name, SqlValue>;

export type Scope = 'organization' | 'account' | 'account-region';

/** A column as the stores see it (DDL, CSV header, value conversions). */
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

/** A column of a table declaration: the stores' view plus where its value comes from. */
export interface TableColumn extends ColumnDeclaration {
  /**
   * The one call that fills the column, `service:Operation` as IAM spells it (`none: why` for a
   * value no AWS call gives): the `list` call or the key of an `enrich` step of the same table.
   * `target` for the scope's common columns. The README's "from" column prints it.
   */
  from: string;
}

/** The names of a column list. */
export type ColumnName<Columns extends readonly TableColumn[]> = Columns[number]['name'];

/** The names of the columns filled by `Call`: what that call's step returns. */
export type ColumnsFrom<Columns extends readonly TableColumn[], Call extends string> = Extract<Columns[number], { from: Call }>['name'];

/** The columns `commonColumns()` adds to the rows of a scope. */
export type CommonColumnName = 'partition' | 'account_id' | 'region';

/** What a table module writes; `defineTable` turns it into a `TableDeclaration`. */
export interface TableDefinition<Item, Columns extends readonly TableColumn[], ListCall extends string> {
  name: string;
  description: string;
  /** The `resources` parameter value that selects this table. */
  resource: ResourceType;
  scope: Scope;
  /**
   * Resource columns in order. The scope's common columns (partition, account_id, region) are
   * prepended by `commonColumns()` and must not be repeated here.
   */
  columns: Columns;
  primaryKey: readonly (ColumnName<Columns> | CommonColumnName)[];
  list: {
    /** The one API call that lists the items, `service:Operation`. */
    call: ListCall;
    /** Yields the raw items of one target (pages are followed inside). */
    items(ctx: TargetContext): AsyncIterable<Item>;
    /** The columns known from the listing alone: those `from` the list call. */
    row(item: Item, ctx: TargetContext): Row<ColumnsFrom<Columns, ListCall>>;
  };
  /** One step per other call the columns name, keyed by it (see `EnrichStep.run`). */
  enrich: { [Call in Exclude<Columns[number]['from'], ListCall>]: (item: Item, ctx: TargetContext) => Promise<Row<ColumnsFrom<Columns, Call>> | null> };
}

/*
 * What the engine, the store and the README generator read. The column lists of the steps are
 * derived by `defineTable` from the columns' `from`; they are never written by hand.
 */

export interface ListStep<Item> {
  /** The one API call that lists the items, `service:Operation`. */
  call: string;
  /** Yields the raw items of one target (pages are followed inside). */
  items(ctx: TargetContext): AsyncIterable<Item>;
  /** Columns known from the listing alone (derived: those `from` this call). */
  columns: readonly string[];
  row(item: Item, ctx: TargetContext): Row;
}

export interface EnrichStep<Item> {
  /** The one API call this step makes per item, `service:Operation`. */
  call: string;
  /**
   * Columns this step fills (derived: those `from` this call); they are null when the call is
   * denied or the setting is absent.
   */
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
  /** Resource columns in order, without the scope's common ones (see `allColumns`). */
  columns: readonly TableColumn[];
  primaryKey: readonly string[];
  list: ListStep<Item>;
  enrich: readonly EnrichStep<Item>[];
}

/**
 * The declaration of a table, with each step's columns derived from the columns' `from`. Throws
 * when a column names a call no step makes or a step fills no column: a table module with such a
 * mistake fails as it loads, so every command and test that touches it does.
 */
export function defineTable<Item, const Columns extends readonly TableColumn[], ListCall extends string>(
  definition: TableDefinition<Item, Columns, ListCall>,
): TableDeclaration<Item> {
  const { list, columns } = definition;
  // The mapped type's keys are the calls; at run time it is a plain object of step functions.
  const steps = Object.entries(definition.enrich as Record<string, EnrichStep<Item>['run']>);
  const calls = new Set([list.call, ...steps.map(([call]) => call)]);
  const fail = (problem: string, fix: string): never => {
    throw new InventoryError('internal', `Table declaration "${definition.name}": ${problem}.`, { hint: `${fix} in src/tables/.` });
  };
  for (const column of columns) {
    if (!calls.has(column.from)) fail(`column "${column.name}" comes from "${column.from}", a call no step of the table makes`, `Add an enrich step keyed "${column.from}", or correct the column's "from"`);
  }
  const columnsFrom = (call: string): string[] => columns.filter((c) => c.from === call).map((c) => c.name);
  for (const call of calls) {
    if (columnsFrom(call).length === 0) fail(`the step "${call}" fills no column`, `Name it in the "from" of the columns it fills, or remove the step`);
  }
  return {
    name: definition.name,
    description: definition.description,
    resource: definition.resource,
    scope: definition.scope,
    columns,
    primaryKey: definition.primaryKey,
    list: { call: list.call, items: (ctx) => list.items(ctx), columns: columnsFrom(list.call), row: (item, ctx) => list.row(item, ctx) },
    enrich: steps.map(([call, run]) => ({ call, columns: columnsFrom(call), run })),
  };
}

/** Columns every row of a scope carries, from one place (partition, account, region). */
export function commonColumns(scope: Scope): TableColumn[] {
  const partition: TableColumn = { name: 'partition', type: 'TEXT', nullable: false, from: 'target', description: 'AWS partition: aws, aws-cn or aws-us-gov' };
  const account: TableColumn = { name: 'account_id', type: 'TEXT', nullable: false, from: 'target', description: 'account that owns the resource' };
  const region: TableColumn = { name: 'region', type: 'TEXT', nullable: false, from: 'target', description: 'region of the resource' };
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
export function allColumns(table: TableDeclaration): TableColumn[] {
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
