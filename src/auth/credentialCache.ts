/**
 * Assumed-role credentials kept across runs (`credential_cache`), so that frequent runs do not
 * call AssumeRole every time. Only temporary credentials of assumed roles are stored — never the
 * long-term secret — in a file of mode 0600. A cache that others can read, or that belongs to
 * another user, is refused with a warning; a corrupted one is ignored with a warning. Neither
 * is ever fatal: the worst case is an extra AssumeRole.
 *
 * Writes are batched: a run that assumes 2,000 member roles puts 2,000 entries, and rewriting
 * and fsyncing the whole file for each would write it 2,000 times (quadratic in the number of
 * roles). New entries are written together at most once per `flushIntervalMs`, and when the run
 * closes the cache (or the process exits). Each write merges the entries another process wrote
 * meanwhile (two shards sharing one cache), so neither loses the other's.
 *
 * @example
 *   const cache = openCredentialCache('~/.cache/inventory-credentials.json', logger);
 *   const chain = buildCredentialChain({ params, logger, cache });
 *   // … the run …
 *   cache.close();
 */
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { Logger } from '../log/logger.js';

interface CacheEntry {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
}

interface CacheFile {
  version: 1;
  entries: Record<string, CacheEntry>;
}

export interface CredentialCache {
  get(key: CacheKey, minRemainingSeconds: number): AwsCredentialIdentity | undefined;
  /** Keeps the credentials; written to the file with the others of the next batch. */
  put(key: CacheKey, credentials: AwsCredentialIdentity): void;
  /** Writes the entries put since the last write now. */
  flush(): void;
  /** Flushes and stops the batching timer. */
  close(): void;
  /** How many times the file has been written (for logs and tests). */
  readonly writes: number;
}

export interface CacheKey {
  roleArn: string;
  sessionName: string;
  externalId: string | null;
  /**
   * Who the first credentials are (a digest, never a key or an ARN in the clear): entries of one
   * identity are never served to another. See `cacheIdentityOf` in `assumeRoleChain.ts`.
   */
  source: string;
}

export interface CredentialCacheOptions {
  /** The longest a new entry waits before it is written; default 1 s. */
  flushIntervalMs?: number;
}

export function cacheDigest(key: CacheKey): string {
  return createHash('sha256').update(JSON.stringify([key.roleArn, key.sessionName, key.externalId, key.source])).digest('hex');
}

/** Why the file may not be used, or null. Checked before it is read, and again before it is replaced. */
function refusal(path: string): string | null {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return null;
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if ((stat.mode & 0o077) !== 0) return `credential cache ${path} is readable by group or others; ignoring it. Fix: chmod 600 ${path}`;
  if (uid !== undefined && stat.uid !== uid) return `credential cache ${path} belongs to another user; ignoring it. Fix: remove it or point credential_cache elsewhere`;
  return null;
}

export function openCredentialCache(path: string, logger: Logger, options: CredentialCacheOptions = {}): CredentialCache {
  const flushIntervalMs = options.flushIntervalMs ?? 1000;
  let entries: Record<string, CacheEntry> = {};
  /** Entries put since the last write. */
  let dirty = new Map<string, CacheEntry>();
  let usable = true;
  let writes = 0;
  let timer: NodeJS.Timeout | undefined;

  const refused = refusal(path);
  if (refused !== null) {
    usable = false;
    logger.warn({ path }, refused);
  } else {
    try {
      entries = parseCache(readFileSync(path, 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        logger.warn({ path }, `credential cache ${path} is unreadable or corrupted; starting a new one (${code ?? (error as Error).message})`);
      }
    }
  }

  // A run that ends without closing the cache (an error, a signal handled by exiting) still keeps
  // what it obtained: listened for only while entries wait to be written.
  const onExit = () => flush();
  const flush = () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
      process.off('exit', onExit);
    }
    if (!usable || dirty.size === 0) return;
    const batch = dirty;
    dirty = new Map();
    const now = Date.now();
    // What another process wrote since this one read the file, then this run's entries over it.
    let onDisk: Record<string, CacheEntry> = {};
    if (refusal(path) === null) {
      try {
        onDisk = parseCache(readFileSync(path, 'utf8'));
      } catch {
        // Missing or corrupted: replaced by what this run knows.
      }
    }
    const live: Record<string, CacheEntry> = {};
    for (const source of [onDisk, entries, Object.fromEntries(batch)]) {
      for (const [k, v] of Object.entries(source)) if (Date.parse(v.expiration) > now) live[k] = v;
    }
    entries = live;
    const body: CacheFile = { version: 1, entries: live };
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify(body));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      chmodSync(tmp, 0o600);
      renameSync(tmp, path);
      writes += 1;
    } catch (error) {
      logger.warn({ path }, `cannot write credential cache ${path}: ${(error as Error).message}`);
    }
  };

  return {
    get(key, minRemainingSeconds) {
      if (!usable) return undefined;
      const digest = cacheDigest(key);
      const entry = dirty.get(digest) ?? entries[digest];
      if (!entry) return undefined;
      const expiration = new Date(entry.expiration);
      if (Number.isNaN(expiration.getTime()) || expiration.getTime() - Date.now() <= minRemainingSeconds * 1000) return undefined;
      return { accessKeyId: entry.accessKeyId, secretAccessKey: entry.secretAccessKey, sessionToken: entry.sessionToken, expiration };
    },
    put(key, credentials) {
      if (!usable || credentials.sessionToken === undefined || credentials.expiration === undefined) return;
      dirty.set(cacheDigest(key), {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
        expiration: credentials.expiration.toISOString(),
      });
      if (timer === undefined) {
        timer = setTimeout(flush, flushIntervalMs);
        timer.unref();
        process.once('exit', onExit);
      }
    },
    flush,
    close: flush,
    get writes() {
      return writes;
    },
  };
}

function parseCache(text: string): Record<string, CacheEntry> {
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || (parsed as { version?: unknown }).version !== 1) {
    throw new Error('not a version 1 credential cache');
  }
  const entries = (parsed as { entries?: unknown }).entries;
  if (entries === null || typeof entries !== 'object') throw new Error('no entries');
  const out: Record<string, CacheEntry> = {};
  for (const [k, v] of Object.entries(entries as Record<string, unknown>)) {
    const e = v as Partial<CacheEntry>;
    if (typeof e.accessKeyId === 'string' && typeof e.secretAccessKey === 'string' && typeof e.sessionToken === 'string' && typeof e.expiration === 'string') {
      out[k] = e as CacheEntry;
    }
  }
  return out;
}
