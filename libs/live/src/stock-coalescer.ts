import type { LiveStockMessage } from './live-protocol';

/** Default window: several changes of one product within it go out as the newest only. */
export const DEFAULT_COALESCE_WINDOW_MS = 250;

interface ProductWindow {
  timer: ReturnType<typeof setTimeout>;
  /** The newest change held back during the window, if any. */
  pending: LiveStockMessage | undefined;
  /** Highest version emitted for the product so far. */
  emittedVersion: number;
}

/**
 * Per-product coalescing of stock changes, highest version wins. The first change of a product
 * goes out at once (a lone change is not delayed) and opens a window; changes during the window
 * are held, only the newest kept, and emitted when it ends (which opens the next window). So a
 * burst costs at most one message per product per window, and its last message is its newest
 * version. A change older than one already emitted or held is dropped: the broker does not
 * guarantee order across a reconnect, and a browser must never step back.
 */
export class StockCoalescer {
  private readonly windows = new Map<number, ProductWindow>();
  /** Highest version emitted per product whose window has closed; bounded by `forget`. */
  private readonly closedVersions = new Map<number, number>();

  constructor(
    private readonly emit: (message: LiveStockMessage) => void,
    private readonly windowMs = DEFAULT_COALESCE_WINDOW_MS,
  ) {}

  push(message: LiveStockMessage): void {
    const window = this.windows.get(message.id);
    if (window) {
      const newest = window.pending?.version ?? window.emittedVersion;
      if (message.version > newest) window.pending = message;
      return;
    }
    const emitted = this.closedVersions.get(message.id);
    if (emitted !== undefined && message.version <= emitted) return;
    this.emitAndOpenWindow(message);
  }

  /** Products with a window open now (for tests and metrics). */
  get openWindows(): number {
    return this.windows.size;
  }

  /** Drops what is remembered of products nobody watches any more. */
  forget(productId: number): void {
    if (!this.windows.has(productId)) this.closedVersions.delete(productId);
  }

  /** Stops every timer; held changes are dropped (the process is going away). */
  close(): void {
    for (const window of this.windows.values()) clearTimeout(window.timer);
    this.windows.clear();
    this.closedVersions.clear();
  }

  private emitAndOpenWindow(message: LiveStockMessage): void {
    this.closedVersions.delete(message.id);
    const window: ProductWindow = {
      pending: undefined,
      emittedVersion: message.version,
      timer: setTimeout(() => this.closeWindow(message.id), this.windowMs),
    };
    // A timer must not keep a stopping process alive.
    window.timer.unref?.();
    this.windows.set(message.id, window);
    this.emit(message);
  }

  private closeWindow(productId: number): void {
    const window = this.windows.get(productId);
    if (!window) return;
    this.windows.delete(productId);
    if (window.pending) {
      this.emitAndOpenWindow(window.pending);
    } else {
      this.closedVersions.set(productId, window.emittedVersion);
    }
  }
}
