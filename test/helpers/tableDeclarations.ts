/**
 * Small hand-made table declarations for the sink tests: one per scope, with a volatile column,
 * JSON text and a compound key, so every rule of the store can be exercised without the crawl.
 */
import type { ColumnDeclaration, Row, Scope, TableDeclaration } from '../../src/crawl/table.js';
import type { RunStart } from '../../src/sinks/store.js';

/** A table whose every column comes from its (empty) listing: the store never runs the steps. */
export function declare(name: string, scope: Scope, columns: ColumnDeclaration[], primaryKey: string[]): TableDeclaration {
  return {
    name,
    description: `test table ${name}`,
    resource: scope === 'organization' ? 'organizations' : 'sqs',
    scope,
    columns: columns.map((column) => ({ ...column, from: 'test:List' })),
    primaryKey,
    list: {
      call: 'test:List',
      // eslint-disable-next-line require-yield
      async *items() {
        return;
      },
      columns: columns.map((c) => c.name),
      row: () => ({}),
    },
    enrich: [],
  };
}

export const units = declare(
  'units',
  'organization',
  [
    { name: 'id', type: 'TEXT', nullable: false, description: 'unit id' },
    { name: 'name', type: 'TEXT', description: 'unit name' },
  ],
  ['id'],
);

export const queues = declare(
  'queues',
  'account-region',
  [
    { name: 'name', type: 'TEXT', nullable: false, description: 'queue name' },
    { name: 'arn', type: 'TEXT', description: 'queue ARN' },
    { name: 'visibility_timeout', type: 'INTEGER', description: 'seconds' },
    { name: 'message_count', type: 'INTEGER', volatile: true, description: 'approximate messages' },
    { name: 'policy', type: 'TEXT', json: true, description: 'queue policy' },
    { name: 'tags', type: 'TEXT', json: true, description: 'tags' },
  ],
  ['account_id', 'region', 'name'],
);

export const profiles = declare(
  'profiles',
  'account',
  [{ name: 'alias', type: 'TEXT', nullable: false, description: 'account alias' }, { name: 'note', type: 'TEXT', description: 'free text' }],
  ['account_id', 'alias'],
);

export function queueRow(accountId: string, region: string, name: string, extra: Partial<Row> = {}): Row {
  return {
    partition: 'aws',
    account_id: accountId,
    region,
    name,
    arn: `arn:aws:sqs:${region}:${accountId}:${name}`,
    visibility_timeout: 30,
    message_count: 0,
    policy: null,
    tags: '{}',
    ...extra,
  };
}

export function runStart(tables: TableDeclaration[], shard: string | null = null): RunStart {
  return { startedAt: '2026-01-01T00:00:00Z', toolVersion: '0.0.0-test', parameterDigest: 'digest', shard, tables };
}
