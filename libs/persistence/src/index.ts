// MySQL, the source of truth: the connection, migrations, repositories, the outbox and the demo
// catalog. What other rooms use is exported here; row types, SQL mapping and migrations stay inside.
export type { Database } from './schema';
export { createDatabase, ensureDatabase, parseMysqlUrl, pingDatabase } from './connection';
export { migrateToLatest } from './migrate';
export { DATABASE, InjectDatabase } from './database.tokens';
export { PersistenceModule, type PersistenceModuleOptions } from './persistence.module';
export {
  CategoryCycleError,
  CategoryNotEmptyError,
  CategoryNotFoundError,
  DatabaseUnavailableError,
  DuplicateCategoryError,
  DuplicateSkuError,
  ProductNotFoundError,
  UnknownCategoryError,
} from './errors';
export {
  PRODUCT_AGGREGATE,
  PRODUCT_LIMITS,
  productDeletedEvent,
  type ProductInput,
  type ProductPatch,
  type ProductPriceRow,
  type ProductRecord,
  productUpsertedEvent,
  toProduct,
} from './products/product-mapping';
export {
  type ProductPage,
  ProductRepository,
  type ProductWriteOptions,
} from './products/product.repository';
export {
  CATEGORY_AGGREGATE,
  type CategoryCreate,
  type CategoryDeleteOptions,
  type CategoryDeletion,
  type CategoryPatch,
  CategoryRepository,
} from './categories/category.repository';
export { latestPerProduct, type VersionedStockRow } from './stock/stock-rows';
export { type StockApplyResult, type StockPage, StockRepository } from './stock/stock.repository';
export { StockLedgerEpochRepository } from './stock/stock-ledger-epoch.repository';
export { type OutboxMessage, OutboxRepository } from './outbox/outbox.repository';
export {
  type OrderInsertResult,
  OrderRepository,
  type StoredOrder,
} from './orders/order.repository';
export {
  type BackInStockSubscribeResult,
  type BackInStockSubscription,
  BackInStockRepository,
} from './notifications/back-in-stock.repository';
export { DEMO_PRODUCT_COUNT, DEMO_SEED, generateDemoCatalog } from './demo/demo-catalog';
export { seedDemoCatalog } from './demo/seed-demo-catalog';
export { createTestDatabase, type TestDatabase } from './testing/test-database';
