import { Logger, type Provider } from '@nestjs/common';
import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import { SettlingPurger, VarnishPurger } from '@shop/http-cache';
import { MessageConsumers } from '@shop/messaging';
import { METRICS_REGISTRY } from '@shop/observability';
import { ProductRepository, StockRepository } from '@shop/persistence';
import { ProductIndexer } from '@shop/search';
import {
  BatchLog,
  createReconciler,
  createSyncHandlers,
  parseSyncRoles,
  pickHandlers,
  Reconciler,
  SyncConsumerRunner,
  syncConsumerSpecs,
  SyncMetrics,
  type SyncLoggerFactory,
  type SyncRole,
  type SyncServices,
  observeBatchesWith,
} from '@shop/sync';
import { ProductIdRegistry, StockLedger } from '@shop/stock';
import type { Registry } from 'prom-client';
import { SYNC_ROLES_SELECTED, SYNC_SERVICES } from './sync-worker.tokens';

const nestLogger: SyncLoggerFactory = (context) => new Logger(context);

/** Wiring only: the logic lives in @shop/sync. */
export const SYNC_WORKER_PROVIDERS: Provider[] = [
  {
    provide: SYNC_ROLES_SELECTED,
    useFactory: (): SyncRole[] => parseSyncRoles(process.argv.slice(2), process.env),
  },
  {
    provide: SyncMetrics,
    inject: [METRICS_REGISTRY],
    useFactory: (registry: Registry) => new SyncMetrics(registry),
  },
  {
    // Every purge of the sync worker is echoed once in-flight fetches have landed (see
    // SettlingPurger); SyncWorkerService sends the pending echoes on shutdown.
    provide: SettlingPurger,
    inject: [VarnishPurger],
    useFactory: (varnish: VarnishPurger) => new SettlingPurger(varnish),
  },
  {
    provide: SYNC_SERVICES,
    inject: [
      StockRepository,
      ProductRepository,
      StockLedger,
      ProductIdRegistry,
      ProductIndexer,
      SettlingPurger,
    ],
    useFactory: (
      stock: StockRepository,
      products: ProductRepository,
      ledger: StockLedger,
      registry: ProductIdRegistry,
      indexer: ProductIndexer,
      purger: SettlingPurger,
    ): SyncServices => ({ stock, products, ledger, registry, indexer, purger }),
  },
  {
    provide: SyncConsumerRunner,
    inject: [MessageConsumers, SYNC_SERVICES, SyncMetrics, SYNC_ROLES_SELECTED, SHOP_CONFIG],
    useFactory: (
      consumers: MessageConsumers,
      services: SyncServices,
      metrics: SyncMetrics,
      roles: SyncRole[],
      config: ShopConfig,
    ) => {
      const handlers = createSyncHandlers(services, { logger: nestLogger, listener: metrics });
      const specs = syncConsumerSpecs(pickHandlers(handlers, roles), {
        prefetch: config.AMQP_PREFETCH,
        maxAttempts: config.AMQP_MAX_DELIVERIES,
      });
      return new SyncConsumerRunner(
        consumers,
        specs,
        { metrics, observer: observeBatchesWith(metrics, new BatchLog(new Logger('SyncBatches'))) },
        new Logger('SyncConsumers'),
      );
    },
  },
  {
    provide: Reconciler,
    inject: [SYNC_SERVICES, SyncMetrics],
    useFactory: (services: SyncServices, metrics: SyncMetrics) =>
      createReconciler(services, {
        logger: nestLogger,
        onReport: (report) => metrics.reconciled(report),
      }),
  },
];
