import {
  CATALOG_EXCHANGE,
  STOCK_EXCHANGE,
  SYNC_QUEUE_BINDINGS,
  SyncQueue,
  type StockChangedEvent,
} from '@shop/contracts';
import type {
  BatchOptions,
  ConsumedMessage,
  ConsumeOptions,
  ConsumerMetricsListener,
  ConsumerStats,
  MessagingTopology,
  QueueBinding,
} from '@shop/messaging';
import type { ProductStockIdsSync } from '../consumers/product-stock-ids.sync';
import type { ProductToSearchSync } from '../consumers/product-to-search.sync';
import type { StockToCacheSync } from '../consumers/stock-to-cache.sync';
import type { StockToMysqlSync } from '../consumers/stock-to-mysql.sync';
import type { StockToSearchSync } from '../consumers/stock-to-search.sync';
import {
  parseCatalogChange,
  parseStockChangedEvent,
  parseStockToMysqlMessage,
  type CatalogChange,
} from '../events';
import { isDependencyOutage } from './dependency-outage';
import { isSyncConsumerName, type SyncConsumerName, type SyncRole } from './sync-roles';

/** Exchange and queue names: the shop's own, or a test's prefixed copies. */
export interface SyncNames {
  readonly stockExchange: string;
  readonly catalogExchange: string;
  queue(queue: SyncQueue): string;
}

export const SHOP_SYNC_NAMES: SyncNames = {
  stockExchange: STOCK_EXCHANGE,
  catalogExchange: CATALOG_EXCHANGE,
  queue: (queue) => queue,
};

/**
 * Names for a prefixed topology (`prefixedTopology(prefix)` of @shop/messaging) with queues
 * prefixed the same way, so a test never touches the shop's exchanges or queues.
 */
export function prefixedSyncNames(topology: MessagingTopology, queuePrefix: string): SyncNames {
  const exchange = (suffix: string): string => {
    const found = topology.exchanges.find(
      (candidate) => candidate.name === suffix || candidate.name.endsWith(`.${suffix}`),
    );
    if (!found) throw new Error(`topology has no ${suffix} exchange`);
    return found.name;
  };
  return {
    stockExchange: exchange(STOCK_EXCHANGE),
    catalogExchange: exchange(CATALOG_EXCHANGE),
    queue: (queue) => `${queuePrefix}.${queue}`,
  };
}

/**
 * How each consumer batches. Stock consumers take up to a few hundred events at once and wait a
 * few ms for companions: one MySQL upsert or one PURGE per batch is what makes a sale-day rush
 * cheap. While a batch is being handled the next one fills, so under load the wait never applies.
 */
export const SYNC_BATCHES: Readonly<Record<SyncConsumerName, BatchOptions>> = {
  'stock-mysql': { maxSize: 500, maxWaitMs: 20 },
  'stock-search': { maxSize: 500, maxWaitMs: 20 },
  'stock-cache': { maxSize: 250, maxWaitMs: 10 },
  'product-search': { maxSize: 100, maxWaitMs: 20 },
  'product-stock-ids': { maxSize: 200, maxWaitMs: 20 },
};

export interface SyncTuning {
  /** AMQP_PREFETCH: the floor of every consumer's prefetch. */
  readonly prefetch: number;
  /** AMQP_MAX_DELIVERIES; default the consumer factory's. */
  readonly maxAttempts?: number;
  /** Override of SYNC_BATCHES (tests). */
  readonly batches?: Partial<Record<SyncConsumerName, BatchOptions>>;
}

/**
 * Prefetch of a batching consumer: at least two batches, so the broker keeps the next batch coming
 * while one is being written (a batch can never be larger than the prefetch).
 */
export function prefetchFor(batch: BatchOptions, configured: number): number {
  return Math.max(configured, batch.maxSize * 2);
}

/** What a started consumer offers the worker (a `ReliableConsumer` of any body type). */
export interface RunningConsumer {
  readonly queue: string;
  stop(timeoutMs?: number): Promise<void>;
  ready(timeoutMs?: number): Promise<void>;
  isConsuming(): boolean;
  stats(): ConsumerStats;
}

/** `MessageConsumers` of @shop/messaging. */
export interface ConsumerFactory {
  consume<T>(options: ConsumeOptions<T>): RunningConsumer;
}

/** Told about every batch a consumer handled (for duration and size histograms, logs). */
export interface BatchObserver {
  /** `correlationIds`: the request ids of the batch's messages that carry one. */
  batch(
    name: SyncConsumerName,
    size: number,
    durationMs: number,
    outcome: 'ok' | 'error',
    correlationIds?: readonly string[],
  ): void;
}

export interface ConsumerExtras {
  readonly metrics?: ConsumerMetricsListener;
  readonly observer?: BatchObserver;
}

/** One consumer, ready to start: its queue, bindings, parser and handler. */
export interface SyncConsumerSpec {
  readonly name: SyncConsumerName;
  readonly queue: string;
  readonly bindings: readonly QueueBinding[];
  readonly batch: BatchOptions;
  readonly prefetch: number;
  start(consumers: ConsumerFactory, extras?: ConsumerExtras): RunningConsumer;
}

/** The sync classes, by the consumer each one is the logic of. */
export interface SyncHandlers {
  'stock-mysql': StockToMysqlSync;
  'stock-search': StockToSearchSync;
  'stock-cache': StockToCacheSync;
  'product-search': ProductToSearchSync;
  'product-stock-ids': ProductStockIdsSync;
}

function spec<T>(
  name: SyncConsumerName,
  queue: string,
  bindings: readonly QueueBinding[],
  parse: (raw: unknown) => T,
  handle: (bodies: T[]) => Promise<unknown>,
  tuning: SyncTuning,
): SyncConsumerSpec {
  const batch = tuning.batches?.[name] ?? SYNC_BATCHES[name];
  const prefetch = prefetchFor(batch, tuning.prefetch);
  return {
    name,
    queue,
    bindings,
    batch,
    prefetch,
    start: (consumers, extras = {}) =>
      consumers.consume<T>({
        queue,
        bindings,
        parse,
        batch,
        prefetch,
        maxAttempts: tuning.maxAttempts,
        // While Varnish or Elasticsearch is away, a batch goes round the retry path whole.
        splitFailedBatches: (error) => !isDependencyOutage(error),
        metrics: extras.metrics,
        handle: async (messages: ConsumedMessage<T>[]) => {
          const started = Date.now();
          const correlationIds = (): string[] =>
            messages.flatMap((message) => (message.correlationId ? [message.correlationId] : []));
          try {
            await handle(messages.map((message) => message.body));
          } catch (error) {
            extras.observer?.batch(
              name,
              messages.length,
              Date.now() - started,
              'error',
              correlationIds(),
            );
            throw error;
          }
          extras.observer?.batch(
            name,
            messages.length,
            Date.now() - started,
            'ok',
            correlationIds(),
          );
        },
      }),
  };
}

/** Specs of the consumers whose handlers are given, in SYNC_CONSUMER_NAMES order. */
export function syncConsumerSpecs(
  handlers: Partial<SyncHandlers>,
  tuning: SyncTuning,
  names: SyncNames = SHOP_SYNC_NAMES,
): SyncConsumerSpec[] {
  const exchangeName = {
    [STOCK_EXCHANGE]: names.stockExchange,
    [CATALOG_EXCHANGE]: names.catalogExchange,
  };
  const bindingsOf = (queue: SyncQueue): QueueBinding[] =>
    SYNC_QUEUE_BINDINGS[queue].map((binding) => ({
      exchange: exchangeName[binding.exchange],
      routingKey: binding.routingKey,
    }));
  const specs: SyncConsumerSpec[] = [];
  const stockSpec = (
    name: SyncConsumerName,
    queue: SyncQueue,
    handler: { handle(events: StockChangedEvent[]): Promise<unknown> } | undefined,
  ): void => {
    if (handler) {
      specs.push(
        spec(
          name,
          names.queue(queue),
          bindingsOf(queue),
          parseStockChangedEvent,
          (events) => handler.handle(events),
          tuning,
        ),
      );
    }
  };
  const stockToMysql = handlers['stock-mysql'];
  if (stockToMysql) {
    // Its queue also carries the barriers of a ledger rebuild (see PublishedStockEvents).
    specs.push(
      spec(
        'stock-mysql',
        names.queue(SyncQueue.StockToMysql),
        bindingsOf(SyncQueue.StockToMysql),
        parseStockToMysqlMessage,
        (messages) => stockToMysql.handle(messages),
        tuning,
      ),
    );
  }
  const catalogSpec = (
    name: SyncConsumerName,
    queue: SyncQueue,
    handler: { handle(changes: CatalogChange[]): Promise<unknown> } | undefined,
  ): void => {
    if (handler) {
      specs.push(
        spec(
          name,
          names.queue(queue),
          bindingsOf(queue),
          parseCatalogChange,
          (changes) => handler.handle(changes),
          tuning,
        ),
      );
    }
  };
  stockSpec('stock-search', SyncQueue.StockToSearch, handlers['stock-search']);
  stockSpec('stock-cache', SyncQueue.StockToCache, handlers['stock-cache']);
  catalogSpec('product-search', SyncQueue.ProductToSearch, handlers['product-search']);
  catalogSpec('product-stock-ids', SyncQueue.ProductStockIds, handlers['product-stock-ids']);
  return specs;
}

/** The handlers of the consumers among `roles` (the reconciler role has none). */
export function pickHandlers(
  handlers: SyncHandlers,
  roles: readonly SyncRole[],
): Partial<SyncHandlers> {
  const picked: Partial<SyncHandlers> = {};
  const assign = <K extends SyncConsumerName>(name: K): void => {
    picked[name] = handlers[name];
  };
  for (const role of roles) {
    if (isSyncConsumerName(role)) assign(role);
  }
  return picked;
}
