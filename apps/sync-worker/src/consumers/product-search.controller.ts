import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SYNC_QUEUE_BINDINGS, SyncQueue } from '@shop/contracts';
import { consumerPattern } from '@shop/messaging';
import {
  parseCatalogChange,
  ProductSearchSync,
  splitUnlessOutage,
  type CatalogChange,
} from '@shop/sync';

/** Product changes into Elasticsearch (re-read from MySQL), then the purge. */
@Controller()
export class ProductSearchController {
  constructor(private readonly sync: ProductSearchSync) {}

  @EventPattern(
    'product-search',
    consumerPattern({
      queue: SyncQueue.ProductSearch,
      bindings: SYNC_QUEUE_BINDINGS[SyncQueue.ProductSearch],
      parse: parseCatalogChange,
      batch: { maxSize: 100, maxWaitMs: 20 },
      prefetch: 200,
      splitFailedBatches: splitUnlessOutage,
    }),
  )
  async handle(@Payload() changes: CatalogChange[]): Promise<void> {
    await this.sync.handle(changes);
  }
}
