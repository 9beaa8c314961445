/**
 * A stream of items discovered once and read by several consumers, each from the start, while
 * discovery is still going on (the OU tree feeds both the OU table and the member crawl).
 */
export class ReplayableStream<T> {
  private readonly items: T[] = [];
  private closed = false;
  private failure: unknown = undefined;
  private waiters: Array<() => void> = [];

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  fail(error: unknown): void {
    this.failure = error;
    this.closed = true;
    this.wake();
  }

  /** The items found so far. */
  snapshot(): readonly T[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }

  /** Resolves with every item once discovery has finished. */
  async all(): Promise<readonly T[]> {
    for await (const _ of this) {
      // drain
    }
    return this.items;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let index = 0;
    for (;;) {
      while (index < this.items.length) {
        yield this.items[index] as T;
        index += 1;
      }
      if (this.closed) {
        if (this.failure !== undefined) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
