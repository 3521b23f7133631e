import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SYNC_QUEUE_BINDINGS, SyncQueue, type PriceChangedEvent } from '@shop/contracts';
import { consumerPattern } from '@shop/messaging';
import { parsePriceChangedEvent, PriceSync, splitUnlessOutage } from '@shop/sync';

/** Price changes (admin writes, sale starts and ends) into MySQL, Elasticsearch and Varnish. */
@Controller()
export class PriceController {
  constructor(private readonly sync: PriceSync) {}

  // Short waits: a sale's start must reach shoppers within a second, and price changes are few.
  @EventPattern(
    'price',
    consumerPattern({
      queue: SyncQueue.Price,
      bindings: SYNC_QUEUE_BINDINGS[SyncQueue.Price],
      parse: parsePriceChangedEvent,
      batch: { maxSize: 200, maxWaitMs: 10 },
      prefetch: 400,
      splitFailedBatches: splitUnlessOutage,
    }),
  )
  async handle(@Payload() events: PriceChangedEvent[]): Promise<void> {
    await this.sync.handle(events);
  }
}
