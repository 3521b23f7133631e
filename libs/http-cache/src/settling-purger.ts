import { Logger } from '@nestjs/common';
import { errorMessage, sleep, type LoggerLike } from '@shop/common';
import type { PurgePlan } from './purge-plan';
import type { PurgeResult, VarnishPurger } from './varnish-purger';

/**
 * How long after a purge its last echo goes out. varnish/default.vcl keeps an object whose fetch
 * took longer than this for a moment only (`now - bereq.time > 2s`); a unit test holds the two
 * equal.
 */
export const PURGE_SETTLE_MS = 2000;

/**
 * How long after a purge its first echo goes out. Nearly every fetch that read the origin just
 * before a change lands within this: the quick echo repairs its copy within a second of the
 * change (a sale's start or end must reach shoppers within one), the last echo the slow ones.
 */
export const PURGE_QUICK_ECHO_MS = 250;

export interface SettlingPurgerOptions {
  /** Default `PURGE_SETTLE_MS`; shorter than the VCL's threshold leaves a stale copy possible. */
  readonly settleMs?: number;
  /** Default `PURGE_QUICK_ECHO_MS`; `null` sends the last echo only. */
  readonly quickEchoMs?: number | null;
  readonly logger?: Pick<LoggerLike, 'warn'>;
}

/**
 * Purges, then purges the same tags once more, softly, after the fetches that were in flight
 * during the purge have landed: a quick echo for the fetches of a normal duration, a last one
 * for the slow.
 *
 * Varnish purges only the objects it holds. A fetch that read the origin just before a change
 * became visible, and reached Varnish just after the purge, is stored as new and served until
 * its TTL runs out: five minutes for a listing, an hour for a product page. The echoes, at least
 * `quickEchoMs` and `settleMs` after the last purge of a tag, find that copy; a fetch slower than
 * `settleMs`, which the last echo might still miss, is kept for a moment only by the VCL.
 *
 * Echoes are coalesced: a tag purged many times is echoed once per delay, that delay to 1.25 ×
 * that delay after its last purge, so each echo costs at most four PURGE requests per delay. A
 * failed echo is logged and not repeated (the inner purger has retried it): the copy it missed
 * still expires with its TTL. `close()` sends the pending echoes when they are due.
 */
export class SettlingPurger {
  private readonly echoes: EchoQueue[];
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly inner: Pick<VarnishPurger, 'purge'>,
    options: SettlingPurgerOptions = {},
  ) {
    const logger = options.logger ?? new Logger(SettlingPurger.name);
    const quick = options.quickEchoMs === undefined ? PURGE_QUICK_ECHO_MS : options.quickEchoMs;
    const settle = options.settleMs ?? PURGE_SETTLE_MS;
    const delays = quick === null || quick >= settle ? [settle] : [quick, settle];
    this.echoes = delays.map(
      (delayMs) => new EchoQueue(delayMs, (tags) => this.send(tags, logger)),
    );
  }

  /** Purges `plan` now (as the inner purger does, errors included) and schedules its echoes. */
  async purge(plan: PurgePlan): Promise<PurgeResult> {
    const result = await this.inner.purge(plan);
    const tags = [...plan.hard, ...plan.soft];
    this.echoes.forEach((echo) => echo.add(tags));
    return result;
  }

  /** Tags whose last echo is still to come. */
  get pending(): number {
    return this.echoes[this.echoes.length - 1].size;
  }

  /** Waits until every pending echo is due, then sends them all. */
  async close(): Promise<void> {
    await Promise.all(this.echoes.map((echo) => echo.close()));
    await this.sending;
  }

  private send(tags: readonly string[], logger: Pick<LoggerLike, 'warn'>): void {
    if (tags.length === 0) return;
    this.sending = this.sending.then(() =>
      this.inner.purge({ hard: [], soft: tags }).then(
        () => undefined,
        (error: unknown) => {
          const reason = errorMessage(error);
          logger.warn(
            `Echo purge of ${tags.length} tag(s) failed (${reason}); a copy fetched during the first purge lives until its TTL`,
          );
        },
      ),
    );
  }
}

/** The tags waiting for one echo, each due `delayMs` after its last purge. */
class EchoQueue {
  /** tag -> when its echo is due; kept in due order (a re-purged tag moves to the end). */
  private readonly due = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly send: (tags: readonly string[]) => void,
  ) {}

  get size(): number {
    return this.due.size;
  }

  add(tags: readonly string[]): void {
    const dueAt = performance.now() + this.delayMs;
    for (const tag of tags) {
      this.due.delete(tag);
      this.due.set(tag, dueAt);
    }
    this.arm(this.delayMs);
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    let last = 0;
    for (const dueAt of this.due.values()) last = dueAt; // due order: the last is the latest
    const wait = last - performance.now();
    if (wait > 0) await sleep(wait);
    this.send([...this.due.keys()]);
    this.due.clear();
  }

  private arm(delayMs: number): void {
    if (this.timer || this.due.size === 0) return;
    this.timer = setTimeout(() => this.flushDue(), delayMs);
    // An echo alone must not keep a process alive that is otherwise done.
    this.timer.unref();
  }

  private flushDue(): void {
    this.timer = undefined;
    const now = performance.now();
    const tags: string[] = [];
    for (const [tag, dueAt] of this.due) {
      if (dueAt > now) break;
      tags.push(tag);
    }
    tags.forEach((tag) => this.due.delete(tag));
    this.send(tags);
    const next = this.due.values().next();
    if (!next.done) this.arm(Math.max(next.value - now, this.delayMs / 4));
  }
}
