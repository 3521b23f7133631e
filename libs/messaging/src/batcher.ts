export interface BatchOptions {
  /** Most items handed to one flush. */
  readonly maxSize: number;
  /** Longest an item waits for companions before a partial batch is flushed. */
  readonly maxWaitMs: number;
}

/**
 * Gathers items into batches and flushes them one batch at a time, in arrival order: a flush
 * starts when `maxSize` items are buffered, when the oldest has waited `maxWaitMs`, or on `drain`.
 * Items that arrive while a batch is being handled wait for it, so under load the next batch is
 * already full when the current one finishes. Flushes never overlap, which is what lets the
 * consumer ack a whole batch with one `allUpTo` ack.
 */
export class Batcher<T> {
  private buffer: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The oldest buffered item has waited long enough. */
  private waited = false;
  private draining = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly options: BatchOptions,
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    if (!Number.isInteger(options.maxSize) || options.maxSize < 1) {
      throw new RangeError(`batch maxSize must be a positive integer, got ${options.maxSize}`);
    }
    if (!Number.isFinite(options.maxWaitMs) || options.maxWaitMs < 0) {
      throw new RangeError(`batch maxWaitMs must be >= 0, got ${options.maxWaitMs}`);
    }
  }

  /** Items waiting for a flush. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** True while a flush is running. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  add(item: T): void {
    this.buffer.push(item);
    this.armTimer();
    this.kick();
  }

  /** Drops buffered (not yet flushing) items that match, and returns them. */
  discard(predicate: (item: T) => boolean): T[] {
    const dropped = this.buffer.filter(predicate);
    if (dropped.length > 0) {
      this.buffer = this.buffer.filter((item) => !predicate(item));
    }
    if (this.buffer.length === 0) {
      this.clearTimer();
    }
    return dropped;
  }

  /** Flushes everything buffered, without waiting for `maxWaitMs`, and waits for the last flush. */
  async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.running || this.buffer.length > 0) {
        this.kick();
        await this.running;
      }
    } finally {
      this.draining = false;
    }
  }

  private ready(): boolean {
    if (this.buffer.length === 0) {
      return false;
    }
    return (
      this.buffer.length >= this.options.maxSize ||
      this.options.maxWaitMs === 0 ||
      this.waited ||
      this.draining
    );
  }

  private kick(): void {
    if (this.running || !this.ready()) {
      return;
    }
    const items = this.buffer.splice(0, this.options.maxSize);
    this.clearTimer();
    this.armTimer();
    this.running = Promise.resolve()
      .then(() => this.flush(items))
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.running = undefined;
        this.kick();
      });
  }

  private armTimer(): void {
    if (this.timer || this.waited || this.buffer.length === 0 || this.options.maxWaitMs === 0) {
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.waited = true;
      this.kick();
    }, this.options.maxWaitMs);
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.waited = false;
  }
}
