import {
  Inject,
  Injectable,
  OnApplicationBootstrap,
  OnModuleDestroy,
  type Provider,
} from '@nestjs/common';
import { ProductRepository, type ProductPriceRow } from '@shop/persistence';
import { PriceBook, PriceScheduler, type PriceBaseRow } from '@shop/pricing';
import { STOCK_REDIS } from '@shop/stock';
import type { Redis } from 'ioredis';

/** MySQL's price row in the price book's terms (cents, epoch ms). */
export function toPriceBase(row: ProductPriceRow): PriceBaseRow {
  return {
    priceCents: Math.round(row.price * 100),
    saleCents: row.sale ? Math.round(row.sale.price * 100) : null,
    startsAt: row.sale?.startsAt ? Date.parse(row.sale.startsAt) : null,
    endsAt: row.sale?.endsAt ? Date.parse(row.sale.endsAt) : null,
    version: row.version,
  };
}

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
    inject: [STOCK_REDIS, ProductRepository],
    useFactory: (redis: Redis, products: ProductRepository) =>
      new PriceBook(redis, {
        priceBase: async (id) => {
          const row = await products.findPrice(id);
          return row ? toPriceBase(row) : null;
        },
      }),
  },
  {
    provide: PriceScheduler,
    inject: [STOCK_REDIS, PriceBook],
    useFactory: (redis: Redis, book: PriceBook) => new PriceScheduler(redis, book),
  },
  PriceSchedulerLifecycle,
];
