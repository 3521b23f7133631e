import {
  Inject,
  Injectable,
  OnApplicationBootstrap,
  OnModuleDestroy,
  type Provider,
} from '@nestjs/common';
import { CachedCartProductCatalog, CartHoldSweeper, Carts } from '@shop/cart';
import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import { ProductRepository } from '@shop/persistence';
import { PriceBook } from '@shop/pricing';
import { STOCK_REDIS } from '@shop/stock';
import type { RedisClient } from '@shop/redis';

/**
 * Runs the hold sweeper in this process (every stock-api process does: the expiry step is atomic
 * and idempotent), stopped before the stock module closes Redis.
 */
@Injectable()
class CartHoldSweeperLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(@Inject(CartHoldSweeper) private readonly sweeper: CartHoldSweeper) {}

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.sweeper.stop();
  }
}

/**
 * Carts on the stock ledger's Redis connection (a hold changes a cart and a level in one script).
 * A line's name comes from MySQL's products table, the source of truth (no Redis copy of the
 * catalog exists), and its price from the PriceBook: what a shopper pays at that moment, the
 * sale price while a sale runs. Both through a 2 s cache, so a rush on one product is one query,
 * and a price change or a sale's start or end reaches new lines within 2 s.
 */
export const CART_PROVIDERS: Provider[] = [
  {
    provide: Carts,
    inject: [STOCK_REDIS, SHOP_CONFIG, ProductRepository, PriceBook],
    useFactory: (
      redis: RedisClient,
      config: ShopConfig,
      products: ProductRepository,
      book: PriceBook,
    ) =>
      new Carts(
        redis,
        new CachedCartProductCatalog({
          find: async (id) => {
            const [product, price] = await Promise.all([products.findById(id), book.get(id)]);
            if (!product) return null;
            return { name: product.name, price: price?.effectivePrice ?? product.price };
          },
        }),
        { holdSeconds: config.CART_HOLD_SECONDS, stockShards: config.STOCK_SHARDS },
      ),
  },
  {
    provide: CartHoldSweeper,
    inject: [Carts],
    useFactory: (carts: Carts) => new CartHoldSweeper(carts),
  },
  CartHoldSweeperLifecycle,
];
