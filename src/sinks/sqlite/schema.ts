/**
 * The database layout: bookkeeping tables (runs, errors, changes, the event outbox), one table per declaration,
 * and the schema version. Resource tables follow their declarations forward: a column declared
 * later is added with ALTER TABLE and existing rows keep their values (the new column is null).
 * Columns that disappear from a declaration stay in the database, so no data is ever dropped.
 */
import type Database from 'better-sqlite3';
import { scopeColumns } from '../../crawl/table.js';
import { InventoryError } from '../../errors/inventoryError.js';
import { BOOKKEEPING_COLUMNS, quoteIdent } from './tableShape.js';
import type { ColumnShape, TableShape } from './tableShape.js';

/** Version of the bookkeeping layout; stored in `PRAGMA user_version` and `schema_meta`. */
export const SCHEMA_VERSION = 2;
export const APPLICATION_NAME = 'aws-org-inventory';

/**
 * Forward migrations: `MIGRATIONS[i]` takes a database from version i+1 to i+2. Each runs in the
 * transaction that opens the database, so a failed migration leaves the old version intact.
 */
const MIGRATIONS: ReadonlyArray<(db: Database.Database) => void> = [
  // 1 → 2: `changes.previous_values`, the values a `modified` row had before the run, so that a
  // change can be shown field by field (the new values are the row's own, or the next change's
  // previous ones). Changes recorded before the migration keep null there.
  (db) => {
    const columns = db.prepare("SELECT name FROM pragma_table_info('changes')").pluck().all() as string[];
    if (!columns.includes('previous_values')) db.exec('ALTER TABLE changes ADD COLUMN previous_values TEXT');
  },
];

const BASE_SCHEMA = `
CREATE TABLE IF NOT EXISTS schema_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schema_tables (
  table_name TEXT PRIMARY KEY,
  scope TEXT NOT NULL,
  primary_key TEXT NOT NULL,
  column_list TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  run_id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
  tool_version TEXT,
  parameter_digest TEXT,
  caller_arn TEXT,
  shard TEXT,
  rows_per_table TEXT,
  changes_per_table TEXT,
  error_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS errors (
  run_id INTEGER NOT NULL,
  shard TEXT,
  account_id TEXT,
  region TEXT,
  service TEXT NOT NULL,
  operation TEXT NOT NULL,
  resource TEXT,
  error_code TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS errors_by_run ON errors (run_id);
CREATE TABLE IF NOT EXISTS changes (
  run_id INTEGER NOT NULL,
  shard TEXT,
  table_name TEXT NOT NULL,
  primary_key TEXT NOT NULL,
  change TEXT NOT NULL CHECK (change IN ('added', 'modified', 'removed')),
  changed_columns TEXT,
  previous_values TEXT
);
CREATE INDEX IF NOT EXISTS changes_by_run ON changes (run_id, table_name);
CREATE TABLE IF NOT EXISTS account_crawls (
  run_id INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  crawl_status TEXT NOT NULL,
  PRIMARY KEY (run_id, account_id)
);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL,
  shard TEXT,
  event_type TEXT NOT NULL,
  table_name TEXT,
  primary_key TEXT,
  message_group TEXT NOT NULL,
  deduplication_id TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  sent_at TEXT,
  message_id TEXT
);
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
`;

/** Reads the version without writing; 0 is a database no version of this tool has written to. */
export function readSchemaVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** True when the file holds tables but none of ours: some other application's database. */
export function isForeignDatabase(db: Database.Database): boolean {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  return tables.length > 0 && !tables.includes('schema_meta');
}

export function newerSchemaError(path: string, found: number): InventoryError {
  return new InventoryError(
    'config',
    `The database ${path} was written by a newer version of ${APPLICATION_NAME} (schema version ${found}; this version understands up to ${SCHEMA_VERSION}). It was left untouched.`,
    { field: path, hint: `Upgrade ${APPLICATION_NAME}, or point --sqlite-path / output_dir at another file.` },
  );
}

/** Creates or migrates the bookkeeping tables. Call inside a write transaction. */
export function ensureBaseSchema(db: Database.Database, path: string): void {
  const found = readSchemaVersion(db);
  if (found > SCHEMA_VERSION) throw newerSchemaError(path, found);
  db.exec(BASE_SCHEMA);
  for (let version = Math.max(found, 1); version < SCHEMA_VERSION; version++) {
    const migrate = MIGRATIONS[version - 1];
    if (migrate === undefined) throw new InventoryError('internal', `No migration from schema version ${version} to ${version + 1}.`);
    migrate(db);
  }
  const setMeta = db.prepare('INSERT INTO schema_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  setMeta.run('application', APPLICATION_NAME);
  setMeta.run('schema_version', String(SCHEMA_VERSION));
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

interface TableInfoRow {
  name: string;
  type: string;
  pk: number;
}

/**
 * Creates the table of a declaration, or adds the columns declared since it was created.
 * A changed primary key cannot be migrated in place and is refused with the table named.
 */
export function ensureResourceTable(db: Database.Database, shape: TableShape): void {
  const table = quoteIdent(shape.name);
  const existing = db.prepare(`PRAGMA table_info(${table})`).all() as TableInfoRow[];
  if (existing.length === 0) {
    const columns = shape.columns.map((c) => `${quoteIdent(c.name)} ${c.type}${shape.primaryKey.includes(c.name) ? ' NOT NULL' : ''}`);
    // Only key columns are NOT NULL: a mapper that leaves another column empty must not lose
    // the whole batch of rows it arrived in.
    db.exec(`CREATE TABLE ${table} (
  ${[...columns, 'first_seen_run INTEGER NOT NULL', 'last_seen_run INTEGER NOT NULL', 'deleted_run INTEGER'].join(',\n  ')},
  PRIMARY KEY (${shape.primaryKey.map(quoteIdent).join(', ')})
)`);
  } else {
    const existingKey = existing.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    if (existingKey.join(',') !== shape.primaryKey.join(',')) {
      throw new InventoryError(
        'internal',
        `Table ${shape.name} has primary key (${existingKey.join(', ')}) in the database but (${shape.primaryKey.join(', ')}) in its declaration.`,
        { hint: 'A primary key cannot be migrated in place: write to a new output_dir.' },
      );
    }
    const have = new Set(existing.map((c) => c.name));
    for (const column of shape.columns) {
      if (!have.has(column.name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${quoteIdent(column.name)} ${column.type}`);
    }
  }
  const slice = [...scopeColumns(shape.scope), 'deleted_run', 'last_seen_run'];
  db.exec(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${shape.name}__slice`)} ON ${table} (${slice.map(quoteIdent).join(', ')})`);
  recordShape(db, shape);
}

/** Stores the shape (union with columns already stored, so merged databases keep every column). */
function recordShape(db: Database.Database, shape: TableShape): void {
  const stored = readShapes(db).get(shape.name);
  const columns: ColumnShape[] = [...shape.columns];
  if (stored !== undefined) {
    for (const column of stored.columns) if (!columns.some((c) => c.name === column.name)) columns.push(column);
  }
  db.prepare(
    `INSERT INTO schema_tables (table_name, scope, primary_key, column_list) VALUES (?, ?, ?, ?)
     ON CONFLICT (table_name) DO UPDATE SET scope = excluded.scope, primary_key = excluded.primary_key, column_list = excluded.column_list`,
  ).run(shape.name, shape.scope, JSON.stringify(shape.primaryKey), JSON.stringify(columns));
}

interface ShapeRow {
  table_name: string;
  scope: TableShape['scope'];
  primary_key: string;
  column_list: string;
}

/** The shapes of every resource table the database holds, by name. */
export function readShapes(db: Database.Database, schemaName = 'main'): Map<string, TableShape> {
  const rows = db.prepare(`SELECT table_name, scope, primary_key, column_list FROM ${quoteIdent(schemaName)}.schema_tables ORDER BY table_name`).all() as ShapeRow[];
  const shapes = new Map<string, TableShape>();
  for (const row of rows) {
    shapes.set(row.table_name, {
      name: row.table_name,
      scope: row.scope,
      primaryKey: JSON.parse(row.primary_key) as string[],
      columns: JSON.parse(row.column_list) as ColumnShape[],
    });
  }
  return shapes;
}

/** Declared columns followed by the bookkeeping ones: the full column list of a resource table. */
export function storedColumnNames(shape: TableShape): string[] {
  return [...shape.columns.map((c) => c.name), ...BOOKKEEPING_COLUMNS];
}
