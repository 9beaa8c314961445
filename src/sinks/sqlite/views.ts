/**
 * Views for ingestion, rebuilt whenever the schema is, from the tables the database holds:
 * `v_accounts` (current accounts with their OU path and tags) and `v_resources` (every current
 * queue and bucket with its account's name and OU path). A view whose source table is absent
 * (a run limited to `resources: ["sqs"]`) is not created; a missing column reads as null.
 */
import type Database from 'better-sqlite3';
import { quoteIdent } from './tableShape.js';
import type { TableShape } from './tableShape.js';

/** Resource tables `v_resources` unions, with the type name each row gets. */
const RESOURCE_SOURCES: ReadonlyArray<{ table: string; type: string }> = [
  { table: 'sqs_queues', type: 'sqs_queue' },
  { table: 's3_buckets', type: 's3_bucket' },
];

function column(shape: TableShape | undefined, alias: string, name: string): string {
  return shape?.columns.some((c) => c.name === name) ? `${alias}.${quoteIdent(name)}` : 'NULL';
}

export function createViews(db: Database.Database, shapes: ReadonlyMap<string, TableShape>): void {
  db.exec('DROP VIEW IF EXISTS v_accounts; DROP VIEW IF EXISTS v_resources;');
  const accounts = shapes.get('accounts');
  if (accounts !== undefined) {
    const columns = accounts.columns.map((c) => `a.${quoteIdent(c.name)}`);
    db.exec(`CREATE VIEW v_accounts AS
SELECT ${[...columns, 'a.first_seen_run', 'a.last_seen_run'].join(', ')}
FROM accounts AS a
WHERE a.deleted_run IS NULL`);
  }
  const parts: string[] = [];
  for (const source of RESOURCE_SOURCES) {
    const shape = shapes.get(source.table);
    if (shape === undefined) continue;
    const join = accounts === undefined ? '' : `\nLEFT JOIN accounts AS a ON ${column(accounts, 'a', 'id')} = r.account_id AND a.deleted_run IS NULL`;
    parts.push(`SELECT '${source.type}' AS resource_type, ${column(shape, 'r', 'partition')} AS partition, r.account_id AS account_id,
  ${column(accounts, 'a', 'name')} AS account_name, ${column(accounts, 'a', 'ou_path_ids')} AS ou_path_ids, ${column(accounts, 'a', 'ou_path_names')} AS ou_path_names,
  ${column(shape, 'r', 'region')} AS region, ${column(shape, 'r', 'name')} AS name, ${column(shape, 'r', 'arn')} AS arn, ${column(shape, 'r', 'tags')} AS tags,
  r.first_seen_run AS first_seen_run, r.last_seen_run AS last_seen_run
FROM ${quoteIdent(source.table)} AS r${join}
WHERE r.deleted_run IS NULL`);
  }
  if (parts.length > 0) db.exec(`CREATE VIEW v_resources AS\n${parts.join('\nUNION ALL\n')}`);
}
