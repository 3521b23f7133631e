import type { StockLevel } from '@shop/contracts';
import type { VarnishPurger } from '@shop/http-cache';
import type { ConfirmingPublisher } from '@shop/messaging';
import type {
  CategoryRepository,
  OrderRepository,
  ProductRepository,
  StockRepository,
} from '@shop/persistence';
import type { ProductIndexer } from '@shop/search';
import type { PriceBook } from '@shop/pricing';
import type { ProductIdRegistry, StockLedger } from '@shop/stock';

/*
 * The slices of other libs' services the sync logic uses. Narrow on purpose: the unit tests hand
 * in small fakes, and a reader sees at a glance which calls a consumer makes.
 */

export type StockRowWriter = Pick<StockRepository, 'applyVersioned' | 'recordBarriers'>;
export type StockRowReader = Pick<StockRepository, 'findByIds'>;
export type ProductReader = Pick<ProductRepository, 'findByIds'>;
export type CategoryProductReader = Pick<CategoryRepository, 'productIdsIn'>;
export type ProductPriceWriter = Pick<ProductRepository, 'applyPrices'>;
export type ProductPager = Pick<ProductRepository, 'listPage' | 'findByIds'>;
export type InStockWriter = Pick<ProductIndexer, 'setInStockMany'>;
export type ProductDocumentWriter = Pick<ProductIndexer, 'upsert' | 'remove'>;
export type ProductDocumentSource = Pick<ProductIndexer, 'iterateDocuments' | 'upsert' | 'remove'>;
export type CachePurger = Pick<VarnishPurger, 'purge'>;
export type ProductIdRegistrar = Pick<ProductIdRegistry, 'register' | 'unregister'>;
export type CatalogPriceAdopter = Pick<PriceBook, 'adoptCatalogPrice'>;

/** The live ledger's figures, aligned with the ids (null: the ledger does not know the product). */
export interface LiveStockReader {
  getMany(productIds: readonly number[]): Promise<(StockLevel | null)[]>;
}

export type StockLedgerView = Pick<StockLedger, 'getMany' | 'snapshot' | 'restore'>;

export type OrderWriter = Pick<OrderRepository, 'insertConfirmed'>;
export type OrderConfirmedPublisher = Pick<ConfirmingPublisher, 'publishBatch'>;

/** The Redis copies of placed orders (PlacedOrderCopies in @shop/cart). */
export interface OrderCopies {
  /** Orders MySQL now holds: their copies may go soon. */
  confirmed(orderIds: readonly string[]): Promise<void>;
}
