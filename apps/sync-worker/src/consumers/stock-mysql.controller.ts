import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SYNC_QUEUE_BINDINGS, SyncQueue } from '@shop/contracts';
import { consumerPattern } from '@shop/messaging';
import {
  parseStockMysqlMessage,
  splitUnlessOutage,
  StockMysqlSync,
  type StockMysqlMessage,
} from '@shop/sync';

/**
 * Stock events into MySQL: one version-guarded upsert per batch. Its queue also carries the
 * barriers of a ledger rebuild (see PublishedStockEvents in @shop/stock).
 */
@Controller()
export class StockMysqlController {
  constructor(private readonly sync: StockMysqlSync) {}

  // Up to a few hundred events at once, a few ms of wait for companions: one MySQL upsert per
  // batch is what makes a sale-day rush cheap. Room for two batches, so the next one fills while
  // one is written (under load the wait never applies).
  @EventPattern(
    'stock-mysql',
    consumerPattern({
      queue: SyncQueue.StockMysql,
      bindings: SYNC_QUEUE_BINDINGS[SyncQueue.StockMysql],
      parse: parseStockMysqlMessage,
      batch: { maxSize: 500, maxWaitMs: 20 },
      prefetch: 1000,
      splitFailedBatches: splitUnlessOutage,
    }),
  )
  async handle(@Payload() messages: StockMysqlMessage[]): Promise<void> {
    await this.sync.handle(messages);
  }
}
