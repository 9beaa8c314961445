/**
 * The one scheduler every API call of the crawl runs through: a global limit on requests in
 * flight, per-service limits (Organizations is throttled hard, so it gets at most 2 and drops to
 * 1 for a while after a TooManyRequestsException), retries with full-jitter exponential backoff
 * for throttling and transient failures (p-retry drives the attempts), and the same for a call
 * refused as expired (ExpiredToken, RequestExpired), renewing its credentials first when the
 * refused request used the ones held now — the SDK does not do that by itself. Every attempt of a
 * call counts against `max_attempts`, whatever it failed with, so no call retries forever.
 *
 * A slot is held only while the request is on the wire (see `runGated`): the SDK's CPU work
 * before signing and after the body is read (serialization, endpoint resolution, parsing) is
 * outside it, so `concurrency` means requests at AWS, not requests somewhere in this process.
 *
 * A request waiting for a service slot does not hold a global slot, and a request backing off
 * holds neither, so a throttled service never starves the others. A service with its own limit
 * has its slots reserved out of the global limit: Organizations is the crawl's critical path
 * (the walk finds the accounts the rest of the crawl works on), so its requests never queue
 * behind thousands of member requests, and the total in flight still never exceeds
 * `concurrency`.
 */
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import pRetry from 'p-retry';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { RefreshingProvider } from '../auth/refreshingProvider.js';
import type { CallGate } from '../aws/clientFactory.js';
import type { ClassifiedError } from '../errors/classify.js';
import { classifyError, isRetryable } from '../errors/classify.js';
import type { SharedSlots } from './workers/sharedSlots.js';

export interface CallMeta {
  service: string;
  operation: string;
  accountId: string | null;
  region: string | null;
  /** Queue URL, bucket name, OU id …: what the call is about, for error rows. */
  resource: string | null;
  /** The provider the client signs with, asked to renew when the call is refused as expired. */
  credentials?: RefreshingProvider;
  /**
   * Among the calls waiting for a slot of a service with its own limit, higher goes first
   * (default 0): the Organizations calls that find the accounts go before tags and policies.
   */
  priority?: number;
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
  /** Takes a slot of the global pool; resolves with what gives it back. */
  private readonly global: () => Promise<() => void>;
  private readonly shared: SharedSlots | undefined;
  private reserving: boolean;
  /** Slots reserved for the services with their own limits, while `reserving`. */
  private readonly reserved: number;
  /** Grows the global pool by the reserved slots (`releaseReserved`). */
  private readonly growGlobal: (by: number) => void;
  private readonly services = new Map<string, ServiceLimit>();
  private readonly options: Required<Omit<SchedulerOptions, 'serviceLimits' | 'sharedSlots'>>;
  readonly stats: SchedulerStats = { requests: 0, retries: 0, throttled: 0, expiredRenewals: 0, inFlight: 0, byOperation: {} };
  /** Attempts waiting for a slot (not backing off, not in flight). */
  private queued = 0;
  /** Calls backing off between attempts. */
  private sleeping = 0;
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
    this.reserved = reserved;
    const size = options.concurrency - reserved;
    this.shared = options.sharedSlots;
    if (this.shared !== undefined) {
      const shared = this.shared;
      // At most `size` of this thread's requests wait on the shared counter; the rest queue here.
      const local = pLimit(shared.size);
      this.global = async () => {
        const releaseLocal = await hold(local);
        try {
          await shared.acquire();
        } catch (error) {
          releaseLocal();
          throw error;
        }
        return () => {
          shared.release();
          releaseLocal();
        };
      };
      this.growGlobal = (by) => {
        shared.grow(by);
        local.concurrency = shared.size;
      };
    } else {
      const local = pLimit(size);
      this.global = () => hold(local);
      this.growGlobal = (by) => {
        local.concurrency += by;
      };
    }
    for (const [service, max] of limits) this.services.set(service, { queue: new PQueue({ concurrency: max }), max, restoreAt: 0 });
  }

  /** Runs one API call under the limits, holding a slot for all of it. Throws `CallError`. */
  run<T>(meta: CallMeta, call: () => Promise<T>): Promise<T> {
    return this.runGated(meta, async (gate) => {
      await gate.enter();
      try {
        return await call();
      } finally {
        gate.exit();
      }
    });
  }

  /**
   * Runs one API call under the limits, retrying as its errors allow. Throws `CallError`.
   *
   * The call takes its slot itself, through the gate it is given: `enter` just before the request
   * is signed and sent, `exit` once the response's body has been read (the client factory's
   * middleware does both; see `ClientFactory`). A call that never enters sent nothing and is not
   * counted; one that fails without calling `exit` has its slot given back when it settles.
   */
  async runGated<T>(meta: CallMeta, call: (gate: CallGate) => Promise<T>): Promise<T> {
    // Failed attempts so far: every one counts against max_attempts, expired ones included.
    let failures = 0;
    // The credentials the last attempt was signed with (its gate is entered once they are resolved).
    let lastCredentials: AwsCredentialIdentity | undefined;
    const attempt = async (): Promise<T> => {
      const service = this.services.get(meta.service);
      // Only requests for the shared pool count: a service with reserved slots (Organizations)
      // queues on its own and must not hold back everything else.
      const counted = service === undefined || !this.reserving;
      if (counted) this.queued += 1;
      let state: 'waiting' | 'entering' | 'in' | 'out' = 'waiting';
      let release: (() => void) | null = null;
      const unqueue = () => {
        if (counted) {
          this.queued -= 1;
          this.admitWaiting();
        }
      };
      const gate: CallGate = {
        enter: async () => {
          if (state !== 'waiting') throw new Error('a call entered its slot twice');
          state = 'entering';
          const taken = await this.acquire(service, meta.priority ?? 0);
          if (state !== 'entering') {
            // The call settled without waiting for its slot (nothing awaits this any more): the
            // slot goes straight back.
            taken();
            return;
          }
          release = taken;
          state = 'in';
          unqueue();
          this.stats.requests += 1;
          this.stats.inFlight += 1;
          const key = `${meta.service}:${meta.operation}`;
          this.stats.byOperation[key] = (this.stats.byOperation[key] ?? 0) + 1;
          lastCredentials = meta.credentials?.peek();
        },
        exit: () => {
          if (state !== 'in') return;
          state = 'out';
          this.stats.inFlight -= 1;
          release?.();
        },
      };
      try {
        return await call(gate);
      } finally {
        if (state === 'waiting' || state === 'entering') {
          state = 'out';
          unqueue();
        }
        gate.exit();
      }
    };

    try {
      return await pRetry(attempt, {
        // max_attempts is enforced by `failures` below; p-retry's budget only has to be larger.
        retries: this.options.maxAttempts + 1,
        minTimeout: 0,
        maxTimeout: 0,
        factor: 1,
        shouldRetry: ({ error }) => {
          const cls = classifyError(error).class;
          return (isRetryable(cls) || (cls === 'expired' && meta.credentials !== undefined)) && failures < this.options.maxAttempts;
        },
        onFailedAttempt: async ({ error }) => {
          const classified = classifyError(error);
          failures += 1;
          if (failures >= this.options.maxAttempts) return;
          if (classified.class === 'expired') {
            if (meta.credentials === undefined) return;
            this.stats.retries += 1;
            // Renews only when the refused request was signed with the credentials held now (see
            // `renewAfterRefusal`); a renewal that fails ends the call with its error.
            const renewal = await meta.credentials.renewAfterRefusal(lastCredentials);
            if (renewal.outcome === 'renewed') this.stats.expiredRenewals += 1;
            // Fresh credentials to try: at once. The same ones, or newer ones that a request of
            // their own may already have found refused: after a backoff, like any transient failure.
            if (renewal.outcome === 'renewed' || renewal.outcome === 'joined') return;
            await this.backOff(false, failures - 1);
            return;
          }
          if (!isRetryable(classified.class)) return;
          this.stats.retries += 1;
          if (classified.class === 'throttled') {
            this.stats.throttled += 1;
            this.throttle(meta.service);
          }
          await this.backOff(classified.class === 'throttled', failures - 1);
        },
      });
    } catch (error) {
      throw new CallError(meta, classifyError(error), error);
    }
  }

  private async backOff(throttled: boolean, attempt: number): Promise<void> {
    this.sleeping += 1;
    try {
      await this.options.sleep(this.backoff(throttled, attempt));
    } finally {
      this.sleeping -= 1;
    }
  }

  /** Takes the slots a request of `service` needs; resolves with what gives them back. */
  private acquire(service: ServiceLimit | undefined, priority: number): Promise<() => void> {
    if (!service) return this.global();
    this.restore(service);
    const own = hold((task) => service.queue.add(task, { priority }));
    if (this.reserving) return own;
    // A request waiting for a global slot holds its service slot, never the reverse.
    return own.then(async (releaseService) => {
      try {
        const releaseGlobal = await this.global();
        return () => {
          releaseGlobal();
          releaseService();
        };
      } catch (error) {
        releaseService();
        throw error;
      }
    });
  }

  /**
   * Once no more calls of the services with reserved slots will come (the organization has been
   * walked and its tables written), their slots join the global pool: in a large crawl the
   * member requests have all of `concurrency` for the rest of the run instead of leaving the
   * reserved slots idle. A later call of such a service still keeps to its own limit, and now
   * takes a global slot as well, so the total stays within `concurrency`.
   */
  releaseReserved(): void {
    if (!this.reserving) return;
    this.reserving = false;
    this.growGlobal(this.reserved);
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

  /** Calls of this thread backing off after a failed attempt (holding no slot). */
  backingOff(): number {
    return this.sleeping;
  }

  /** Requests in flight now: in every thread when the limit is shared. */
  inFlightTotal(): number {
    if (this.shared === undefined) return this.stats.inFlight;
    let reservedInFlight = 0;
    for (const service of this.services.values()) reservedInFlight += service.queue.pending;
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
    if (service.queue.concurrency > 1) service.queue.concurrency = Math.max(1, Math.floor(service.queue.concurrency / 2));
    service.restoreAt = Date.now() + this.options.cooldownMs;
  }

  private restore(service: ServiceLimit): void {
    if (service.queue.concurrency < service.max && Date.now() >= service.restoreAt) {
      service.queue.concurrency = Math.min(service.max, service.queue.concurrency + 1);
      service.restoreAt = Date.now() + this.options.cooldownMs;
    }
  }
}

interface ServiceLimit {
  /** A priority queue (the walk first), its concurrency lowered while the service throttles. */
  queue: PQueue;
  max: number;
  restoreAt: number;
}

/**
 * Takes one of a limiter's slots (p-limit's, or p-queue's through `add`) until the returned
 * function is called: the limiter runs a task that lasts until then.
 */
function hold(run: (task: () => Promise<void>) => unknown): Promise<() => void> {
  return new Promise((taken) => {
    void run(() => new Promise<void>((release) => taken(() => release())));
  });
}
