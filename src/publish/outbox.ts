/**
 * The publisher's side of the `outbox` table: unsent entries in sequence order, a page at a time
 * (a run with a hundred thousand changes is never loaded whole), and the bookkeeping of what SQS
 * accepted or refused.
 */
import type Database from 'better-sqlite3';

export interface OutboxEntry {
  seq: number;
  runId: number;
  eventType: string;
  messageGroup: string;
  deduplicationId: string;
  body: string;
  /** UTF-8 size of `body`. */
  bytes: number;
  attempts: number;
}

interface EntryRow {
  seq: number;
  run_id: number;
  event_type: string;
  message_group: string;
  deduplication_id: string;
  body: string;
  attempts: number;
}

export class Outbox {
  private readonly page: Database.Statement<[number, number], EntryRow>;
  private readonly sent: Database.Statement<[string, string | null, number]>;
  private readonly failed: Database.Statement<[string, number]>;

  constructor(private readonly db: Database.Database) {
    this.page = db.prepare<[number, number], EntryRow>(
      'SELECT seq, run_id, event_type, message_group, deduplication_id, body, attempts FROM outbox WHERE sent_at IS NULL AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.sent = db.prepare('UPDATE outbox SET sent_at = ?, message_id = ?, attempts = attempts + 1, last_error = NULL WHERE seq = ?');
    this.failed = db.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?');
  }

  /** Unsent entries, oldest first, read `pageSize` at a time. */
  *unsent(pageSize = 500): Generator<OutboxEntry> {
    let after = 0;
    for (;;) {
      const rows = this.page.all(after, pageSize);
      for (const row of rows) {
        yield {
          seq: row.seq,
          runId: row.run_id,
          eventType: row.event_type,
          messageGroup: row.message_group,
          deduplicationId: row.deduplication_id,
          body: row.body,
          bytes: Buffer.byteLength(row.body, 'utf8'),
          attempts: row.attempts,
        };
      }
      const last = rows.at(-1);
      if (last === undefined || rows.length < pageSize) return;
      after = last.seq;
    }
  }

  /** The entries SQS reported successful, in one transaction. */
  markSent(entries: ReadonlyArray<{ seq: number; messageId: string | null }>, sentAt: Date): void {
    const at = sentAt.toISOString();
    this.db.transaction(() => {
      for (const entry of entries) this.sent.run(at, entry.messageId, entry.seq);
    })();
  }

  /** The entries SQS refused (or that could not be tried): they stay unsent, with the reason. */
  markFailed(entries: ReadonlyArray<{ seq: number; error: string }>): void {
    this.db.transaction(() => {
      for (const entry of entries) this.failed.run(entry.error, entry.seq);
    })();
  }

  unsentCount(): number {
    return Number(this.db.prepare('SELECT count(*) FROM outbox WHERE sent_at IS NULL').pluck().get());
  }

  /**
   * Deletes sent entries of runs before `runId`: the outbox keeps what is unsent, plus the latest
   * run's sent entries as a record of what went out.
   */
  pruneSent(runId: number): number {
    return this.db.prepare('DELETE FROM outbox WHERE sent_at IS NOT NULL AND run_id < ?').run(runId).changes;
  }
}
