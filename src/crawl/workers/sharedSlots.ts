/**
 * A counting semaphore in shared memory: the one `concurrency` limit of a run, held across the
 * main thread and the crawl workers without a message per request. A thread takes a slot with a
 * compare-and-swap; when none is free it sleeps on the counter (`Atomics.waitAsync`, so the
 * thread's event loop keeps running) until a release wakes one sleeper, in any thread.
 */
export class SharedSlots {
  private readonly cells: Int32Array;
  /** This thread's sleepers, and the handle that keeps its event loop alive while there are any. */
  private localSleepers = 0;
  private keepAlive: NodeJS.Timeout | null = null;
  /** Slots this thread holds now. */
  private held = 0;

  /** Attaches to slots made by `create` (in another thread, from its `buffer`). */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
  }

  /**
   * Cell 0: slots taken; cell 1: sleepers (a release notifies only when there are some);
   * cell 2: the number of slots, which `grow` raises.
   */
  static create(size: number): SharedSlots {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`SharedSlots needs at least one slot, got ${size}`);
    const slots = new SharedSlots(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    Atomics.store(slots.cells, 2, size);
    return slots;
  }

  /** The number of slots now. */
  get size(): number {
    return Atomics.load(this.cells, 2);
  }

  /** Adds slots (in every thread at once); sleepers are woken to take them. */
  grow(by: number): void {
    if (by <= 0) return;
    Atomics.add(this.cells, 2, by);
    if (Atomics.load(this.cells, 1) > 0) Atomics.notify(this.cells, 0);
  }

  /** Slots taken now, by every thread. */
  inUse(): number {
    return Atomics.load(this.cells, 0);
  }

  async acquire(): Promise<void> {
    for (;;) {
      const used = Atomics.load(this.cells, 0);
      if (used < Atomics.load(this.cells, 2)) {
        if (Atomics.compareExchange(this.cells, 0, used, used + 1) === used) {
          this.held += 1;
          return;
        }
        continue;
      }
      // Sleeps only while the counter still reads `used`: a release in between returns at once.
      // The sleeper is counted before it reads the counter again, so a release that frees a
      // slot after that read sees it and wakes it.
      Atomics.add(this.cells, 1, 1);
      const wait = Atomics.waitAsync(this.cells, 0, used);
      if (wait.async) {
        // A pending waitAsync does not keep Node's event loop alive by itself.
        if (this.localSleepers++ === 0) this.keepAlive = setInterval(() => undefined, 1 << 30);
        await wait.value;
        if (--this.localSleepers === 0 && this.keepAlive !== null) {
          clearInterval(this.keepAlive);
          this.keepAlive = null;
        }
      }
      Atomics.sub(this.cells, 1, 1);
    }
  }

  release(): void {
    this.held -= 1;
    Atomics.sub(this.cells, 0, 1);
    // A notify crosses threads and costs tens of microseconds: only when someone sleeps.
    if (Atomics.load(this.cells, 1) > 0) Atomics.notify(this.cells, 0, 1);
  }

  /**
   * After every other thread using these slots has been stopped: what they held is free again.
   * Only this thread's own holdings stay counted, and every sleeper is woken.
   */
  reclaim(): void {
    Atomics.store(this.cells, 0, this.held);
    Atomics.notify(this.cells, 0);
  }
}
