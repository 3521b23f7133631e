import { errorMessage, SILENT_LOGGER, type LoggerLike } from '@shop/common';
import { LISTING_TAG } from '@shop/http-cache';
import type { CachePurger } from '../ports';

/** Default window: the listings are refreshed for new badge words at most once a second. */
export const LISTING_REFRESH_WINDOW_MS = 1000;

/**
 * Paces the soft purges of `listing` that changes of badge words ask for. The listings Varnish
 * stores carry their badges inline under that one tag, so each purge has every listing someone views
 * rendered again; near the end of a sale, when many products sell their last units, nearly every
 * stock batch changes some badge's words. The first ask goes out with its batch's purge and opens
 * a window; asks during the window are held and sent as one soft purge when it ends (which opens
 * the next). A purge of `listing` that went out anyway (a zero crossing) answers what was held.
 *
 * A held refresh lives in this process only: if it dies in the window, listings keep the old
 * words until their TTL (5 min), as with a lost purge echo. `close()` sends it.
 */
export class ListingRefresh {
  private window: ReturnType<typeof setTimeout> | undefined;
  private held = false;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly purger: CachePurger,
    private readonly windowMs = LISTING_REFRESH_WINDOW_MS,
    private readonly logger: Pick<LoggerLike, 'warn'> = SILENT_LOGGER,
  ) {}

  /** Whether the batch's purge carries `listing` now; if not, it goes out when the window ends. */
  ask(): boolean {
    if (this.window) {
      this.held = true;
      return false;
    }
    this.open();
    return true;
  }

  /** A purge of `listing` went out for another reason: it covers what was held. */
  sent(): void {
    this.held = false;
    if (!this.window) this.open();
  }

  /** Whether a refresh waits for the window's end (for tests and logs). */
  get pending(): boolean {
    return this.held;
  }

  /** Stops the window and sends the held refresh, if any. */
  async close(): Promise<void> {
    clearTimeout(this.window);
    this.window = undefined;
    if (this.held) this.send();
    await this.sending;
  }

  private open(): void {
    this.window = setTimeout(() => this.end(), this.windowMs);
    // A window alone must not keep a process alive that is otherwise done.
    this.window.unref?.();
  }

  private end(): void {
    this.window = undefined;
    if (!this.held) return;
    this.open();
    this.send();
  }

  private send(): void {
    this.held = false;
    this.sending = this.sending.then(() =>
      this.purger.purge({ hard: [], soft: [LISTING_TAG] }).then(
        () => undefined,
        (error: unknown) =>
          // The purger has retried: the listings keep the old words until their TTL.
          this.logger.warn(`listing refresh for new badge words failed: ${errorMessage(error)}`),
      ),
    );
  }
}
