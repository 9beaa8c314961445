import { describe, expect, it } from 'vitest';
import type { AwsCredentialIdentity } from '@smithy/types';
import { refreshingProvider } from '../../src/auth/refreshingProvider.js';
import { CallError, Scheduler } from '../../src/crawl/scheduler.js';

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

  it('renews the credentials once on ExpiredToken and retries once', async () => {
    let issued = 0;
    const credentials = refreshingProvider(async (): Promise<AwsCredentialIdentity> => ({ accessKeyId: `ASIA${++issued}`, secretAccessKey: 's', expiration: new Date(Date.now() + 3600_000) }), {
      refreshWindowSeconds: 60,
      label: 'member',
    });
    await credentials();
    const scheduler = new Scheduler({ concurrency: 2, maxAttempts: 1, ...noSleep });
    const seen: string[] = [];
    const out = await scheduler.run({ ...meta, credentials }, async () => {
      const c = await credentials();
      seen.push(c.accessKeyId);
      if (c.accessKeyId === 'ASIA1') throw awsError('ExpiredToken');
      return 'ok';
    });
    expect(out).toBe('ok');
    expect(seen).toEqual(['ASIA1', 'ASIA2']);
    expect(scheduler.stats.expiredRenewals).toBe(1);

    // A second ExpiredToken right after the renewal is not retried again.
    const again = await scheduler.run({ ...meta, credentials }, async () => {
      throw awsError('ExpiredTokenException');
    }).catch((e: unknown) => e as CallError);
    expect(again.classified.class).toBe('expired');
    expect(issued).toBe(3);
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
