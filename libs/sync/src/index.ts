// What the sync worker's consumers do (stock→MySQL, search, cache, orders→MySQL) and the
// reconciler; the wiring lives in apps/sync-worker. Exported: what other rooms use; the rest stays inside.
export { CategoryCacheSync } from './consumers/category-cache.sync';
export {
  OrderConfirmationPublishError,
  OrdersMysqlSync,
  parseOrderPlacedMessage,
} from './consumers/orders-mysql.sync';
export { PriceSync } from './consumers/price.sync';
export { ProductSearchSync } from './consumers/product-search.sync';
export { ProductStockIdsSync } from './consumers/product-stock-ids.sync';
export { StockSync, type StockSyncOptions } from './consumers/stock.sync';
export { LISTING_REFRESH_WINDOW_MS, ListingRefresh } from './consumers/listing-refresh';
export {
  type CatalogChange,
  type CategoryChange,
  parseCatalogChange,
  parseCategoryChange,
  parsePriceChangedEvent,
  parseStockChangedEvent,
  parseStockMessage,
  type StockMessage,
} from './events';
export { type CachePurger } from './ports';
export {
  RECONCILE_KINDS,
  type ReconcileKind,
  type ReconcileReport,
} from './reconcile/reconcile-report';
export { ReconcileScheduler } from './reconcile/reconcile-scheduler';
export { PriceReconciler } from './reconcile/price-reconciler';
export { Reconciler } from './reconcile/reconciler';
export { SearchReconciler } from './reconcile/search-reconciler';
export { StockReconciler } from './reconcile/stock-reconciler';
export { BatchLog, observeBatchesWith } from './runtime/batch-log';
export { splitUnlessOutage } from './runtime/dependency-outage';
export { QueueDepthPoller } from './runtime/queue-depth-poller';
export { SyncMetrics } from './runtime/sync-metrics';
