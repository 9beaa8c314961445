/** Event bodies: what fits goes whole, what does not is split into parts that rebuild it exactly. */
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, RESOURCE_CHANGED, eventId, eventMessages, sliceJsonText, sqsSafeJson } from '../../src/publish/events.js';
import type { ResourceChangedEvent } from '../../src/publish/events.js';

function changed(values: Record<string, string | number | null>): ResourceChangedEvent {
  return {
    schema_version: 1,
    type: RESOURCE_CHANGED,
    event_id: eventId([7, null, 'sqs_queues', '{"name":"q"}', 42]),
    sequence: 42,
    run_id: 7,
    shard: null,
    table: 'sqs_queues',
    primary_key: { name: 'q' },
    change: 'modified',
    changed_columns: ['policy'],
    detected_at: '2026-01-01T00:00:00.000Z',
    values,
  };
}

/** What a consumer does: parse each part, put the slices together in index order. */
function reassemble(bodies: string[]): unknown {
  const parts = bodies.map((b) => JSON.parse(b) as { part: { index: number; count: number }; values_part: string });
  parts.sort((a, b) => a.part.index - b.part.index);
  return JSON.parse(parts.map((p) => p.values_part).join(''));
}

describe('eventMessages', () => {
  it('sends a small event as one message whose deduplication id is the event id', () => {
    const event = changed({ name: 'q', policy: '{}' });
    const messages = eventMessages(event);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]?.body ?? '')).toEqual(event);
    expect(messages[0]?.deduplicationId).toBe(event.event_id);
    expect(event.event_id).toMatch(/^[0-9a-f]{40}$/);
  });

  it('splits an event over the size limit into parts under it, which rebuild the values exactly', () => {
    // Multi-byte characters, escapes and astral code points, so byte and character counts differ.
    const policy = JSON.stringify({ Statement: Array.from({ length: 6000 }, (_, i) => ({ Sid: `s${i}-é€😀"\\\n`, Effect: 'Allow' })) });
    const event = changed({ name: 'q', policy });
    expect(Buffer.byteLength(sqsSafeJson(event))).toBeGreaterThan(MAX_MESSAGE_BYTES);
    const messages = eventMessages(event);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(Buffer.byteLength(m.body, 'utf8')).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(reassemble(messages.map((m) => m.body))).toEqual(event.values);
    const first = JSON.parse(messages[0]?.body ?? '') as Record<string, unknown>;
    expect(first).toMatchObject({ event_id: event.event_id, sequence: 42, table: 'sqs_queues', change: 'modified', part: { index: 1, count: messages.length } });
    expect(first.values).toBeUndefined();
    expect(messages.map((m) => m.deduplicationId)).toEqual(messages.map((_, i) => `${event.event_id}-${i + 1}`));
  });

  it('splits at a small limit too, never inside a surrogate pair', () => {
    const event = changed({ name: 'q', policy: '😀'.repeat(3000) });
    const messages = eventMessages(event, 2048);
    for (const m of messages) {
      expect(Buffer.byteLength(m.body, 'utf8')).toBeLessThanOrEqual(2048);
      expect((JSON.parse(m.body) as { values_part: string }).values_part).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
    expect(reassemble(messages.map((m) => m.body))).toEqual(event.values);
  });

  it('escapes the two characters SQS refuses that JSON leaves alone', () => {
    const body = sqsSafeJson({ tag: 'a\uFFFEb\uFFFFc\u0001' });
    expect([...body].filter((c) => c === '\uFFFE' || c === '\uFFFF' || c.charCodeAt(0) < 0x20)).toEqual([]);
    expect(JSON.parse(body)).toEqual({ tag: 'a\uFFFEb\uFFFFc\u0001' });
  });
});

describe('sliceJsonText', () => {
  it('keeps every slice within the budget, counting escapes', () => {
    const text = '"\\'.repeat(100);
    const slices = sliceJsonText(text, 10);
    expect(slices.join('')).toBe(text);
    for (const s of slices) expect(Buffer.byteLength(JSON.stringify(s)) - 2).toBeLessThanOrEqual(10);
  });
});
