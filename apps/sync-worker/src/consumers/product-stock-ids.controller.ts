import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SYNC_QUEUE_BINDINGS, SyncQueue } from '@shop/contracts';
import { consumerPattern } from '@shop/messaging';
import {
  parseCatalogChange,
  ProductStockIdsSync,
  splitUnlessOutage,
  type CatalogChange,
} from '@shop/sync';

/** Product changes into the stock ledger's id registry, so the stock API knows new products. */
@Controller()
export class ProductStockIdsController {
  constructor(private readonly sync: ProductStockIdsSync) {}

  @EventPattern(
    'product-stock-ids',
    consumerPattern({
      queue: SyncQueue.ProductStockIds,
      bindings: SYNC_QUEUE_BINDINGS[SyncQueue.ProductStockIds],
      parse: parseCatalogChange,
      batch: { maxSize: 200, maxWaitMs: 20 },
      prefetch: 400,
      splitFailedBatches: splitUnlessOutage,
    }),
  )
  async handle(@Payload() changes: CatalogChange[]): Promise<void> {
    await this.sync.handle(changes);
  }
}
