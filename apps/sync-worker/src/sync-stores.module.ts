import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import { Logger, Module } from '@nestjs/common';
import { HttpCacheModule, SettlingPurger, VarnishPurger } from '@shop/http-cache';
import { ProductRepository } from '@shop/persistence';
import { PriceBook, mysqlPriceBase } from '@shop/pricing';
import { ElasticsearchModule } from '@shop/search';
import { STOCK_REDIS, StockModule } from '@shop/stock';
import { LISTING_REFRESH_WINDOW_MS, ListingRefresh } from '@shop/sync';
import type { RedisClient } from '@shop/redis';

/**
 * The views the sync logic keeps in step with MySQL (the global PersistenceModule): the
 * Elasticsearch index, the Redis stock ledger, Varnish. One instance per process, shared by the
 * consumers and the reconciler (and by `npm run reconcile`). No StockLedgerRestorer here: only the
 * stock API rebuilds a lost ledger.
 */
@Module({
  imports: [ElasticsearchModule, StockModule.forRoot(), HttpCacheModule],
  providers: [
    {
      // Every purge of the sync worker is echoed once in-flight fetches have landed (see
      // SettlingPurger); SyncWorkerService sends the pending echoes on shutdown.
      provide: SettlingPurger,
      inject: [VarnishPurger],
      useFactory: (varnish: VarnishPurger) => new SettlingPurger(varnish),
    },
    {
      // The stock consumer's refreshes of the listings for new badge words, at most one a window;
      // SyncWorkerService sends a held one on shutdown, before the echoes.
      provide: ListingRefresh,
      inject: [SettlingPurger],
      useFactory: (purger: SettlingPurger) =>
        new ListingRefresh(purger, LISTING_REFRESH_WINDOW_MS, new Logger(ListingRefresh.name)),
    },
    {
      // Live prices, on the ledger's connection: the catalog consumer hands admin price edits to
      // them, the reconciler compares them with MySQL.
      provide: PriceBook,
      inject: [STOCK_REDIS, ProductRepository, SHOP_CONFIG],
      useFactory: (redis: RedisClient, products: ProductRepository, config: ShopConfig) =>
        new PriceBook(redis, mysqlPriceBase(products), { shards: config.STOCK_SHARDS }),
    },
  ],
  exports: [
    ElasticsearchModule,
    StockModule,
    HttpCacheModule,
    SettlingPurger,
    ListingRefresh,
    PriceBook,
  ],
})
export class SyncStoresModule {}
