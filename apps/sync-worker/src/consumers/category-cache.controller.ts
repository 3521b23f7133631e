import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SYNC_QUEUE_BINDINGS, SyncQueue } from '@shop/contracts';
import { consumerPattern } from '@shop/messaging';
import {
  CategoryCacheSync,
  parseCategoryChange,
  splitUnlessOutage,
  type CategoryChange,
} from '@shop/sync';

/** Category changes into Varnish: the menu, the touched category pages, listings. */
@Controller()
export class CategoryCacheController {
  constructor(private readonly sync: CategoryCacheSync) {}

  @EventPattern(
    'category-cache',
    consumerPattern({
      queue: SyncQueue.CategoryCache,
      bindings: SYNC_QUEUE_BINDINGS[SyncQueue.CategoryCache],
      parse: parseCategoryChange,
      batch: { maxSize: 50, maxWaitMs: 20 },
      prefetch: 100,
      splitFailedBatches: splitUnlessOutage,
    }),
  )
  async handle(@Payload() changes: CategoryChange[]): Promise<void> {
    await this.sync.handle(changes);
  }
}
