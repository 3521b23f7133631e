import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SYNC_QUEUE_BINDINGS, SyncQueue } from '@shop/contracts';
import { consumerPattern } from '@shop/messaging';
import { parseStockMessage, splitUnlessOutage, StockSync, type StockMessage } from '@shop/sync';

/**
 * Stock events into MySQL (one version-guarded upsert per batch), the search index's `inStock`
 * flag and Varnish (one purge per batch). Its queue also carries the barriers of a ledger
 * rebuild (see PublishedStockEvents in @shop/stock).
 */
@Controller()
export class StockSyncController {
  constructor(private readonly sync: StockSync) {}

  // Up to a few hundred events at once, a few ms of wait for companions: one upsert, one flag
  // write per product and one purge per batch is what makes a sale-day rush cheap. Room for two
  // batches, so the next one fills while one is written (under load the wait never applies).
  @EventPattern(
    'stock',
    consumerPattern({
      queue: SyncQueue.Stock,
      bindings: SYNC_QUEUE_BINDINGS[SyncQueue.Stock],
      parse: parseStockMessage,
      batch: { maxSize: 500, maxWaitMs: 20 },
      prefetch: 1000,
      splitFailedBatches: splitUnlessOutage,
    }),
  )
  async handle(@Payload() messages: StockMessage[]): Promise<void> {
    await this.sync.handle(messages);
  }
}
