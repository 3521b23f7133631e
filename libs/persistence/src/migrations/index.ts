import { Migration, MigrationProvider } from 'kysely';
import * as createCategories from './0001-create-categories';
import * as createProducts from './0002-create-products';
import * as createProductCategories from './0003-create-product-categories';
import * as createStock from './0004-create-stock';
import * as createOutbox from './0005-create-outbox';
import * as createProcessedMessages from './0006-create-processed-messages';
import * as indexOutboxChanges from './0007-index-outbox-changes';
import * as dropProcessedMessages from './0008-drop-processed-messages';
import * as createStockLedgerEpochs from './0009-create-stock-ledger-epochs';
import * as addOutboxCorrelationId from './0010-add-outbox-correlation-id';
import * as addStockHeld from './0011-add-stock-held';
import * as createOrders from './0012-create-orders';
import * as createBackInStockSubscriptions from './0013-create-back-in-stock-subscriptions';
import * as addProductSalePrices from './0015-add-product-sale-prices';
import * as orderRowsInInsertOrder from './0016-order-rows-in-insert-order';

/**
 * Every migration, by name. Imported rather than found by scanning a folder, so the same code runs
 * under ts-jest, tsx and from compiled `dist/` (where the files end in `.js`). Kysely runs them in
 * the names' alphabetical order: new ones take the next number.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-create-categories': createCategories,
  '0002-create-products': createProducts,
  '0003-create-product-categories': createProductCategories,
  '0004-create-stock': createStock,
  '0005-create-outbox': createOutbox,
  '0006-create-processed-messages': createProcessedMessages,
  '0007-index-outbox-changes': indexOutboxChanges,
  '0008-drop-processed-messages': dropProcessedMessages,
  '0009-create-stock-ledger-epochs': createStockLedgerEpochs,
  '0010-add-outbox-correlation-id': addOutboxCorrelationId,
  '0011-add-stock-held': addStockHeld,
  '0012-create-orders': createOrders,
  '0013-create-back-in-stock-subscriptions': createBackInStockSubscriptions,
  '0015-add-product-sale-prices': addProductSalePrices,
  '0016-order-rows-in-insert-order': orderRowsInInsertOrder,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...MIGRATIONS }),
};
