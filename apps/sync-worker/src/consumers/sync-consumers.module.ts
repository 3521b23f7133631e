import { Logger, Module } from '@nestjs/common';
import { CartKeys, DEFAULT_CART_KEY_PREFIX, PlacedOrderCopies } from '@shop/cart';
import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import { SettlingPurger } from '@shop/http-cache';
import { ConfirmingPublisher } from '@shop/messaging';
import { BackInStockMail, SmtpMailer } from '@shop/notifications';
import {
  BackInStockRepository,
  CategoryRepository,
  OrderRepository,
  ProductRepository,
  StockRepository,
} from '@shop/persistence';
import { ProductIndexer } from '@shop/search';
import { PriceBook } from '@shop/pricing';
import type { RedisClient } from '@shop/redis';
import { ProductIdRegistry, STOCK_REDIS, StockLedger } from '@shop/stock';
import {
  CategoryCacheSync,
  ListingRefresh,
  OrdersMysqlSync,
  PriceSync,
  ProductSearchSync,
  ProductStockIdsSync,
  StockSync,
  SyncMetrics,
} from '@shop/sync';
import { SyncMessagingModule } from '../sync-messaging.module';
import { SyncMetricsModule } from '../sync-metrics.module';
import { SyncStoresModule } from '../sync-stores.module';
import { BackInStockMailController } from './back-in-stock-mail.controller';
import { CategoryCacheController } from './category-cache.controller';
import { OrdersMysqlController } from './orders-mysql.controller';
import { PriceController } from './price.controller';
import { ProductSearchController } from './product-search.controller';
import { ProductStockIdsController } from './product-stock-ids.controller';
import { StockSyncController } from './stock.controller';

/** Every consumer's handler: `grep -rn "@EventPattern" apps/` lists them. */
export const SYNC_CONSUMER_CONTROLLERS = [
  StockSyncController,
  ProductSearchController,
  ProductStockIdsController,
  CategoryCacheController,
  OrdersMysqlController,
  BackInStockMailController,
  PriceController,
];

/**
 * The consumers' handlers and the @shop/sync logic they call, on the stores of
 * SyncStoresModule. Which of them run in a process is the transport's `only` (see main.ts).
 */
@Module({
  imports: [SyncStoresModule, SyncMetricsModule, SyncMessagingModule],
  controllers: SYNC_CONSUMER_CONTROLLERS,
  providers: [
    {
      provide: StockSync,
      inject: [
        StockRepository,
        StockLedger,
        ProductIndexer,
        SettlingPurger,
        ListingRefresh,
        SyncMetrics,
        SHOP_CONFIG,
      ],
      useFactory: (
        stock: StockRepository,
        ledger: StockLedger,
        indexer: ProductIndexer,
        purger: SettlingPurger,
        listingRefresh: ListingRefresh,
        metrics: SyncMetrics,
        config: ShopConfig,
      ) =>
        new StockSync(
          stock,
          ledger,
          indexer,
          purger,
          { lowStockBelow: config.STOREFRONT_LOW_STOCK_BELOW, listingRefresh },
          new Logger(StockSync.name),
          metrics,
        ),
    },
    {
      provide: ProductSearchSync,
      inject: [
        ProductRepository,
        StockRepository,
        StockLedger,
        ProductIndexer,
        SettlingPurger,
        SyncMetrics,
      ],
      useFactory: (
        products: ProductRepository,
        stock: StockRepository,
        ledger: StockLedger,
        indexer: ProductIndexer,
        purger: SettlingPurger,
        metrics: SyncMetrics,
      ) =>
        new ProductSearchSync(
          products,
          stock,
          ledger,
          indexer,
          purger,
          new Logger(ProductSearchSync.name),
          metrics,
        ),
    },
    {
      provide: ProductStockIdsSync,
      inject: [ProductRepository, ProductIdRegistry, PriceBook],
      useFactory: (products: ProductRepository, registry: ProductIdRegistry, prices: PriceBook) =>
        new ProductStockIdsSync(products, registry, prices),
    },
    {
      provide: PriceSync,
      inject: [ProductRepository, ProductSearchSync],
      useFactory: (products: ProductRepository, search: ProductSearchSync) =>
        new PriceSync(products, search),
    },
    {
      provide: CategoryCacheSync,
      inject: [CategoryRepository, SettlingPurger, SyncMetrics],
      useFactory: (categories: CategoryRepository, purger: SettlingPurger, metrics: SyncMetrics) =>
        new CategoryCacheSync(categories, purger, metrics),
    },
    {
      provide: OrdersMysqlSync,
      inject: [OrderRepository, ConfirmingPublisher, STOCK_REDIS, SHOP_CONFIG],
      useFactory: (
        orders: OrderRepository,
        publisher: ConfirmingPublisher,
        redis: RedisClient,
        config: ShopConfig,
      ) =>
        new OrdersMysqlSync(
          orders,
          publisher,
          new PlacedOrderCopies(redis, new CartKeys(DEFAULT_CART_KEY_PREFIX, config.STOCK_SHARDS)),
          new Logger(OrdersMysqlSync.name),
        ),
    },
    {
      // Closed by Nest's shutdown hook (SmtpMailer.onApplicationShutdown).
      provide: SmtpMailer,
      inject: [SHOP_CONFIG],
      useFactory: (config: ShopConfig) => new SmtpMailer(config.SMTP_URL),
    },
    {
      provide: BackInStockMail,
      inject: [BackInStockRepository, ProductRepository, SmtpMailer, SHOP_CONFIG],
      useFactory: (
        subscriptions: BackInStockRepository,
        products: ProductRepository,
        mailer: SmtpMailer,
        config: ShopConfig,
      ) =>
        new BackInStockMail(
          subscriptions,
          {
            nameOf: async (id) => (await products.findByIds([id]))[0]?.name ?? null,
          },
          mailer,
          { from: config.MAIL_FROM, publicUrl: config.PUBLIC_URL },
          new Logger(BackInStockMail.name),
        ),
    },
  ],
})
export class SyncConsumersModule {}
