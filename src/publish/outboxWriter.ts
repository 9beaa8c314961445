/**
 * Puts events into the `outbox` table, called by the SQLite store inside the transactions that
 * record changes: a change committed to the inventory always has its event committed with it,
 * and a rolled-back batch takes its events along. The publisher (`publishEvents`) sends them later.
 *
 * Each event is stored as the SQS messages it becomes (one, or the parts of a split event), with
 * its message group and deduplication id, so a resend is byte for byte the first send.
 */
import type Database from 'better-sqlite3';
import type { SqlValue } from '../crawl/table.js';
import type { PublishParameters } from '../parameters/schema.js';
import { quoteIdent } from '../sinks/sqlite/tableShape.js';
import type { TableShape } from '../sinks/sqlite/tableShape.js';
import type { RunStart, RunSummary } from '../sinks/store.js';
import { EVENT_SCHEMA_VERSION, RESOURCE_CHANGED, RUN_COMPLETED, eventId, eventMessages } from './events.js';
import type { ChangeKind, InventoryEvent } from './events.js';

/** FIFO message group of the run events; resource tables use their own name (`runs` is reserved for the store). */
export const RUN_MESSAGE_GROUP = 'runs';

export interface OutboxWriterOptions {
  events: PublishParameters['events'];
  /** Clock for `detected_at`; tests pass a fixed one. */
  now?: () => Date;
}

export class OutboxWriter {
  private readonly insert: Database.Statement<unknown[]>;
  private readonly selectByKey = new Map<string, Database.Statement<SqlValue[], Record<string, SqlValue>>>();
  private readonly now: () => Date;
  private readonly changes: boolean;
  private readonly runs: boolean;
  private nextSeq = 1;
  private changeEvents = 0;
  private startedAt = '';

  constructor(
    private readonly db: Database.Database,
    options: OutboxWriterOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.changes = options.events.includes('changes');
    this.runs = options.events.includes('run');
    this.insert = db.prepare(
      `INSERT INTO outbox (seq, run_id, shard, event_type, table_name, primary_key, message_group, deduplication_id, body, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Call when the run begins: sequences continue after every entry ever written, sent or not. */
  beginRun(startedAt: string): void {
    // In every event id, so that two databases publishing to one queue never share an id.
    this.startedAt = startedAt;
    // AUTOINCREMENT remembers the highest sequence even after sent entries are pruned.
    const last = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").pluck().get() as number | undefined;
    const max = this.db.prepare('SELECT max(seq) FROM outbox').pluck().get() as number | null;
    this.nextSeq = Math.max(last ?? 0, max ?? 0) + 1;
    this.changeEvents = 0;
  }

  /** The event of one recorded change; reads the row's values as they are now stored. */
  change(shape: TableShape, runId: number, shard: string | null, primaryKeyJson: string, change: ChangeKind, changedColumns: readonly string[] | null): void {
    if (!this.changes) return;
    const key = JSON.parse(primaryKeyJson) as Record<string, SqlValue>;
    const stored = this.statementFor(shape).get(...shape.primaryKey.map((c) => key[c] ?? null));
    const values: Record<string, SqlValue> = {};
    for (const column of shape.columns) values[column.name] = stored?.[column.name] ?? null;
    const sequence = this.nextSeq;
    this.changeEvents += 1;
    this.write({
      schema_version: EVENT_SCHEMA_VERSION,
      type: RESOURCE_CHANGED,
      event_id: eventId([runId, shard, this.startedAt, shape.name, primaryKeyJson, sequence]),
      sequence,
      run_id: runId,
      shard,
      table: shape.name,
      primary_key: key,
      change,
      changed_columns: changedColumns === null ? null : [...changedColumns],
      detected_at: this.now().toISOString(),
      values,
    });
  }

  /** The run's closing event, written last so it leaves the outbox after the run's changes. */
  runCompleted(summary: RunSummary, start: RunStart): void {
    if (!this.runs) return;
    const sequence = this.nextSeq;
    this.write({
      schema_version: EVENT_SCHEMA_VERSION,
      type: RUN_COMPLETED,
      event_id: eventId([summary.runId, start.shard, start.startedAt, RUN_COMPLETED]),
      sequence,
      run_id: summary.runId,
      shard: start.shard,
      status: summary.status,
      started_at: summary.startedAt,
      finished_at: summary.finishedAt,
      tool_version: start.toolVersion,
      rows: summary.rows,
      changes: summary.changes,
      error_count: summary.errorCount,
      change_events: this.changeEvents,
    });
  }

  private write(event: InventoryEvent): void {
    const group = event.type === RUN_COMPLETED ? RUN_MESSAGE_GROUP : event.table;
    const table = event.type === RUN_COMPLETED ? null : event.table;
    const key = event.type === RUN_COMPLETED ? null : JSON.stringify(event.primary_key);
    const createdAt = this.now().toISOString();
    // Parts get sequences of their own, right after each other: the outbox sends them in order.
    for (const message of eventMessages(event)) {
      this.insert.run(this.nextSeq++, event.run_id, event.shard, event.type, table, key, group, message.deduplicationId, message.body, createdAt);
    }
  }

  private statementFor(shape: TableShape): Database.Statement<SqlValue[], Record<string, SqlValue>> {
    let statement = this.selectByKey.get(shape.name);
    if (statement === undefined) {
      const columns = shape.columns.map((c) => quoteIdent(c.name)).join(', ');
      const where = shape.primaryKey.map((c) => `${quoteIdent(c)} = ?`).join(' AND ');
      statement = this.db.prepare<SqlValue[], Record<string, SqlValue>>(`SELECT ${columns} FROM ${quoteIdent(shape.name)} WHERE ${where}`);
      this.selectByKey.set(shape.name, statement);
    }
    return statement;
  }
}
