/**
 * A counting semaphore in shared memory: the one `concurrency` limit of a run, held across the
 * main thread and the crawl workers without a message per request. A thread takes a slot with a
 * compare-and-swap; when none is free it sleeps on the counter (`Atomics.waitAsync`, so the
 * thread's event loop keeps running) until a release wakes one sleeper, in any thread.
 */
export class SharedSlots {
  private readonly cells: Int32Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly size: number,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`SharedSlots needs at least one slot, got ${size}`);
    this.cells = new Int32Array(buffer);
  }

  static create(size: number): SharedSlots {
    return new SharedSlots(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT), size);
  }

  /** Slots taken now, by every thread. */
  inUse(): number {
    return Atomics.load(this.cells, 0);
  }

  async acquire(): Promise<void> {
    for (;;) {
      const used = Atomics.load(this.cells, 0);
      if (used < this.size) {
        if (Atomics.compareExchange(this.cells, 0, used, used + 1) === used) return;
        continue;
      }
      // Sleeps only while the counter still reads `used`: a release in between returns at once.
      const wait = Atomics.waitAsync(this.cells, 0, used);
      if (wait.async) await wait.value;
    }
  }

  release(): void {
    Atomics.sub(this.cells, 0, 1);
    Atomics.notify(this.cells, 0, 1);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
