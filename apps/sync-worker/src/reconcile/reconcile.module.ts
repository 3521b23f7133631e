import {
  Logger,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
} from '@nestjs/common';
import { SettlingPurger } from '@shop/http-cache';
import { ProductRepository, StockRepository } from '@shop/persistence';
import { ProductIndexer } from '@shop/search';
import { PriceBook } from '@shop/pricing';
import { ProductIdRegistry, StockLedger } from '@shop/stock';
import {
  PriceReconciler,
  Reconciler,
  SearchReconciler,
  StockReconciler,
  type CachePurger,
  type ReconcileReport,
} from '@shop/sync';
import { SyncStoresModule } from '../sync-stores.module';

export type ReconcilePart = 'stock' | 'price' | 'search';

/** Told about every finished run (the worker's SyncMetrics). */
export interface ReconcileReportListener {
  reconciled(report: ReconcileReport): void;
}

export interface ReconcileModuleOptions {
  /** Rows changed less than this long ago are left to the consumers (default 5000 ms). */
  readonly graceMs?: number;
  /** Which parts run (default all three). */
  readonly parts?: readonly ReconcilePart[];
  /** Token of the CachePurger for repairs (default SettlingPurger); null: no purge. */
  readonly purger?: InjectionToken | null;
  /** Token of a ReconcileReportListener, exported by one of `imports`. */
  readonly reportTo?: InjectionToken;
  readonly imports?: ModuleMetadata['imports'];
}

/**
 * The reconciler of MySQL against the Redis ledger, Redis' live prices and the Elasticsearch index: the sync worker's
 * (periodic and POST /reconcile) and `npm run reconcile`'s. Exports `Reconciler`.
 */
/** The purger of the repairs (null: no purge) and the report listener (null: none). */
const RECONCILE_PURGER = Symbol('RECONCILE_PURGER');
const RECONCILE_LISTENER = Symbol('RECONCILE_LISTENER');

@Module({})
export class ReconcileModule {
  static forRoot(options: ReconcileModuleOptions = {}): DynamicModule {
    const purger = options.purger === undefined ? SettlingPurger : options.purger;
    const parts = new Set(options.parts ?? ['stock', 'price', 'search']);
    const graceMs = options.graceMs;
    return {
      module: ReconcileModule,
      imports: [SyncStoresModule, ...(options.imports ?? [])],
      providers: [
        purger === null
          ? { provide: RECONCILE_PURGER, useValue: null }
          : { provide: RECONCILE_PURGER, useExisting: purger },
        options.reportTo === undefined
          ? { provide: RECONCILE_LISTENER, useValue: null }
          : { provide: RECONCILE_LISTENER, useExisting: options.reportTo },
        {
          provide: Reconciler,
          inject: [
            StockRepository,
            ProductRepository,
            StockLedger,
            ProductIdRegistry,
            ProductIndexer,
            PriceBook,
            RECONCILE_PURGER,
            RECONCILE_LISTENER,
          ],
          useFactory: (
            stock: StockRepository,
            products: ProductRepository,
            ledger: StockLedger,
            registry: ProductIdRegistry,
            indexer: ProductIndexer,
            prices: PriceBook,
            cachePurger: CachePurger | null,
            listener: ReconcileReportListener | null,
          ): Reconciler => {
            const repairPurger = cachePurger ?? undefined;
            return new Reconciler(
              {
                stock: parts.has('stock')
                  ? new StockReconciler(
                      {
                        mysql: stock,
                        ledger,
                        registry,
                        purger: repairPurger,
                        logger: new Logger(StockReconciler.name),
                      },
                      { graceMs },
                    )
                  : undefined,
                price: parts.has('price')
                  ? new PriceReconciler(
                      { prices, mysql: products, logger: new Logger(PriceReconciler.name) },
                      { graceMs },
                    )
                  : undefined,
                search: parts.has('search')
                  ? new SearchReconciler(
                      {
                        products,
                        stock,
                        ledger,
                        indexer,
                        purger: repairPurger,
                        logger: new Logger(SearchReconciler.name),
                      },
                      { graceMs },
                    )
                  : undefined,
              },
              {
                logger: new Logger(Reconciler.name),
                onReport: listener ? (report) => listener.reconciled(report) : undefined,
              },
            );
          },
        },
      ],
      exports: [Reconciler],
    };
  }
}
