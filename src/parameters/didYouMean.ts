/**
 * The nearest known name for a misspelled one, so that `secret_key` suggests `secret_access_key`
 * and `Region` suggests `region`.
 */

/** Levenshtein distance: insertions, deletions and substitutions each cost one. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Case, hyphens and underscores do not tell names apart: `Secret-Access-Key` is `secret_access_key`. */
function squash(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[-_\s]+/)
    .filter((w) => w.length > 0);
}

/** Every word of `name` starts a word of `candidate`: `secret_key` ⊂ `secret_access_key`. */
function wordsContained(name: string, candidate: string): boolean {
  const candidateWords = words(candidate);
  const nameWords = words(name);
  return nameWords.length > 0 && nameWords.every((w) => candidateWords.some((c) => c.startsWith(w)));
}

/** The best suggestion among `known` for `name`, or null when nothing is close. */
export function didYouMean(name: string, known: readonly string[]): string | null {
  const squashed = squash(name);
  let best: { candidate: string; score: number } | null = null;
  for (const candidate of known) {
    const distance = editDistance(squashed, squash(candidate));
    const close = distance <= Math.max(2, Math.floor(squashed.length / 3)) || wordsContained(name, candidate);
    if (close && (best === null || distance < best.score)) best = { candidate, score: distance };
  }
  return best?.candidate ?? null;
}
