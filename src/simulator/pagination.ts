/** Opaque, list-bound page tokens, like AWS's: a token from one list is refused by another. */
import { hashString } from './prng.js';

export interface PagePosition {
  offset: number;
  /** How many pages came before this one (drives the deterministic empty pages). */
  page: number;
}

export function encodePageToken(scope: string, position: PagePosition): string {
  const raw = `${hashString(scope).toString(36)}.${position.offset.toString(36)}.${position.page.toString(36)}`;
  return Buffer.from(raw, 'utf8').toString('base64url');
}

/** The position a token points at, or undefined when it is malformed or belongs to another list. */
export function decodePageToken(scope: string, token: string): PagePosition | undefined {
  const parts = Buffer.from(token, 'base64url').toString('utf8').split('.');
  if (parts.length !== 3 || parts[0] !== hashString(scope).toString(36)) return undefined;
  const offset = parseInt(parts[1] ?? '', 36);
  const page = parseInt(parts[2] ?? '', 36);
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(page) || offset < 0 || page < 0) return undefined;
  return { offset, page };
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * One page of `items` from a position. With `emptyPageEvery` > 0, every such page (offset by
 * the seed) is empty yet carries a NextToken, as Organizations sometimes answers.
 */
export function pageOf<T>(items: readonly T[], scope: string, position: PagePosition, pageSize: number, emptyPageEvery = 0, seed = 0): Page<T> {
  const remaining = items.length - position.offset;
  if (remaining > 0 && emptyPageEvery > 0 && (position.page + seed) % emptyPageEvery === emptyPageEvery - 1) {
    return { items: [], nextToken: encodePageToken(scope, { offset: position.offset, page: position.page + 1 }) };
  }
  const end = Math.min(items.length, position.offset + pageSize);
  const page: Page<T> = { items: items.slice(position.offset, end) };
  if (end < items.length) page.nextToken = encodePageToken(scope, { offset: end, page: position.page + 1 });
  return page;
}
