/**
 * The process-wide registry of secret values. Whatever learns a secret (the parameter loader, the
 * authenticator when it receives session credentials) registers it here; everything that writes
 * text a person or a file will see (the logger, the CLI's error printer, the recorder) passes it
 * through `scrub` first. Matching values rather than field names also catches a secret that
 * travelled into an error message or a URL.
 *
 * A crawl of thousands of accounts registers thousands of session credentials, and every log line
 * is scrubbed, so long secrets are found through a map keyed by their last characters: one lookup
 * per position of the text, whatever the number of secrets. (One regular expression with an
 * alternative per secret costs time in proportion to their number, on every line.) The last
 * characters, not the first: AWS session tokens all begin alike (`IQoJb3JpZ2luX2Vj…`).
 */

export const REDACTED = '***';

/** Shorter values would blank out ordinary text; no real secret is this short. */
const MIN_SECRET_LENGTH = 4;
/** Secrets at least this long are looked up by this many trailing characters; shorter ones only match as whole words. */
const KEY_LENGTH = 12;

/** Long secrets (and their escaped forms) by their last KEY_LENGTH characters. */
const longSecrets = new Map<string, string[]>();
const shortSecrets = new Set<string>();
let shortPattern: RegExp | null = null;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The forms a secret takes once it has been URL-encoded or embedded in a JSON string. */
function variantsOf(value: string): string[] {
  return [...new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])];
}

function addLong(secret: string): void {
  const key = secret.slice(-KEY_LENGTH);
  const bucket = longSecrets.get(key);
  if (bucket === undefined) longSecrets.set(key, [secret]);
  else if (!bucket.includes(secret)) bucket.push(secret);
}

/** Remember a secret so that `scrub` removes it from any text. Null, undefined and very short values are ignored. */
export function registerSecret(value: string | null | undefined): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  for (const variant of variantsOf(value)) {
    if (variant.length >= KEY_LENGTH) {
      addLong(variant);
    } else if (!shortSecrets.has(variant)) {
      shortSecrets.add(variant);
      shortPattern = null;
    }
  }
}

function scrubLong(text: string): string {
  // Every occurrence first, then overlapping ones merged: a secret that contains another, or two
  // that overlap, become one `***` and leave no piece behind.
  const ranges: [number, number][] = [];
  for (let end = KEY_LENGTH; end <= text.length; end++) {
    const bucket = longSecrets.get(text.slice(end - KEY_LENGTH, end));
    if (bucket === undefined) continue;
    for (const secret of bucket) {
      const start = end - secret.length;
      if (start >= 0 && text.startsWith(secret, start)) ranges.push([start, end]);
    }
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let result = '';
  let copiedUpTo = 0;
  let current: [number, number] | null = null;
  for (const range of ranges) {
    if (current !== null && range[0] <= current[1]) {
      current[1] = Math.max(current[1], range[1]);
      continue;
    }
    if (current !== null) {
      result += text.slice(copiedUpTo, current[0]) + REDACTED;
      copiedUpTo = current[1];
    }
    current = [range[0], range[1]];
  }
  if (current !== null) {
    result += text.slice(copiedUpTo, current[0]) + REDACTED;
    copiedUpTo = current[1];
  }
  return result + text.slice(copiedUpTo);
}

function scrubShort(text: string): string {
  if (shortPattern === null) {
    // A short secret (a six-digit MFA code) only counts as a whole word, so that it does not blank
    // out the middle of an account id or a timestamp.
    const alternatives = [...shortSecrets].sort((a, b) => b.length - a.length).map((secret) => `(?<![A-Za-z0-9])${escapeRegExp(secret)}(?![A-Za-z0-9])`);
    shortPattern = new RegExp(alternatives.join('|'), 'g');
  }
  return text.replace(shortPattern, REDACTED);
}

/** Replace every registered secret in `text` by `***`. */
export function scrub(text: string): string {
  let clean = text;
  if (longSecrets.size > 0) clean = scrubLong(clean);
  if (shortSecrets.size > 0) clean = scrubShort(clean);
  return clean;
}

/** True when `text` contains a registered secret. */
export function containsSecret(text: string): boolean {
  return scrub(text) !== text;
}

/** Forget every registered secret; for tests that need a clean registry. */
export function clearSecrets(): void {
  longSecrets.clear();
  shortSecrets.clear();
  shortPattern = null;
}
