/**
 * Seeded randomness. Every random choice of the simulator (the generated organization, which
 * request gets a fault, latency jitter) comes from here so that one seed gives one world.
 */

/** mulberry32: tiny, fast, and good enough to spread faults and names evenly. */
export function createPrng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 32-bit hash (FNV-1a) of a string, for values derived from a name rather than a sequence. */
export function hashString(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function randomString(random: () => number, length: number, alphabet = LOWER_ALNUM): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

export function randomUpper(random: () => number, length: number): string {
  return randomString(random, length, UPPER_ALNUM);
}

export function randomDigits(random: () => number, length: number): string {
  return randomString(random, length, '0123456789');
}
