/**
 * The events published to SQS, version 1 of their JSON schema (documented in the README,
 * "Publishing events"). A consumer tells the versions apart by `schema_version`; fields are only
 * ever added within a version.
 *
 * Messages are kept to 256 KiB: SQS's limit until August 2025, and still the MaximumMessageSize of
 * queues created before then (a queue keeps its setting; 1 MiB is only the new maximum and
 * default). An event larger than that is never truncated: it is split
 * into parts that carry the same `event_id`, `part: {index, count}`, and a slice of the JSON text
 * of `values` in `values_part`; concatenated in `index` order the slices parse to `values`.
 */
import { createHash } from 'node:crypto';
import type { SqlValue } from '../crawl/table.js';

export const EVENT_SCHEMA_VERSION = 1;
/** The size of one message and of one SendMessageBatch request: the limit every SQS queue accepts. */
export const MAX_MESSAGE_BYTES = 262_144;

export const RUN_COMPLETED = 'inventory.run.completed';
export const RESOURCE_CHANGED = 'inventory.resource.changed';
export type EventType = typeof RUN_COMPLETED | typeof RESOURCE_CHANGED;
export type ChangeKind = 'added' | 'modified' | 'removed';

interface Envelope {
  schema_version: typeof EVENT_SCHEMA_VERSION;
  /** The same for every part of a split event, and for every resend of it. */
  event_id: string;
  /** Position in the database's outbox: increasing across runs, so consumers can restore order. */
  sequence: number;
  run_id: number;
  /** `K/N` when the run was one shard of a sharded crawl. */
  shard: string | null;
}

export interface ResourceChangedEvent extends Envelope {
  type: typeof RESOURCE_CHANGED;
  table: string;
  primary_key: Record<string, SqlValue>;
  change: ChangeKind;
  /** The columns whose value changed (`modified` only). */
  changed_columns: string[] | null;
  /** ISO-8601 UTC: when the run recorded the change. */
  detected_at: string;
  /** The row's new values; for `removed`, the last values it had. */
  values: Record<string, SqlValue>;
}

export interface RunCompletedEvent extends Envelope {
  type: typeof RUN_COMPLETED;
  status: 'succeeded' | 'partial' | 'failed';
  started_at: string;
  finished_at: string;
  tool_version: string;
  rows: Record<string, number>;
  changes: Record<string, { added: number; modified: number; removed: number }>;
  error_count: number;
  /** How many `inventory.resource.changed` events this run put in the outbox. */
  change_events: number;
}

export type InventoryEvent = ResourceChangedEvent | RunCompletedEvent;

/** One SQS message of an event: the whole event, or one part of a split one. */
export interface EventMessage {
  body: string;
  /** MessageDeduplicationId on FIFO queues: the event id, with `-<index>` for a part. */
  deduplicationId: string;
}

/** sha256 of what identifies the event, 40 hex digits: a valid MessageDeduplicationId. */
export function eventId(parts: ReadonlyArray<string | number | null>): string {
  return createHash('sha256')
    .update(parts.map((p) => (p === null ? '' : String(p))).join('\n'))
    .digest('hex')
    .slice(0, 40);
}

/**
 * JSON that SQS accepts: JSON.stringify escapes control characters and lone surrogates, but not
 * U+FFFE and U+FFFF, which SQS refuses in a message body.
 */
export function sqsSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The messages of an event: one when it fits in `limit` bytes, else its parts. */
export function eventMessages(event: InventoryEvent, limit = MAX_MESSAGE_BYTES): EventMessage[] {
  const whole = sqsSafeJson(event);
  if (bytes(whole) <= limit) return [{ body: whole, deduplicationId: event.event_id }];
  if (event.type !== RESOURCE_CHANGED) throw new RangeError(`A ${event.type} event of ${bytes(whole)} bytes exceeds ${limit} bytes.`);
  const { values, ...envelope } = event;
  // The envelope with the widest part numbers it could carry and an empty slice: what a part costs besides its slice.
  const overhead = bytes(sqsSafeJson({ ...envelope, part: { index: 999_999, count: 999_999 }, values_part: '' }));
  const budget = limit - overhead;
  if (budget < 64) throw new RangeError(`The envelope of event ${event.event_id} leaves no room for its values within ${limit} bytes.`);
  const slices = sliceJsonText(sqsSafeJson(values), budget);
  return slices.map((slice, i) => ({
    body: sqsSafeJson({ ...envelope, part: { index: i + 1, count: slices.length }, values_part: slice }),
    deduplicationId: `${event.event_id}-${i + 1}`,
  }));
}

/**
 * Cuts text into slices whose JSON string form (escapes included, quotes excluded) takes at most
 * `budget` UTF-8 bytes, never inside a code point.
 */
export function sliceJsonText(text: string, budget: number): string[] {
  const slices: string[] = [];
  let start = 0;
  let used = 0;
  let index = 0;
  while (index < text.length) {
    const code = text.codePointAt(index) ?? 0;
    const width = code > 0xffff ? 2 : 1;
    const cost = bytes(JSON.stringify(String.fromCodePoint(code))) - 2;
    if (used + cost > budget && index > start) {
      slices.push(text.slice(start, index));
      start = index;
      used = 0;
    }
    used += cost;
    index += width;
  }
  if (index > start || slices.length === 0) slices.push(text.slice(start));
  return slices;
}
