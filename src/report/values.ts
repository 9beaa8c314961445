/** Driver values (see `reader.ts`) as the report uses them: text, numbers, 0/1 flags, JSON text. */
import type { Value } from './reader.js';

export function asText(value: Value | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString().replace(/\.000Z$/, 'Z');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function asNumber(value: Value | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** 1, true, '1', 't' and 'true' are true; null stays null (not known). */
export function asFlag(value: Value | undefined): boolean | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
  const text = String(value).toLowerCase();
  return text === '1' || text === 't' || text === 'true';
}

/** A JSON column: text (SQLite) or already parsed (jsonb). Text that is not JSON is returned as it is. */
export function asJson(value: Value | undefined): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return value instanceof Date ? value.toISOString() : value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** A `{key: value}` tag set as sorted `key=value` strings. */
export function tagList(value: Value | undefined): string[] {
  const tags = asJson(value);
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) return [];
  return Object.entries(tags as Record<string, unknown>)
    .map(([key, v]) => `${key}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .sort();
}
