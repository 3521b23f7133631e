/**
 * Names on the wire. Every producer and consumer imports them from here so that a rename is one
 * edit, and so that a plain amqplib client can be pointed at the same strings from the docs.
 */
export const STOCK_EXCHANGE = 'stock'; // direct, durable
export const CATALOG_EXCHANGE = 'catalog'; // topic, durable
export const PRICE_EXCHANGE = 'price'; // direct, durable
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

export const PriceRoutingKey = {
  /** Every price change: admin writes and the scheduler's sale starts and ends. */
  Info: 'info',
} as const;
export type PriceRoutingKey = (typeof PriceRoutingKey)[keyof typeof PriceRoutingKey];

export const CatalogRoutingKey = {
  ProductUpserted: 'product.upserted',
  ProductDeleted: 'product.deleted',
} as const;
export type CatalogRoutingKey = (typeof CatalogRoutingKey)[keyof typeof CatalogRoutingKey];

/** AMQP `type` property of each message. */
export const MessageType = {
  StockChanged: 'stock.changed',
  /** Sent straight to `sync.stock-mysql` (not the exchange) by a ledger rebuild: see StockBarrier. */
  StockBarrier: 'stock.barrier',
  PriceChanged: 'price.changed',
  ProductUpserted: 'product.upserted',
  ProductDeleted: 'product.deleted',
  OrderPlaced: 'order.placed',
  OrderConfirmed: 'order.confirmed',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Consuming queues of the sync workers: one per concern, so each can scale on its own. */
export const SyncQueue = {
  StockMysql: 'sync.stock-mysql',
  StockSearch: 'sync.stock-search',
  StockCache: 'sync.stock-cache',
  /** Product changes into Elasticsearch, then the Varnish purge (after the write is visible). */
  ProductSearch: 'sync.product-search',
  /** Product ids into the stock ledger's registry, so the stock API knows a new product. */
  ProductStockIds: 'sync.product-stock-ids',
  /** Price changes into MySQL, then Elasticsearch, then the Varnish purge. */
  Price: 'sync.price',
} as const;
export type SyncQueue = (typeof SyncQueue)[keyof typeof SyncQueue];

export interface SyncQueueBinding {
  readonly exchange: typeof STOCK_EXCHANGE | typeof CATALOG_EXCHANGE | typeof PRICE_EXCHANGE;
  readonly routingKey: string;
}

/**
 * What each sync queue is bound to. The consumers declare their queues from this, and so do the
 * publishers (before their first publish), so an event published before any worker ever started
 * is already queued for it.
 */
export const SYNC_QUEUE_BINDINGS: Readonly<Record<SyncQueue, readonly SyncQueueBinding[]>> = {
  [SyncQueue.StockMysql]: [{ exchange: STOCK_EXCHANGE, routingKey: StockRoutingKey.Info }],
  [SyncQueue.StockSearch]: [{ exchange: STOCK_EXCHANGE, routingKey: StockRoutingKey.Info }],
  [SyncQueue.StockCache]: [{ exchange: STOCK_EXCHANGE, routingKey: StockRoutingKey.Info }],
  [SyncQueue.ProductSearch]: [{ exchange: CATALOG_EXCHANGE, routingKey: 'product.*' }],
  [SyncQueue.ProductStockIds]: [{ exchange: CATALOG_EXCHANGE, routingKey: 'product.*' }],
  [SyncQueue.Price]: [{ exchange: PRICE_EXCHANGE, routingKey: PriceRoutingKey.Info }],
};

/** The sync queues that receive what is published to `exchange`, with their bindings. */
export function syncQueuesBoundTo(
  exchange: SyncQueueBinding['exchange'],
): { queue: SyncQueue; bindings: readonly SyncQueueBinding[] }[] {
  return (Object.keys(SYNC_QUEUE_BINDINGS) as SyncQueue[])
    .filter((queue) => SYNC_QUEUE_BINDINGS[queue].some((b) => b.exchange === exchange))
    .map((queue) => ({ queue, bindings: SYNC_QUEUE_BINDINGS[queue] }));
}

/**
 * A marker a stock ledger rebuild sends through the stock→MySQL queue, behind every stock event
 * already queued there. The consumer records `barrier` in MySQL once it has applied everything
 * before it; the rebuild reads MySQL only then.
 */
export interface StockBarrier {
  readonly barrier: string;
  readonly requestedAt: string;
}
