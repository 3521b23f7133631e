/**
 * Names on the wire. Every producer and consumer imports them from here so that a rename is one
 * edit, and so that a plain amqplib client can be pointed at the same strings from the docs.
 */
export const STOCK_EXCHANGE = 'stock'; // direct, durable
export const CATALOG_EXCHANGE = 'catalog'; // topic, durable
export const DEAD_LETTER_EXCHANGE = 'shop.dead-letter'; // direct, durable
export const RETRY_EXCHANGE = 'shop.retry'; // direct, durable: delayed redelivery via per-queue TTL

export const StockRoutingKey = {
  /** Every stock change, the original demo's key. */
  Info: 'info',
  /** A change that took the product to 0. */
  Depleted: 'depleted',
  /** A change that took the product from 0 to above 0. */
  Restocked: 'restocked',
} as const;
export type StockRoutingKey = (typeof StockRoutingKey)[keyof typeof StockRoutingKey];

export const CatalogRoutingKey = {
  ProductUpserted: 'product.upserted',
  ProductDeleted: 'product.deleted',
} as const;
export type CatalogRoutingKey = (typeof CatalogRoutingKey)[keyof typeof CatalogRoutingKey];

/** AMQP `type` property of each message. */
export const MessageType = {
  StockChanged: 'stock.changed',
  ProductUpserted: 'product.upserted',
  ProductDeleted: 'product.deleted',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Consuming queues of the sync workers: one per concern, so each can scale on its own. */
export const SyncQueue = {
  StockToMysql: 'sync.stock-mysql',
  StockToSearch: 'sync.stock-search',
  StockToCache: 'sync.stock-cache',
  /** Product changes into Elasticsearch, then the Varnish purge (after the write is visible). */
  ProductToSearch: 'sync.product-search',
  /** Product ids into the stock ledger's registry, so the stock API knows a new product. */
  ProductStockIds: 'sync.product-stock-ids',
} as const;
export type SyncQueue = (typeof SyncQueue)[keyof typeof SyncQueue];
