import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SYNC_QUEUE_BINDINGS, SyncQueue, type StockChangedEvent } from '@shop/contracts';
import { consumerPattern } from '@shop/messaging';
import { BackInStockMail } from '@shop/notifications';
import { parseStockChangedEvent, splitUnlessOutage } from '@shop/sync';

/**
 * The back-in-stock notifier: a `restocked` stock event (0 → above 0) mails every pending
 * subscriber of the product once, over SMTP, and marks each one sent (@shop/notifications).
 */
@Controller()
export class BackInStockMailController {
  constructor(private readonly mail: BackInStockMail) {}

  // One event per call: each sends and marks its subscribers one by one, so a bigger batch would
  // only leave more events to redeliver after a crash. Restocks are rare next to sales.
  @EventPattern(
    'back-in-stock-mail',
    consumerPattern({
      queue: SyncQueue.BackInStockMail,
      bindings: SYNC_QUEUE_BINDINGS[SyncQueue.BackInStockMail],
      parse: parseStockChangedEvent,
      batch: { maxSize: 1, maxWaitMs: 0 },
      prefetch: 2,
      splitFailedBatches: splitUnlessOutage,
    }),
  )
  async handle(@Payload() events: StockChangedEvent[]): Promise<void> {
    for (const event of events) await this.mail.handle(event);
  }
}
