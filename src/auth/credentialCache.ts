/**
 * Assumed-role credentials kept across runs (`credential_cache`), so that frequent runs do not
 * call AssumeRole every time. Only temporary credentials of assumed roles are stored — never the
 * long-term secret — in a file of mode 0600. A cache that others can read, or that belongs to
 * another user, is refused with a warning; a corrupted one is ignored with a warning. Neither
 * is ever fatal: the worst case is an extra AssumeRole.
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
  put(key: CacheKey, credentials: AwsCredentialIdentity): void;
}

export interface CacheKey {
  roleArn: string;
  sessionName: string;
  externalId: string | null;
  /** Distinguishes caches fed by different first credentials (a digest, never the key itself). */
  source: string;
}

export function cacheDigest(key: CacheKey): string {
  return createHash('sha256').update(JSON.stringify([key.roleArn, key.sessionName, key.externalId, key.source])).digest('hex');
}

export function openCredentialCache(path: string, logger: Logger): CredentialCache {
  let entries: Record<string, CacheEntry> = {};
  let usable = true;
  try {
    const stat = statSync(path);
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    if ((stat.mode & 0o077) !== 0) {
      usable = false;
      logger.warn({ path }, `credential cache ${path} is readable by group or others; ignoring it. Fix: chmod 600 ${path}`);
    } else if (uid !== undefined && stat.uid !== uid) {
      usable = false;
      logger.warn({ path }, `credential cache ${path} belongs to another user; ignoring it. Fix: remove it or point credential_cache elsewhere`);
    } else {
      entries = parseCache(readFileSync(path, 'utf8'));
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      logger.warn({ path }, `credential cache ${path} is unreadable or corrupted; starting a new one (${code ?? (error as Error).message})`);
    }
  }

  const save = () => {
    if (!usable) return;
    const now = Date.now();
    const live: Record<string, CacheEntry> = {};
    for (const [k, v] of Object.entries(entries)) if (Date.parse(v.expiration) > now) live[k] = v;
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
    } catch (error) {
      logger.warn({ path }, `cannot write credential cache ${path}: ${(error as Error).message}`);
    }
  };

  return {
    get(key, minRemainingSeconds) {
      if (!usable) return undefined;
      const entry = entries[cacheDigest(key)];
      if (!entry) return undefined;
      const expiration = new Date(entry.expiration);
      if (Number.isNaN(expiration.getTime()) || expiration.getTime() - Date.now() <= minRemainingSeconds * 1000) return undefined;
      return { accessKeyId: entry.accessKeyId, secretAccessKey: entry.secretAccessKey, sessionToken: entry.sessionToken, expiration };
    },
    put(key, credentials) {
      if (!usable || credentials.sessionToken === undefined || credentials.expiration === undefined) return;
      entries[cacheDigest(key)] = {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
        expiration: credentials.expiration.toISOString(),
      };
      save();
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
