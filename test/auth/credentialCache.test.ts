/**
 * The credential cache across runs: only assumed-role credentials, mode 0600, refused when
 * others can read it, ignored when corrupted, and reused until the refresh window.
 */
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCredentialChain } from '../../src/auth/assumeRoleChain.js';
import { openCredentialCache } from '../../src/auth/credentialCache.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { collectLogs, parametersFor, tempDir } from '../helpers/harness.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const key = { roleArn: 'arn:aws:iam::123456789012:role/R', sessionName: 's', externalId: 'x1', source: 'abc' };

describe('the credential cache', () => {
  it('lets a second run reuse the first run’s assumed-role credentials, and stores no long-term secret', async () => {
    sim = await startSimulator({ accounts: 1 });
    const file = path.join(tempDir(), 'credentials.json');
    const params = parametersFor(sim, { credential_cache: file });
    const logs = collectLogs();
    const first = buildCredentialChain({ params, logger: logs.logger, cache: openCredentialCache(file, logs.logger) });
    const a = await first.management();
    expect(sim.counters().assumeRole).toBe(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(sim.bootstrap.secretAccessKey);
    expect(text).not.toContain(sim.bootstrap.accessKeyId);

    const second = buildCredentialChain({ params, logger: logs.logger, cache: openCredentialCache(file, logs.logger) });
    const b = await second.management();
    expect(b.accessKeyId).toBe(a.accessKeyId);
    expect(sim.counters().assumeRole).toBe(1);
  });

  it('does not serve credentials inside the refresh window', () => {
    const file = path.join(tempDir(), 'c.json');
    const logs = collectLogs();
    const cache = openCredentialCache(file, logs.logger);
    cache.put(key, { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + 200_000) });
    expect(openCredentialCache(file, logs.logger).get(key, 100)?.accessKeyId).toBe('ASIA1');
    expect(openCredentialCache(file, logs.logger).get(key, 300)).toBeUndefined();
    expect(openCredentialCache(file, logs.logger).get({ ...key, externalId: 'other' }, 100)).toBeUndefined();
  });

  it('refuses a cache that group or others can read, with a warning naming the fix', () => {
    const file = path.join(tempDir(), 'c.json');
    const logs = collectLogs();
    openCredentialCache(file, logs.logger).put(key, { accessKeyId: 'ASIA1', secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + 3_600_000) });
    chmodSync(file, 0o644);
    expect(openCredentialCache(file, logs.logger).get(key, 60)).toBeUndefined();
    expect(logs.lines.some((l) => l.includes('readable by group or others') && l.includes('chmod 600'))).toBe(true);
  });

  it('ignores a corrupted cache with a warning and replaces it on the next write', () => {
    const file = path.join(tempDir(), 'c.json');
    writeFileSync(file, '{ this is not json', { mode: 0o600 });
    const logs = collectLogs();
    const cache = openCredentialCache(file, logs.logger);
    expect(cache.get(key, 60)).toBeUndefined();
    expect(logs.lines.some((l) => l.includes('corrupted'))).toBe(true);
    cache.put(key, { accessKeyId: 'ASIA2', secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + 3_600_000) });
    expect(openCredentialCache(file, logs.logger).get(key, 60)?.accessKeyId).toBe('ASIA2');
  });
});
