/**
 * What the database needs to know of a table declaration: its columns, key and scope. The same
 * shape is stored in `schema_tables`, so `merge` can combine databases without the declarations.
 */
import { allColumns, scopeColumns } from '../../crawl/table.js';
import type { Scope, SqlType, TableDeclaration } from '../../crawl/table.js';
import { InventoryError } from '../../errors/inventoryError.js';

export interface ColumnShape {
  name: string;
  type: SqlType;
  volatile: boolean;
}

export interface TableShape {
  name: string;
  scope: Scope;
  columns: readonly ColumnShape[];
  primaryKey: readonly string[];
}

/** Bookkeeping columns every resource table carries after its declared ones. */
export const BOOKKEEPING_COLUMNS = ['first_seen_run', 'last_seen_run', 'deleted_run'] as const;

/** Names the store uses itself; a declared table may not take them. */
const RESERVED_TABLES = new Set(['runs', 'errors', 'changes', 'outbox', 'schema_meta', 'schema_tables', 'run_shards']);
const IDENTIFIER = /^[a-z][a-z0-9_]*$/;
const SQL_TYPES = new Set<string>(['TEXT', 'INTEGER', 'REAL']);
const SCOPES = new Set<string>(['organization', 'account', 'account-region']);

export function shapeOf(table: TableDeclaration): TableShape {
  const shape: TableShape = {
    name: table.name,
    scope: table.scope,
    columns: allColumns(table).map((c) => ({ name: c.name, type: c.type, volatile: c.volatile === true })),
    primaryKey: [...table.primaryKey],
  };
  checkShape(shape);
  return shape;
}

/** A declaration mistake is found when the run starts, not after an hour of crawling. */
export function checkShape(shape: TableShape): void {
  const fail = (problem: string): never => {
    throw new InventoryError('internal', `Table declaration "${shape.name}": ${problem}.`, {
      hint: 'Fix the declaration in src/tables/.',
    });
  };
  if (!IDENTIFIER.test(shape.name)) fail('the name must be lower_snake_case');
  if (RESERVED_TABLES.has(shape.name) || shape.name.startsWith('v_')) fail('the name is reserved for the store');
  if (!SCOPES.has(shape.scope)) fail(`unknown scope "${shape.scope}"`);
  const names = new Set<string>();
  for (const column of shape.columns) {
    if (!IDENTIFIER.test(column.name)) fail(`column "${column.name}" must be lower_snake_case`);
    if (names.has(column.name)) fail(`column "${column.name}" is declared twice`);
    if ((BOOKKEEPING_COLUMNS as readonly string[]).includes(column.name)) fail(`column "${column.name}" is a bookkeeping column`);
    if (!SQL_TYPES.has(column.type)) fail(`column "${column.name}" has unknown type "${column.type}"`);
    names.add(column.name);
  }
  if (shape.primaryKey.length === 0) fail('the primary key is empty');
  for (const key of shape.primaryKey) if (!names.has(key)) fail(`primary-key column "${key}" is not declared`);
  for (const key of scopeColumns(shape.scope)) if (!names.has(key)) fail(`scope column "${key}" is missing`);
}

/** Double-quoted SQL identifier; names are checked above, quoting keeps keywords harmless. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
