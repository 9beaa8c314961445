/**
 * The one scheduler every API call of the crawl runs through: a global limit on requests in
 * flight, per-service limits (Organizations is throttled hard, so it gets at most 2 and drops to
 * 1 for a while after a TooManyRequestsException), retries with full-jitter exponential backoff
 * for throttling and transient failures (p-retry drives the attempts), and one forced credential
 * renewal for a call refused as expired — the SDK does not do that by itself.
 *
 * A request waiting for a service slot does not hold a global slot, and a request backing off
 * holds neither, so a throttled service never starves the others. A service with its own limit
 * has its slots reserved out of the global limit: Organizations is the crawl's critical path
 * (the walk finds the accounts the rest of the crawl works on), so its requests never queue
 * behind thousands of member requests, and the total in flight still never exceeds
 * `concurrency`.
 */
import pLimit from 'p-limit';
import type { LimitFunction } from 'p-limit';
import pRetry from 'p-retry';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { RefreshingProvider } from '../auth/refreshingProvider.js';
import type { ClassifiedError } from './classify.js';
import { classifyError, isRetryable } from './classify.js';
import type { SharedSlots } from './workers/sharedSlots.js';

export interface CallMeta {
  service: string;
  operation: string;
  accountId: string | null;
  region: string | null;
  /** Queue URL, bucket name, OU id …: what the call is about, for error rows. */
  resource: string | null;
  /** The provider the client signs with, renewed once when the call is refused as expired. */
  credentials?: RefreshingProvider;
}

/** A failed call: what was called, and what AWS's answer means. */
export class CallError extends Error {
  readonly meta: CallMeta;
  readonly classified: ClassifiedError;
  constructor(meta: CallMeta, classified: ClassifiedError, cause: unknown) {
    super(`${meta.service}:${meta.operation} failed: ${classified.code}: ${classified.message}`, { cause });
    this.name = 'CallError';
    this.meta = meta;
    this.classified = classified;
  }
}

export interface SchedulerOptions {
  concurrency: number;
  maxAttempts: number;
  /** Per-service limits; services not named share only the global limit. */
  serviceLimits?: Record<string, number>;
  /** Backoff base (ms) for transient failures and for throttling. */
  baseDelayMs?: number;
  throttleBaseDelayMs?: number;
  maxDelayMs?: number;
  /** How long Organizations stays at a reduced limit after being throttled. */
  cooldownMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * The global limit held in shared memory, when crawl workers share it with the main thread
   * (see `reservedSlots`): it replaces the local global pool.
   */
  sharedSlots?: SharedSlots;
}

/** The slots reserved out of `concurrency` for the services with their own limits. */
export function reservedSlots(concurrency: number, serviceLimits: Record<string, number> = {}): number {
  const reserved = Object.values(serviceLimits).reduce((sum, max) => sum + Math.min(max, concurrency), 0);
  // Reserve only when something is left for the other services; otherwise share the one pool.
  return reserved < concurrency ? reserved : 0;
}

export interface SchedulerStats {
  requests: number;
  retries: number;
  throttled: number;
  expiredRenewals: number;
  inFlight: number;
  byOperation: Record<string, number>;
}

/** What a crawl worker's scheduler adds to the run's totals. */
export type SchedulerStatsDelta = Omit<SchedulerStats, 'inFlight'>;

export class Scheduler {
  private readonly global: <T>(fn: () => Promise<T>) => Promise<T>;
  private readonly shared: SharedSlots | undefined;
  private readonly reserving: boolean;
  private readonly services = new Map<string, { limit: LimitFunction; max: number; restoreAt: number }>();
  private readonly options: Required<Omit<SchedulerOptions, 'serviceLimits' | 'sharedSlots'>>;
  readonly stats: SchedulerStats = { requests: 0, retries: 0, throttled: 0, expiredRenewals: 0, inFlight: 0, byOperation: {} };
  /** Attempts waiting for a slot (not backing off, not in flight). */
  private queued = 0;
  private readonly admissions: Array<() => void> = [];

  constructor(options: SchedulerOptions) {
    this.options = {
      concurrency: options.concurrency,
      maxAttempts: options.maxAttempts,
      baseDelayMs: options.baseDelayMs ?? 100,
      throttleBaseDelayMs: options.throttleBaseDelayMs ?? 500,
      maxDelayMs: options.maxDelayMs ?? 20_000,
      cooldownMs: options.cooldownMs ?? 10_000,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    };
    const limits = Object.entries(options.serviceLimits ?? {}).map(([service, max]) => [service, Math.min(max, options.concurrency)] as const);
    const reserved = reservedSlots(options.concurrency, options.serviceLimits);
    this.reserving = reserved > 0;
    const size = options.concurrency - reserved;
    this.shared = options.sharedSlots;
    if (this.shared !== undefined) {
      const shared = this.shared;
      // At most `size` of this thread's requests wait on the shared counter; the rest queue here.
      const local = pLimit(shared.size);
      this.global = (fn) => local(() => shared.run(fn));
    } else {
      const local = pLimit(size);
      this.global = (fn) => local(fn);
    }
    for (const [service, max] of limits) this.services.set(service, { limit: pLimit(max), max, restoreAt: 0 });
  }

  /** Runs one API call under the limits, retrying as its errors allow. Throws `CallError`. */
  async run<T>(meta: CallMeta, call: () => Promise<T>): Promise<T> {
    let renewed = false;
    let renewedJustNow = false;
    // Failed attempts that count against max_attempts (a renewal after ExpiredToken does not).
    let failures = 0;
    let lastCredentials: AwsCredentialIdentity | undefined;
    const attempt = async (): Promise<T> => {
      const service = this.services.get(meta.service);
      // Only requests for the shared pool count: a service with reserved slots (Organizations)
      // queues on its own and must not hold back everything else.
      const counted = service === undefined || !this.reserving;
      if (counted) this.queued += 1;
      const send = async () => {
        if (counted) {
          this.queued -= 1;
          this.admitWaiting();
        }
        this.stats.requests += 1;
        this.stats.inFlight += 1;
        const key = `${meta.service}:${meta.operation}`;
        this.stats.byOperation[key] = (this.stats.byOperation[key] ?? 0) + 1;
        try {
          lastCredentials = meta.credentials?.peek();
          return await call();
        } finally {
          this.stats.inFlight -= 1;
        }
      };
      if (!service) return this.global(send);
      this.restore(service);
      return service.limit(this.reserving ? send : () => this.global(send));
    };

    try {
      return await pRetry(attempt, {
        // max_attempts is enforced by `failures` below; p-retry's budget only has to be larger.
        retries: this.options.maxAttempts + 1,
        minTimeout: 0,
        maxTimeout: 0,
        factor: 1,
        // A renewal after ExpiredToken is not one of the max_attempts.
        shouldConsumeRetry: ({ error }) => classifyError(error).class !== 'expired',
        shouldRetry: ({ error }) => {
          const cls = classifyError(error).class;
          if (cls === 'expired') {
            const retry = renewedJustNow;
            renewedJustNow = false;
            return retry;
          }
          return isRetryable(cls) && failures < this.options.maxAttempts;
        },
        onFailedAttempt: async ({ error }) => {
          const classified = classifyError(error);
          if (classified.class === 'expired') {
            if (!renewed && meta.credentials) {
              renewed = true;
              renewedJustNow = true;
              this.stats.expiredRenewals += 1;
              await meta.credentials.forceRefresh(lastCredentials);
            }
            return;
          }
          failures += 1;
          if (!isRetryable(classified.class) || failures >= this.options.maxAttempts) return;
          this.stats.retries += 1;
          if (classified.class === 'throttled') {
            this.stats.throttled += 1;
            this.throttle(meta.service);
          }
          await this.options.sleep(this.backoff(classified.class === 'throttled', failures - 1));
        },
      });
    } catch (error) {
      throw new CallError(meta, classifyError(error), error);
    }
  }

  /**
   * Resolves when fewer than `concurrency` requests are waiting for a slot. Work that is about to
   * add requests (the next item of a listing) waits here, so the crawl keeps every slot busy
   * without queueing a whole organization's requests in memory at once.
   */
  admit(): Promise<void> {
    if (this.queued < this.options.concurrency) return Promise.resolve();
    return new Promise((resolve) => this.admissions.push(resolve));
  }

  private admitWaiting(): void {
    while (this.admissions.length > 0 && this.queued < this.options.concurrency) this.admissions.shift()?.();
  }

  /** Requests of a service with its own limit waiting for one of its slots. */
  waitingFor(serviceName: string): number {
    return this.services.get(serviceName)?.limit.pendingCount ?? 0;
  }

  /** Requests in flight now: in every thread when the limit is shared. */
  inFlightTotal(): number {
    if (this.shared === undefined) return this.stats.inFlight;
    let reservedInFlight = 0;
    for (const service of this.services.values()) reservedInFlight += service.limit.activeCount;
    return this.shared.inUse() + (this.reserving ? reservedInFlight : 0);
  }

  /** Adds what a crawl worker's scheduler did to this one's totals. */
  absorb(delta: SchedulerStatsDelta): void {
    this.stats.requests += delta.requests;
    this.stats.retries += delta.retries;
    this.stats.throttled += delta.throttled;
    this.stats.expiredRenewals += delta.expiredRenewals;
    for (const [key, n] of Object.entries(delta.byOperation)) this.stats.byOperation[key] = (this.stats.byOperation[key] ?? 0) + n;
  }

  /** Full jitter: a random delay between 0 and base × 2^attempt, capped. */
  private backoff(throttled: boolean, attempt: number): number {
    const base = throttled ? this.options.throttleBaseDelayMs : this.options.baseDelayMs;
    const ceiling = Math.min(this.options.maxDelayMs, base * 2 ** attempt);
    return Math.round(this.options.random() * ceiling);
  }

  private throttle(serviceName: string): void {
    const service = this.services.get(serviceName);
    if (!service) return;
    if (service.limit.concurrency > 1) service.limit.concurrency = Math.max(1, Math.floor(service.limit.concurrency / 2));
    service.restoreAt = Date.now() + this.options.cooldownMs;
  }

  private restore(service: { limit: LimitFunction; max: number; restoreAt: number }): void {
    if (service.limit.concurrency < service.max && Date.now() >= service.restoreAt) {
      service.limit.concurrency = Math.min(service.max, service.limit.concurrency + 1);
      service.restoreAt = Date.now() + this.options.cooldownMs;
    }
  }
}
