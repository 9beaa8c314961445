import { describe, expect, it } from 'vitest';
import type { AwsCredentialIdentity } from '@smithy/types';
import { refreshingProvider } from '../../src/auth/refreshingProvider.js';

function issuer(lifetimeMs: () => number, clock: { now: number }) {
  let n = 0;
  const fetch = async (): Promise<AwsCredentialIdentity> => {
    n += 1;
    await new Promise((r) => setTimeout(r, 5));
    return { accessKeyId: `ASIA${n}`, secretAccessKey: `secret-${n}`, sessionToken: `token-${n}`, expiration: new Date(clock.now + lifetimeMs()) };
  };
  return { fetch, calls: () => n };
}

describe('refreshingProvider', () => {
  it('fetches once for many concurrent callers (single flight)', async () => {
    const clock = { now: 1_000_000 };
    const source = issuer(() => 3600_000, clock);
    const provider = refreshingProvider(source.fetch, { refreshWindowSeconds: 300, label: 't', now: () => clock.now });
    const all = await Promise.all(Array.from({ length: 50 }, () => provider()));
    expect(source.calls()).toBe(1);
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['ASIA1']));
    expect(provider.fetches).toBe(1);
  });

  it('keeps credentials until less than the refresh window remains, then renews once', async () => {
    const clock = { now: 1_000_000 };
    const source = issuer(() => 900_000, clock);
    const provider = refreshingProvider(source.fetch, { refreshWindowSeconds: 300, label: 't', now: () => clock.now });
    expect((await provider()).accessKeyId).toBe('ASIA1');
    clock.now += 599_000; // 301 s left: still fresh
    expect((await provider()).accessKeyId).toBe('ASIA1');
    clock.now += 2_000; // 299 s left: inside the window
    const renewed = await Promise.all([provider(), provider(), provider()]);
    expect(renewed.map((c) => c.accessKeyId)).toEqual(['ASIA2', 'ASIA2', 'ASIA2']);
    expect(source.calls()).toBe(2);
  });

  it('forceRefresh renews once even when many callers report the same stale credentials', async () => {
    const clock = { now: 1_000_000 };
    const source = issuer(() => 3600_000, clock);
    const provider = refreshingProvider(source.fetch, { refreshWindowSeconds: 300, label: 't', now: () => clock.now });
    const stale = await provider();
    await Promise.all(Array.from({ length: 10 }, () => provider.forceRefresh(stale)));
    // A caller that reports the stale credentials after the renewal gets the new ones, no new call.
    expect((await provider.forceRefresh(stale)).accessKeyId).toBe('ASIA2');
    expect(source.calls()).toBe(2);
  });

  it('lets a failed fetch be retried by the next caller', async () => {
    let fail = true;
    const provider = refreshingProvider(
      async () => {
        if (fail) throw new Error('denied');
        return { accessKeyId: 'ASIAOK', secretAccessKey: 's' };
      },
      { refreshWindowSeconds: 60, label: 't' },
    );
    await expect(provider()).rejects.toThrow('denied');
    fail = false;
    expect((await provider()).accessKeyId).toBe('ASIAOK');
  });
});
