import type { ProductRepository, StockRepository } from '@shop/persistence';
import type { ProductIndexer } from '@shop/search';
import type { ProductIdRegistry, StockLedger } from '@shop/stock';
import { SILENT_LOGGER, type LoggerLike } from '@shop/common';
import { ProductStockIdsSync } from './consumers/product-stock-ids.sync';
import { ProductToSearchSync } from './consumers/product-to-search.sync';
import { StockToCacheSync } from './consumers/stock-to-cache.sync';
import { StockToMysqlSync } from './consumers/stock-to-mysql.sync';
import { StockToSearchSync } from './consumers/stock-to-search.sync';
import type { SyncOutcomeListener } from './outcomes';
import { type CachePurger } from './ports';
import type { ReconcileReport } from './reconcile/reconcile-report';
import { Reconciler } from './reconcile/reconciler';
import { SearchReconciler } from './reconcile/search-reconciler';
import { StockReconciler } from './reconcile/stock-reconciler';
import type { SyncHandlers } from './runtime/sync-consumers';

/** The services of the other libs the sync worker (and `npm run reconcile`) runs on. */
export interface SyncServices {
  readonly stock: StockRepository;
  readonly products: ProductRepository;
  readonly ledger: StockLedger;
  readonly registry: ProductIdRegistry;
  readonly indexer: ProductIndexer;
  readonly purger: CachePurger;
}

export type SyncLoggerFactory = (context: string) => LoggerLike;

const silent: SyncLoggerFactory = () => SILENT_LOGGER;

/** Every consumer's logic, built on the given services. */
export function createSyncHandlers(
  services: SyncServices,
  options: { readonly logger?: SyncLoggerFactory; readonly listener?: SyncOutcomeListener } = {},
): SyncHandlers {
  const logger = options.logger ?? silent;
  const listener = options.listener ?? {};
  const { stock, products, ledger, registry, indexer, purger } = services;
  return {
    'stock-mysql': new StockToMysqlSync(stock, logger('StockToMysqlSync'), listener),
    'stock-search': new StockToSearchSync(
      ledger,
      indexer,
      purger,
      logger('StockToSearchSync'),
      listener,
    ),
    'stock-cache': new StockToCacheSync(purger, listener),
    'product-search': new ProductToSearchSync(
      products,
      stock,
      ledger,
      indexer,
      purger,
      logger('ProductToSearchSync'),
      listener,
    ),
    'product-stock-ids': new ProductStockIdsSync(products, registry),
  };
}

export interface CreateReconcilerOptions {
  readonly logger?: SyncLoggerFactory;
  readonly onReport?: (report: ReconcileReport) => void;
  /** See StockReconcilerOptions / SearchReconcilerOptions. Default 5000. */
  readonly graceMs?: number;
  /** Purge Varnish after repairs (default true). */
  readonly purge?: boolean;
  /** Which parts to run (default both). */
  readonly parts?: readonly ('stock' | 'search')[];
}

/** The reconciler of MySQL against Redis and Elasticsearch. */
export function createReconciler(
  services: SyncServices,
  options: CreateReconcilerOptions = {},
): Reconciler {
  const logger = options.logger ?? silent;
  const parts = new Set(options.parts ?? ['stock', 'search']);
  const purger = options.purge === false ? undefined : services.purger;
  const graceMs = options.graceMs;
  return new Reconciler(
    {
      stock: parts.has('stock')
        ? new StockReconciler(
            {
              mysql: services.stock,
              ledger: services.ledger,
              registry: services.registry,
              purger,
              logger: logger('StockReconciler'),
            },
            { graceMs },
          )
        : undefined,
      search: parts.has('search')
        ? new SearchReconciler(
            {
              products: services.products,
              stock: services.stock,
              ledger: services.ledger,
              indexer: services.indexer,
              purger,
              logger: logger('SearchReconciler'),
            },
            { graceMs },
          )
        : undefined,
    },
    { logger: logger('Reconciler'), onReport: options.onReport },
  );
}
