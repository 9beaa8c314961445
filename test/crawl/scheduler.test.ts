import { describe, expect, it } from 'vitest';
import type { AwsCredentialIdentity } from '@smithy/types';
import { refreshingProvider } from '../../src/auth/refreshingProvider.js';
import { CallError, Scheduler } from '../../src/crawl/scheduler.js';
import { SharedSlots } from '../../src/crawl/workers/sharedSlots.js';

/** An SDK-shaped service error. */
function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
}

const meta = { service: 'sqs', operation: 'ListQueues', accountId: '111111111111', region: 'us-east-1', resource: null };
const noSleep = { sleep: async () => undefined };

describe('Scheduler', () => {
  it('never has more requests in flight than the global limit', async () => {
    const scheduler = new Scheduler({ concurrency: 3, maxAttempts: 1, ...noSleep });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        scheduler.run(meta, async () => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, 5));
          inFlight -= 1;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('keeps a service under its own limit without holding global slots', async () => {
    const scheduler = new Scheduler({ concurrency: 8, maxAttempts: 1, serviceLimits: { organizations: 2 }, ...noSleep });
    let org = 0;
    let orgPeak = 0;
    let otherDone = 0;
    const slowOrg = Array.from({ length: 6 }, () =>
      scheduler.run({ ...meta, service: 'organizations' }, async () => {
        org += 1;
        orgPeak = Math.max(orgPeak, org);
        await new Promise((r) => setTimeout(r, 20));
        org -= 1;
      }),
    );
    // SQS calls issued after the Organizations backlog still run at once.
    const fast = Array.from({ length: 6 }, () => scheduler.run(meta, async () => void (otherDone += 1)));
    await Promise.all(fast);
    expect(otherDone).toBe(6);
    expect(org).toBeGreaterThan(0); // Organizations is still busy
    await Promise.all(slowOrg);
    expect(orgPeak).toBe(2);
  });

  it('reserves the Organizations slots: its calls never wait behind a backlog of other calls, and the total stays within the limit', async () => {
    const scheduler = new Scheduler({ concurrency: 4, maxAttempts: 1, serviceLimits: { organizations: 2 }, ...noSleep });
    let inFlight = 0;
    let peak = 0;
    const slow = (ms: number) => async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight -= 1;
    };
    const backlog = Array.from({ length: 40 }, () => scheduler.run(meta, slow(20)));
    const started = Date.now();
    await scheduler.run({ ...meta, service: 'organizations' }, slow(5));
    // Behind the backlog it would wait 40 × 20 ms / 2 = 400 ms.
    expect(Date.now() - started).toBeLessThan(150);
    await Promise.all(backlog);
    expect(peak).toBeLessThanOrEqual(4);
  });

  it('a gated call holds its slot only between enter and exit: its work before and after runs beside the next call', async () => {
    const scheduler = new Scheduler({ concurrency: 1, maxAttempts: 1, ...noSleep });
    const log: string[] = [];
    let holders = 0;
    let peak = 0;
    const call = (name: string) =>
      scheduler.runGated(meta, async (gate) => {
        log.push(`${name} prepares`);
        await gate.enter();
        holders += 1;
        peak = Math.max(peak, holders);
        log.push(`${name} on the wire`);
        await new Promise((r) => setTimeout(r, 5));
        holders -= 1;
        gate.exit();
        // Parsing, after the slot is given back: the next call is on the wire meanwhile.
        await new Promise((r) => setTimeout(r, 20));
        log.push(`${name} parsed`);
      });
    await Promise.all([call('a'), call('b')]);
    expect(peak).toBe(1);
    expect(log).toEqual(['a prepares', 'b prepares', 'a on the wire', 'b on the wire', 'a parsed', 'b parsed']);
    expect(scheduler.stats.requests).toBe(2);
    expect(scheduler.stats.inFlight).toBe(0);
  });

  it('a gated call that fails before entering sent nothing (not counted); one that never exits gives its slot back when it settles', async () => {
    const scheduler = new Scheduler({ concurrency: 1, maxAttempts: 1, ...noSleep });
    await expect(
      scheduler.runGated(meta, async () => {
        throw new Error('serialization failed');
      }),
    ).rejects.toThrow(CallError);
    expect(scheduler.stats.requests).toBe(0);
    await expect(
      scheduler.runGated(meta, async (gate) => {
        await gate.enter();
        throw awsError('AccessDenied', 403);
      }),
    ).rejects.toThrow(/AccessDenied/);
    // The slot is free again: with concurrency 1 this would wait forever otherwise.
    await scheduler.runGated(meta, async (gate) => {
      await gate.enter();
      gate.exit();
    });
    expect(scheduler.stats.requests).toBe(2);
    expect(scheduler.stats.inFlight).toBe(0);
  });

  it('gives a waiting Organizations slot to a higher-priority call first (the walk before tags and policies)', async () => {
    const scheduler = new Scheduler({ concurrency: 8, maxAttempts: 1, serviceLimits: { organizations: 1 }, ...noSleep });
    const order: string[] = [];
    const org = (name: string, priority = 0) =>
      scheduler.run({ ...meta, service: 'organizations', priority }, async () => {
        order.push(name);
        await new Promise((r) => setTimeout(r, 2));
      });
    const calls = [org('tags 1'), org('tags 2'), org('tags 3'), org('walk', 1)];
    await Promise.all(calls);
    // `tags 1` already held the one slot when the walk's call came.
    expect(order).toEqual(['tags 1', 'walk', 'tags 2', 'tags 3']);
  });

  it('gives the reserved Organizations slots to the other services once they are released (the organization is done)', async () => {
    for (const sharedSlots of [undefined, SharedSlots.create(4 - 2)]) {
      const scheduler = new Scheduler({ concurrency: 4, maxAttempts: 1, serviceLimits: { organizations: 2 }, ...noSleep, ...(sharedSlots ? { sharedSlots } : {}) });
      let inFlight = 0;
      let peak = 0;
      const burst = () =>
        Promise.all(
          Array.from({ length: 12 }, () =>
            scheduler.run(meta, async () => {
              inFlight += 1;
              peak = Math.max(peak, inFlight);
              await new Promise((r) => setTimeout(r, 5));
              inFlight -= 1;
            }),
          ),
        );
      await burst();
      expect(peak, 'while reserved, two of the four slots are kept for Organizations').toBe(2);
      scheduler.releaseReserved();
      peak = 0;
      await burst();
      expect(peak, 'once released, all four serve the other services').toBe(4);
    }
  });

  it('retries throttling and transient errors up to max_attempts, then fails with the call named', async () => {
    const scheduler = new Scheduler({ concurrency: 2, maxAttempts: 4, ...noSleep });
    let attempts = 0;
    const result = await scheduler.run(meta, async () => {
      attempts += 1;
      if (attempts < 3) throw awsError(attempts === 1 ? 'ThrottlingException' : 'InternalError', attempts === 1 ? 400 : 500);
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(attempts).toBe(3);

    attempts = 0;
    const failure = await scheduler.run(meta, async () => {
      attempts += 1;
      throw awsError('ServiceUnavailable', 503);
    }).catch((e: unknown) => e);
    expect(attempts).toBe(4);
    expect(failure).toBeInstanceOf(CallError);
    expect((failure as CallError).classified.class).toBe('transient');
    expect((failure as CallError).message).toContain('sqs:ListQueues');
  });

  it('does not retry access denied', async () => {
    const scheduler = new Scheduler({ concurrency: 2, maxAttempts: 5, ...noSleep });
    let attempts = 0;
    const failure = await scheduler.run(meta, async () => {
      attempts += 1;
      throw awsError('AccessDenied', 403);
    }).catch((e: unknown) => e as CallError);
    expect(attempts).toBe(1);
    expect(failure.classified.class).toBe('denied');
  });

  it('retries ExpiredToken within max_attempts, renewing only credentials the refused request used and old enough', async () => {
    const clock = { now: 1_000_000 };
    let issued = 0;
    const credentials = refreshingProvider(
      async (): Promise<AwsCredentialIdentity> => ({ accessKeyId: `ASIA${++issued}`, secretAccessKey: 's', expiration: new Date(clock.now + 3600_000) }),
      { refreshWindowSeconds: 60, label: 'member', now: () => clock.now, minAgeForRenewalMs: 30_000 },
    );
    await credentials();
    clock.now += 60_000;
    const delays: number[] = [];
    const scheduler = new Scheduler({ concurrency: 2, maxAttempts: 4, random: () => 1, sleep: async (ms) => void delays.push(ms) });
    const seen: string[] = [];
    // Refused once as the first credentials, then once more with the renewed ones: the renewal
    // is not repeated (they are brand new) — the call backs off and retries with them.
    let refusals = 2;
    const out = await scheduler.run({ ...meta, credentials }, async () => {
      const c = await credentials();
      seen.push(c.accessKeyId);
      if (refusals-- > 0) throw awsError('ExpiredToken');
      return 'ok';
    });
    expect(out).toBe('ok');
    expect(seen).toEqual(['ASIA1', 'ASIA2', 'ASIA2']);
    expect(scheduler.stats.expiredRenewals).toBe(1);
    expect(scheduler.stats.retries).toBe(2);
    expect(delays).toEqual([200]);

    // Refused on every attempt: max_attempts attempts, then the call fails as expired.
    let attempts = 0;
    const again = await scheduler.run({ ...meta, credentials }, async () => {
      attempts += 1;
      throw awsError('ExpiredTokenException');
    }).catch((e: unknown) => e as CallError);
    expect(again.classified.class).toBe('expired');
    expect(attempts).toBe(4);
    expect(issued).toBe(2);

    // Refused with credentials that have been renewed since: retried with the current ones, no renewal.
    clock.now += 60_000;
    const old = credentials.peek();
    await credentials.renewAfterRefusal(old);
    expect(issued).toBe(3);
    let first = true;
    const signedWith: string[] = [];
    await scheduler.run({ ...meta, credentials }, async () => {
      const c = first ? (old as AwsCredentialIdentity) : await credentials();
      signedWith.push(c.accessKeyId);
      if (first) {
        first = false;
        throw awsError('ExpiredToken');
      }
    });
    expect(signedWith).toEqual(['ASIA2', 'ASIA3']);
    expect(issued).toBe(3);
  });

  it('ends a call refused as expired with the renewal’s own error when the credentials cannot be renewed', async () => {
    const clock = { now: 1_000_000 };
    let fail = false;
    const credentials = refreshingProvider(
      async (): Promise<AwsCredentialIdentity> => {
        if (fail) throw new Error('AssumeRole arn:aws:iam::111111111111:role/R failed: AccessDenied');
        return { accessKeyId: 'ASIA1', secretAccessKey: 's', expiration: new Date(clock.now + 3600_000) };
      },
      { refreshWindowSeconds: 60, label: 'member', now: () => clock.now },
    );
    await credentials();
    clock.now += 60_000;
    fail = true;
    const scheduler = new Scheduler({ concurrency: 2, maxAttempts: 8, ...noSleep });
    let attempts = 0;
    const failure = await scheduler.run({ ...meta, credentials }, async () => {
      attempts += 1;
      throw awsError('ExpiredToken');
    }).catch((e: unknown) => e as CallError);
    expect(attempts).toBe(1);
    expect(failure.message).toContain('AssumeRole arn:aws:iam::111111111111:role/R failed: AccessDenied');
  });

  it('backs off with full jitter, longer for throttling than for transient errors', async () => {
    const delays: number[] = [];
    const scheduler = new Scheduler({ concurrency: 1, maxAttempts: 4, random: () => 1, sleep: async (ms) => void delays.push(ms) });
    let n = 0;
    await scheduler.run(meta, async () => {
      n += 1;
      if (n < 4) throw awsError('ThrottlingException');
    });
    expect(delays).toEqual([500, 1000, 2000]);
    delays.length = 0;
    n = 0;
    await scheduler.run(meta, async () => {
      n += 1;
      if (n < 3) throw awsError('InternalError', 500);
    });
    expect(delays).toEqual([100, 200]);
  });
});
