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
  /** A category created, renamed, moved or re-ordered (admin API). */
  CategoryUpserted: 'category.upserted',
  CategoryDeleted: 'category.deleted',
} as const;
export type CatalogRoutingKey = (typeof CatalogRoutingKey)[keyof typeof CatalogRoutingKey];

/** AMQP `type` property of each message. */
export const MessageType = {
  StockChanged: 'stock.changed',
  /** Sent straight to `sync.stock` (not the exchange) by a ledger rebuild: see StockBarrier. */
  StockBarrier: 'stock.barrier',
  PriceChanged: 'price.changed',
  ProductUpserted: 'product.upserted',
  ProductDeleted: 'product.deleted',
  CategoryUpserted: 'category.upserted',
  CategoryDeleted: 'category.deleted',
  OrderPlaced: 'order.placed',
  OrderConfirmed: 'order.confirmed',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Consuming queues of the sync workers: one per consuming role, so each can scale on its own. */
export const SyncQueue = {
  /**
   * Stock events (and a ledger rebuild's barriers): one batch writes MySQL, flips search flags
   * and purges Varnish together, so each change costs the broker one quorum write, not three.
   */
  Stock: 'sync.stock',
  /** Product changes into Elasticsearch, then the Varnish purge (after the write is visible). */
  ProductSearch: 'sync.product-search',
  /** Product ids into the stock ledger's registry, so the stock API knows a new product. */
  ProductStockIds: 'sync.product-stock-ids',
  /** Products back in stock: one email per waiting back-in-stock subscriber (over SMTP). */
  BackInStockMail: 'sync.back-in-stock-mail',
  /** Category changes into Varnish: the menu and the listings whose tree moved. */
  CategoryCache: 'sync.category-cache',
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
  [SyncQueue.Stock]: [{ exchange: STOCK_EXCHANGE, routingKey: StockRoutingKey.Info }],
  [SyncQueue.ProductSearch]: [{ exchange: CATALOG_EXCHANGE, routingKey: 'product.*' }],
  [SyncQueue.ProductStockIds]: [{ exchange: CATALOG_EXCHANGE, routingKey: 'product.*' }],
  // Only the changes that took a product from 0 to above 0: `info` would wake it for every sale.
  [SyncQueue.BackInStockMail]: [
    { exchange: STOCK_EXCHANGE, routingKey: StockRoutingKey.Restocked },
  ],
  [SyncQueue.CategoryCache]: [{ exchange: CATALOG_EXCHANGE, routingKey: 'category.*' }],
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
 * Sync queues that were replaced, with what they were bound to. Each stock event used to go into
 * three quorum queues (MySQL, search, cache), one Raft write each; `sync.stock` now does all three
 * in one batch. A sync worker unbinds these on start (so they stop growing) and deletes them, with
 * their retry and `.dead` queues, only once they are empty: what is still in one is reported, not
 * dropped. Keep an entry until no deployment can still have the queue.
 */
export const RETIRED_SYNC_QUEUES: readonly {
  queue: string;
  bindings: readonly SyncQueueBinding[];
}[] = ['sync.stock-mysql', 'sync.stock-search', 'sync.stock-cache'].map((queue) => ({
  queue,
  bindings: [{ exchange: STOCK_EXCHANGE, routingKey: StockRoutingKey.Info }],
}));

/**
 * A marker a stock ledger rebuild sends through the stock queue (`sync.stock`), behind every
 * stock event already queued there. The consumer records `barrier` in MySQL once it has applied everything
 * before it; the rebuild reads MySQL only then.
 */
export interface StockBarrier {
  readonly barrier: string;
  readonly requestedAt: string;
}
