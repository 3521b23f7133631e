import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SYNC_QUEUE_BINDINGS, SyncQueue, type StockChangedEvent } from '@shop/contracts';
import { consumerPattern } from '@shop/messaging';
import { parseStockChangedEvent, splitUnlessOutage, StockSearchSync } from '@shop/sync';

/** Stock events into Elasticsearch: `inStock` on zero crossings, then the purge. */
@Controller()
export class StockSearchController {
  constructor(private readonly sync: StockSearchSync) {}

  @EventPattern(
    'stock-search',
    consumerPattern({
      queue: SyncQueue.StockSearch,
      bindings: SYNC_QUEUE_BINDINGS[SyncQueue.StockSearch],
      parse: parseStockChangedEvent,
      batch: { maxSize: 500, maxWaitMs: 20 },
      prefetch: 1000,
      splitFailedBatches: splitUnlessOutage,
    }),
  )
  async handle(@Payload() events: StockChangedEvent[]): Promise<void> {
    await this.sync.handle(events);
  }
}
