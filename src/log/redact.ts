/**
 * The process-wide registry of secret values. Whatever learns a secret (the parameter loader, the
 * authenticator when it receives session credentials) registers it here; everything that writes
 * text a person or a file will see (the logger, the CLI's error printer, the recorder) passes it
 * through `scrub` first. Matching values rather than field names also catches a secret that
 * travelled into an error message or a URL.
 */

export const REDACTED = '***';

/** Shorter values would blank out ordinary text; no real secret is this short. */
const MIN_SECRET_LENGTH = 4;

/** Secrets shorter than this are matched only as whole words. */
const WHOLE_WORD_BELOW = 12;

const secrets = new Set<string>();
let pattern: RegExp | null = null;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The forms a secret takes once it has been URL-encoded or embedded in a JSON string. */
function variantsOf(value: string): string[] {
  const variants = new Set<string>([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
  return [...variants];
}

/** Remember a secret so that `scrub` removes it from any text. Null, undefined and empty are ignored. */
export function registerSecret(value: string | null | undefined): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  let added = false;
  for (const variant of variantsOf(value)) {
    if (!secrets.has(variant)) {
      secrets.add(variant);
      added = true;
    }
  }
  if (added) pattern = null;
}

/** Replace every registered secret in `text` by `***`. */
export function scrub(text: string): string {
  if (secrets.size === 0) return text;
  if (pattern === null) {
    // Longest first, so a secret that contains another is removed whole.
    const alternatives = [...secrets]
      .sort((a, b) => b.length - a.length)
      // A short secret (a six-digit MFA code) only counts as a whole word, so that it does not
      // blank out the middle of an account id or a timestamp.
      .map((secret) => (secret.length < WHOLE_WORD_BELOW ? `(?<![A-Za-z0-9])${escapeRegExp(secret)}(?![A-Za-z0-9])` : escapeRegExp(secret)));
    pattern = new RegExp(alternatives.join('|'), 'g');
  }
  return text.replace(pattern, REDACTED);
}

/** True when `text` contains a registered secret. */
export function containsSecret(text: string): boolean {
  return scrub(text) !== text;
}

/** Forget every registered secret; for tests that need a clean registry. */
export function clearSecrets(): void {
  secrets.clear();
  pattern = null;
}
