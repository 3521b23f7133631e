import type { StockChangedEvent } from '@shop/contracts';
import { backoffDelay, errorMessage, SILENT_LOGGER, sleep, type LoggerLike } from '@shop/common';
import type { BackInStockSubscription } from '@shop/persistence';
import {
  backInStockMail,
  type BackInStockMailOptions,
  type BackInStockProduct,
} from './back-in-stock-message';
import { isRecipientRejected, type MailSender } from './smtp-mailer';

/** The subscriptions the notifier reads and moves (BackInStockRepository). */
export interface SubscriptionQueue {
  pendingFor(
    productId: number,
    afterId?: number,
    limit?: number,
  ): Promise<BackInStockSubscription[]>;
  claim(id: number, token: string, at: Date, staleBefore: Date): Promise<boolean>;
  finish(
    id: number,
    token: string,
    outcome: { status: 'sent'; at: Date } | { status: 'rejected'; at: Date; error: string },
  ): Promise<boolean>;
}

/** The product's name for the email (null when the catalog row is gone). */
export interface ProductNameReader {
  nameOf(productId: number): Promise<string | null>;
}

export interface BackInStockMailSettings extends BackInStockMailOptions {
  /**
   * A claim older than this is taken as abandoned (its worker gave up or its message was
   * dead-lettered), and another restock may send that email. Default 10 minutes.
   */
  readonly claimLeaseMs?: number;
  /** Subscriptions read per query. Default 200. */
  readonly pageSize?: number;
  /** Attempts at the MySQL mark after the server accepted the email. Default 5. */
  readonly markAttempts?: number;
}

export interface BackInStockMailResult {
  sent: number;
  /** Refused by the server for good (a 5xx to the address): marked `rejected`, not retried. */
  rejected: number;
  /** Held by another worker's claim (another restock of the product being sent right now). */
  skipped: number;
}

/** The claim token of one restock event: the same on every redelivery of that event. */
export function restockClaimToken(event: Pick<StockChangedEvent, 'id' | 'version'>): string {
  return `restock:${event.id}:${event.version}`;
}

/**
 * The back-in-stock notifier: for a `restocked` event, each pending subscriber of the product gets
 * one email, one subscriber at a time: claim the row, send, mark it sent, then the next. See
 * libs/notifications/README.md for what a crash at each step leads to.
 *
 * A failure to send (server down, a 4xx) throws: the event is retried, and the rows already
 * marked are not sent again. A subscriber whose address the server refuses for good is marked
 * `rejected` and the others still get theirs.
 */
export class BackInStockMail {
  private readonly claimLeaseMs: number;
  private readonly pageSize: number;
  private readonly markAttempts: number;

  constructor(
    private readonly subscriptions: SubscriptionQueue,
    private readonly products: ProductNameReader,
    private readonly mailer: MailSender,
    private readonly settings: BackInStockMailSettings,
    private readonly logger: LoggerLike = SILENT_LOGGER,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.claimLeaseMs = settings.claimLeaseMs ?? 10 * 60_000;
    this.pageSize = settings.pageSize ?? 200;
    this.markAttempts = settings.markAttempts ?? 5;
  }

  async handle(event: StockChangedEvent): Promise<BackInStockMailResult> {
    const result: BackInStockMailResult = { sent: 0, rejected: 0, skipped: 0 };
    // Only `restocked` is bound, whose stock is above 0; anything else here has nothing to say.
    if (event.stock <= 0) return result;
    const token = restockClaimToken(event);
    let product: BackInStockProduct | undefined;
    let afterId = 0;
    for (;;) {
      const page = await this.subscriptions.pendingFor(event.id, afterId, this.pageSize);
      if (page.length === 0) break;
      product ??= { id: event.id, name: await this.products.nameOf(event.id) };
      for (const subscription of page) {
        await this.notify(subscription, product, token, result);
      }
      afterId = page[page.length - 1].id;
      if (page.length < this.pageSize) break;
    }
    if (result.sent + result.rejected + result.skipped > 0) {
      this.logger.log(
        `back-in-stock-mail: product ${event.id} (v${event.version}): ${result.sent} sent, ` +
          `${result.rejected} rejected, ${result.skipped} held by another worker`,
      );
    }
    return result;
  }

  private async notify(
    subscription: BackInStockSubscription,
    product: BackInStockProduct,
    token: string,
    result: BackInStockMailResult,
  ): Promise<void> {
    const now = this.clock();
    const staleBefore = new Date(now.getTime() - this.claimLeaseMs);
    if (!(await this.subscriptions.claim(subscription.id, token, now, staleBefore))) {
      result.skipped += 1;
      return;
    }
    const mail = backInStockMail(subscription, product, this.settings);
    try {
      await this.mailer.send(mail);
    } catch (error) {
      if (!isRecipientRejected(error)) throw error;
      this.logger.warn(
        `back-in-stock-mail: subscription ${subscription.id} refused by the SMTP server: ` +
          errorMessage(error),
      );
      await this.mark(subscription.id, token, {
        status: 'rejected',
        at: this.clock(),
        error: errorMessage(error),
      });
      result.rejected += 1;
      return;
    }
    await this.mark(subscription.id, token, { status: 'sent', at: this.clock() });
    result.sent += 1;
  }

  /**
   * The email is out: from here until the mark is in MySQL, a crash means a second copy. So a
   * failing mark is tried again for a while before the event is given back to be retried.
   */
  private async mark(
    id: number,
    token: string,
    outcome: Parameters<SubscriptionQueue['finish']>[2],
  ): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const held = await this.subscriptions.finish(id, token, outcome);
        if (!held) {
          // Our claim went stale and another worker took the row: it may send again.
          this.logger.warn(
            `back-in-stock-mail: subscription ${id} was no longer claimed by ${token} when ` +
              `marked ${outcome.status}`,
          );
        }
        return;
      } catch (error) {
        if (attempt >= this.markAttempts) throw error;
        this.logger.warn(
          `back-in-stock-mail: marking subscription ${id} ${outcome.status} failed ` +
            `(attempt ${attempt}): ${errorMessage(error)}`,
        );
        await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 2000 }));
      }
    }
  }
}
