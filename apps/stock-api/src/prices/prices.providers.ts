import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import {
  Inject,
  Injectable,
  OnApplicationBootstrap,
  OnModuleDestroy,
  type Provider,
} from '@nestjs/common';
import { ProductRepository } from '@shop/persistence';
import { PriceBook, PriceScheduler, mysqlPriceBase } from '@shop/pricing';
import { STOCK_REDIS } from '@shop/stock';
import type { RedisClient } from '@shop/redis';

/**
 * Runs the sale scheduler in this process, next to the outbox relay (one scheduler works at a
 * time across processes: a lease), stopped before the stock module closes Redis.
 */
@Injectable()
class PriceSchedulerLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(@Inject(PriceScheduler) private readonly scheduler: PriceScheduler) {}

  onApplicationBootstrap(): void {
    this.scheduler.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.scheduler.stop();
  }
}

/** Live prices on the stock ledger's Redis connection (their events share its outbox). */
export const PRICE_PROVIDERS: Provider[] = [
  {
    provide: PriceBook,
    inject: [STOCK_REDIS, ProductRepository, SHOP_CONFIG],
    useFactory: (redis: RedisClient, products: ProductRepository, config: ShopConfig) =>
      new PriceBook(redis, mysqlPriceBase(products), { shards: config.STOCK_SHARDS }),
  },
  {
    provide: PriceScheduler,
    inject: [STOCK_REDIS, PriceBook],
    useFactory: (redis: RedisClient, book: PriceBook) => new PriceScheduler(redis, book),
  },
  PriceSchedulerLifecycle,
];
