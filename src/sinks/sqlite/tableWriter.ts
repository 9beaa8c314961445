/**
 * Change detection for one resource table: compares an incoming row with the stored one and
 * writes it, returning what changed. Runs inside the store's batch transaction.
 */
import type Database from 'better-sqlite3';
import type { Row, SqlValue } from '../../crawl/table.js';
import { scopeColumns } from '../../crawl/table.js';
import { InventoryError } from '../../errors/inventoryError.js';
import type { ScopeKey } from '../store.js';
import { quoteIdent } from './tableShape.js';
import type { TableShape } from './tableShape.js';

/**
 * `previous` holds the stored values of the changed columns (what they were before this run): the
 * new values are in the row, so the two together show a change field by field.
 */
export type WriteOutcome = { change: 'added' } | { change: 'modified'; changedColumns: string[]; previous: Record<string, SqlValue> } | null;

type StoredRow = Record<string, SqlValue>;

/** SQLite gives back numbers for INTEGER/REAL columns; a mapper may have handed in "5" for 5. */
function sameValue(stored: SqlValue | undefined, incoming: SqlValue): boolean {
  const a = stored ?? null;
  if (a === null || incoming === null) return a === incoming;
  if (typeof a === typeof incoming) return a === incoming;
  return String(a) === String(incoming);
}

export class TableWriter {
  readonly shape: TableShape;
  private readonly columnNames: readonly string[];
  private readonly known: ReadonlySet<string>;
  private readonly updatable: readonly string[];
  private readonly select: Database.Statement<SqlValue[], StoredRow>;
  private readonly insert: Database.Statement<SqlValue[]>;
  private readonly update: Database.Statement<SqlValue[]>;
  private readonly remove: Database.Statement<SqlValue[], StoredRow>;
  private readonly scope: readonly string[];

  constructor(db: Database.Database, shape: TableShape) {
    this.shape = shape;
    this.columnNames = shape.columns.map((c) => c.name);
    this.known = new Set(this.columnNames);
    this.updatable = this.columnNames.filter((c) => !shape.primaryKey.includes(c));
    this.scope = scopeColumns(shape.scope);
    const table = quoteIdent(shape.name);
    const byKey = shape.primaryKey.map((c) => `${quoteIdent(c)} = ?`).join(' AND ');
    this.select = db.prepare<SqlValue[], StoredRow>(`SELECT * FROM ${table} WHERE ${byKey}`);
    const insertColumns = [...this.columnNames, 'first_seen_run', 'last_seen_run'];
    this.insert = db.prepare<SqlValue[]>(`INSERT INTO ${table} (${insertColumns.map(quoteIdent).join(', ')}) VALUES (${insertColumns.map(() => '?').join(', ')})`);
    const sets = [...this.updatable.map((c) => `${quoteIdent(c)} = ?`), 'last_seen_run = ?', 'deleted_run = NULL'];
    this.update = db.prepare<SqlValue[]>(`UPDATE ${table} SET ${sets.join(', ')} WHERE ${byKey}`);
    const slice = this.scope.map((c) => `${quoteIdent(c)} = ?`);
    this.remove = db.prepare<SqlValue[], StoredRow>(
      `UPDATE ${table} SET deleted_run = ? WHERE ${[...slice, 'last_seen_run < ?', 'deleted_run IS NULL'].join(' AND ')} RETURNING ${shape.primaryKey.map(quoteIdent).join(', ')}`,
    );
  }

  /** Refuses rows a mapper got wrong, at the call that made them rather than in a later batch. */
  check(row: Row): void {
    for (const name of Object.keys(row)) {
      if (!this.known.has(name)) throw new InventoryError('internal', `Table ${this.shape.name} has no column "${name}"; the row mapper produced it.`);
    }
    for (const key of this.shape.primaryKey) {
      const value = row[key];
      if (value === undefined || value === null) throw new InventoryError('internal', `Table ${this.shape.name}: primary-key column "${key}" is empty in a row.`);
    }
  }

  primaryKeyJson(row: Row | StoredRow): string {
    const key: Record<string, SqlValue> = {};
    for (const column of this.shape.primaryKey) key[column] = row[column] ?? null;
    return JSON.stringify(key);
  }

  write(row: Row, runId: number, unknownColumns: readonly string[] = []): WriteOutcome {
    const keyValues = this.shape.primaryKey.map((c) => row[c] ?? null);
    const stored = this.select.get(...keyValues);
    const unknown = new Set(unknownColumns);
    if (stored === undefined) {
      const values = this.columnNames.map((c) => (unknown.has(c) ? null : (row[c] ?? null)));
      this.insert.run(...values, runId, runId);
      return { change: 'added' };
    }
    const revived = stored.deleted_run !== null && stored.deleted_run !== undefined;
    const values = this.updatable.map((c) => {
      if (!unknown.has(c)) return row[c] ?? null;
      // A revived row's old values are from before it vanished: unknown means unknown.
      return revived ? null : (stored[c] ?? null);
    });
    this.update.run(...values, runId, ...keyValues);
    if (revived) return { change: 'added' };
    const changedColumns = this.shape.columns
      .filter((c) => !c.volatile && !unknown.has(c.name) && !sameValue(stored[c.name], row[c.name] ?? null))
      .map((c) => c.name);
    if (changedColumns.length === 0) return null;
    const previous: Record<string, SqlValue> = {};
    for (const column of changedColumns) previous[column] = stored[column] ?? null;
    return { change: 'modified', changedColumns, previous };
  }

  /** Marks the slice's rows not seen in this run deleted; returns their primary keys as JSON. */
  removeUnseen(runId: number, key: ScopeKey): string[] {
    const values: SqlValue[] = [];
    for (const column of this.scope) {
      const value = column === 'account_id' ? key.accountId : key.region;
      if (value === undefined) throw new InventoryError('internal', `completeScope(${this.shape.name}) needs ${column} for a ${this.shape.scope} table.`);
      values.push(value);
    }
    return this.remove.all(runId, ...values, runId).map((row) => this.primaryKeyJson(row));
  }
}
