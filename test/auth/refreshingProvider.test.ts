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

  it('renews once for many refusals of the same credentials, and not for a refusal of older ones', async () => {
    const clock = { now: 1_000_000 };
    const source = issuer(() => 3600_000, clock);
    const provider = refreshingProvider(source.fetch, { refreshWindowSeconds: 300, label: 't', now: () => clock.now });
    const stale = await provider();
    clock.now += 60_000;
    const renewals = await Promise.all(Array.from({ length: 10 }, () => provider.renewAfterRefusal(stale)));
    expect(renewals.filter((r) => r.outcome === 'renewed')).toHaveLength(1);
    expect(renewals.filter((r) => r.outcome === 'joined')).toHaveLength(9);
    // A request signed before the renewal is retried with the new credentials, no new call.
    expect(await provider.renewAfterRefusal(stale)).toMatchObject({ outcome: 'newer', credentials: { accessKeyId: 'ASIA2' } });
    expect(source.calls()).toBe(2);
  });

  it('renews for a refusal at once, but not again for a refusal of the renewed credentials until the minimum age has passed', async () => {
    const clock = { now: 1_000_000 };
    const source = issuer(() => 3600_000, clock);
    const provider = refreshingProvider(source.fetch, { refreshWindowSeconds: 300, label: 't', now: () => clock.now, minAgeForRenewalMs: 30_000 });
    const first = await provider();
    const renewed = await provider.renewAfterRefusal(first);
    expect(renewed).toMatchObject({ outcome: 'renewed', credentials: { accessKeyId: 'ASIA2' } });
    // The renewed credentials refused at once: kept, however many times.
    for (let i = 0; i < 5; i += 1) expect(await provider.renewAfterRefusal(renewed.credentials)).toMatchObject({ outcome: 'kept', credentials: { accessKeyId: 'ASIA2' } });
    expect(source.calls()).toBe(2);
    clock.now += 30_000;
    expect(await provider.renewAfterRefusal(renewed.credentials)).toMatchObject({ outcome: 'renewed', credentials: { accessKeyId: 'ASIA3' } });
    expect(source.calls()).toBe(3);
  });

  it('remembers a failed renewal for the same credentials instead of calling the source for every refusal', async () => {
    const clock = { now: 1_000_000 };
    let calls = 0;
    let fail = false;
    const provider = refreshingProvider(
      async () => {
        calls += 1;
        if (fail) throw new Error('AssumeRole refused');
        return { accessKeyId: `ASIA${calls}`, secretAccessKey: 's', expiration: new Date(clock.now + 3600_000) };
      },
      { refreshWindowSeconds: 300, label: 't', now: () => clock.now, minAgeForRenewalMs: 30_000 },
    );
    const held = await provider();
    clock.now += 60_000;
    fail = true;
    for (let i = 0; i < 5; i += 1) await expect(provider.renewAfterRefusal(held)).rejects.toThrow('AssumeRole refused');
    expect(calls).toBe(2);
    // Still valid: ordinary requests keep signing with them meanwhile.
    expect((await provider()).accessKeyId).toBe('ASIA1');
    clock.now += 30_000;
    fail = false;
    expect((await provider.renewAfterRefusal(held)).outcome).toBe('renewed');
    expect(calls).toBe(3);
  });

  it('keeps signing with valid credentials when a renewal in the window fails, and tries again later', async () => {
    const clock = { now: 1_000_000 };
    let calls = 0;
    let fail = false;
    const provider = refreshingProvider(
      async () => {
        calls += 1;
        if (fail) throw new Error('STS unavailable');
        return { accessKeyId: `ASIA${calls}`, secretAccessKey: 's', expiration: new Date(clock.now + 900_000) };
      },
      { refreshWindowSeconds: 300, label: 't', now: () => clock.now, minAgeForRenewalMs: 30_000 },
    );
    await provider();
    clock.now += 700_000; // 200 s left: in the window
    fail = true;
    expect((await provider()).accessKeyId).toBe('ASIA1');
    expect((await provider()).accessKeyId).toBe('ASIA1');
    expect(calls).toBe(2);
    clock.now += 30_000;
    fail = false;
    expect((await provider()).accessKeyId).toBe('ASIA3');
    clock.now += 2_000_000; // long expired, renewal failing: the failure is the caller's
    fail = true;
    await expect(provider()).rejects.toThrow('STS unavailable');
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
