import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SYNC_QUEUE_BINDINGS, SyncQueue, type StockChangedEvent } from '@shop/contracts';
import { consumerPattern } from '@shop/messaging';
import { parseStockChangedEvent, splitUnlessOutage, StockCacheSync } from '@shop/sync';

/** Stock events into Varnish: one PURGE of the batch's `stock-<id>` tags. */
@Controller()
export class StockCacheController {
  constructor(private readonly sync: StockCacheSync) {}

  @EventPattern(
    'stock-cache',
    consumerPattern({
      queue: SyncQueue.StockCache,
      bindings: SYNC_QUEUE_BINDINGS[SyncQueue.StockCache],
      parse: parseStockChangedEvent,
      batch: { maxSize: 250, maxWaitMs: 10 },
      prefetch: 500,
      splitFailedBatches: splitUnlessOutage,
    }),
  )
  async handle(@Payload() events: StockChangedEvent[]): Promise<void> {
    await this.sync.handle(events);
  }
}
