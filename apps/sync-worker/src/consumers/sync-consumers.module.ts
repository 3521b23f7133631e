import { Logger, Module } from '@nestjs/common';
import { SettlingPurger } from '@shop/http-cache';
import { ConfirmingPublisher } from '@shop/messaging';
import { OrderRepository, ProductRepository, StockRepository } from '@shop/persistence';
import { ProductIndexer } from '@shop/search';
import { PriceBook } from '@shop/pricing';
import { ProductIdRegistry, StockLedger } from '@shop/stock';
import {
  OrdersMysqlSync,
  PriceSync,
  ProductSearchSync,
  ProductStockIdsSync,
  StockCacheSync,
  StockMysqlSync,
  StockSearchSync,
  SyncMetrics,
} from '@shop/sync';
import { SyncMessagingModule } from '../sync-messaging.module';
import { SyncMetricsModule } from '../sync-metrics.module';
import { SyncStoresModule } from '../sync-stores.module';
import { OrdersMysqlController } from './orders-mysql.controller';
import { PriceController } from './price.controller';
import { ProductSearchController } from './product-search.controller';
import { ProductStockIdsController } from './product-stock-ids.controller';
import { StockCacheController } from './stock-cache.controller';
import { StockMysqlController } from './stock-mysql.controller';
import { StockSearchController } from './stock-search.controller';

/** Every consumer's handler: `grep -rn "@EventPattern" apps/` lists them. */
export const SYNC_CONSUMER_CONTROLLERS = [
  StockMysqlController,
  StockSearchController,
  StockCacheController,
  ProductSearchController,
  ProductStockIdsController,
  OrdersMysqlController,
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
      provide: StockMysqlSync,
      inject: [StockRepository, SyncMetrics],
      useFactory: (stock: StockRepository, metrics: SyncMetrics) =>
        new StockMysqlSync(stock, new Logger(StockMysqlSync.name), metrics),
    },
    {
      provide: StockSearchSync,
      inject: [StockLedger, ProductIndexer, SettlingPurger, SyncMetrics],
      useFactory: (
        ledger: StockLedger,
        indexer: ProductIndexer,
        purger: SettlingPurger,
        metrics: SyncMetrics,
      ) => new StockSearchSync(ledger, indexer, purger, new Logger(StockSearchSync.name), metrics),
    },
    {
      provide: StockCacheSync,
      inject: [SettlingPurger, SyncMetrics],
      useFactory: (purger: SettlingPurger, metrics: SyncMetrics) =>
        new StockCacheSync(purger, metrics),
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
      provide: OrdersMysqlSync,
      inject: [OrderRepository, ConfirmingPublisher],
      useFactory: (orders: OrderRepository, publisher: ConfirmingPublisher) =>
        new OrdersMysqlSync(orders, publisher, new Logger(OrdersMysqlSync.name)),
    },
  ],
})
export class SyncConsumersModule {}
