import {
  CatalogRoutingKey,
  StockRoutingKey,
  SyncQueue,
  type StockChangedEvent,
} from '@shop/contracts';
import type { INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  DeadLetters,
  deadLetterQueueName,
  PassThroughRpcFilter,
  ReliableTransport,
} from '@shop/messaging';
import { SILENT_LOGGER } from '@shop/common';
import { BackInStockMail } from '@shop/notifications';
import {
  BackInStockRepository,
  CATEGORY_AGGREGATE,
  CategoryRepository,
  OrderRepository,
  productUpsertedEvent,
  productDeletedEvent,
} from '@shop/persistence';
import {
  CategoryCacheSync,
  OrdersMysqlSync,
  ProductSearchSync,
  PriceSync,
  ProductStockIdsSync,
  StockSync,
} from '@shop/sync';
import { eventuallyPasses } from '../../../../test/support/eventually';
// The sync lib's own test support: the real services under names no one else uses.
import {
  createSyncTestBroker,
  createSyncTestWorld,
  type SyncTestBroker,
  type SyncTestWorld,
} from '../../../../libs/sync/src/testing/int-support';
import type { SyncConsumerName } from '../sync-roles';
import { SYNC_CONSUMER_CONTROLLERS } from './sync-consumers.module';

interface Consumers {
  readonly app: INestMicroservice;
  readonly transport: ReliableTransport;
}

/**
 * The consumers end to end on the real services: events published raw (as the stock API's
 * relay and the catalog's outbox relay do) on a private copy of the exchanges, consumed from
 * quorum queues, written to a throwaway MySQL database, a private Redis prefix and Elasticsearch
 * alias, purged on a PURGE recorder.
 */
describe('sync consumers against RabbitMQ, MySQL, Redis and Elasticsearch', () => {
  let world: SyncTestWorld;
  let broker: SyncTestBroker;
  let consumers: Consumers;

  /**
   * The worker's handlers (SYNC_CONSUMER_CONTROLLERS) on ReliableTransport, as main.ts runs them,
   * with the @shop/sync logic on this test's stores and queue names.
   */
  async function startConsumers(only?: SyncConsumerName[]): Promise<Consumers> {
    const transport = new ReliableTransport(broker.consumers, {
      only,
      naming: broker.naming,
      logger: SILENT_LOGGER,
    });
    const { stock, products, ledger, registry, indexer, purger } = world;
    const module = await Test.createTestingModule({
      controllers: SYNC_CONSUMER_CONTROLLERS,
      providers: [
        {
          provide: StockSync,
          useValue: new StockSync(stock, ledger, indexer, purger, { lowStockBelow: 10 }),
        },
        {
          provide: ProductSearchSync,
          useValue: new ProductSearchSync(products, stock, ledger, indexer, purger),
        },
        { provide: ProductStockIdsSync, useValue: new ProductStockIdsSync(products, registry) },
        {
          provide: CategoryCacheSync,
          useValue: new CategoryCacheSync(new CategoryRepository(world.database.db), purger),
        },
        {
          provide: PriceSync,
          useValue: new PriceSync(
            products,
            new ProductSearchSync(products, stock, ledger, indexer, purger),
          ),
        },
        {
          // No order is sent here (test/orders.e2e-spec.ts covers the order worker on the real
          // stack): a publish would be a bug, so the publisher refuses.
          provide: OrdersMysqlSync,
          useValue: new OrdersMysqlSync(
            new OrderRepository(world.database.db),
            {
              publishBatch: () => Promise.reject(new Error('no order is published in this test')),
            },
            { confirmed: () => Promise.reject(new Error('no order is confirmed in this test')) },
          ),
        },
        {
          // Nor is a restock (test/back-in-stock.e2e-spec.ts covers the notifier over SMTP).
          provide: BackInStockMail,
          useValue: new BackInStockMail(
            new BackInStockRepository(world.database.db),
            { nameOf: () => Promise.resolve(null) },
            { send: () => Promise.reject(new Error('no email is sent in this test')) },
            { from: 'shop@localhost', publicUrl: 'http://127.0.0.1:8080' },
          ),
        },
      ],
    }).compile();
    const app = module.createNestMicroservice({ strategy: transport, logger: false });
    app.useGlobalFilters(new PassThroughRpcFilter());
    await app.listen();
    await transport.ready();
    return { app, transport };
  }

  const at = (version: number): string =>
    new Date(Date.UTC(2025, 0, 1, 0, 0, version)).toISOString();
  const stockEvent = (
    id: number,
    version: number,
    before: number,
    after: number,
  ): StockChangedEvent => ({
    id,
    stock: after,
    delta: after - before,
    version,
    reason: 'set',
    occurredAt: at(version),
  });
  const publishStock = (event: StockChangedEvent): Promise<void> =>
    broker.publishJson(
      broker.names.stockExchange,
      StockRoutingKey.Info,
      event,
      `stock-${event.id}-v${event.version}`,
    );

  beforeAll(async () => {
    world = await createSyncTestWorld('consumers');
    broker = await createSyncTestBroker({ maxAttempts: 2 });
    consumers = await startConsumers();
  });

  afterAll(async () => {
    await consumers?.app.close();
    await broker?.close();
    await world?.close();
  });

  const stockStats = () =>
    consumers.transport.consumerStatus().find((status) => status.pattern === 'stock')!.stats;

  it('writes stock to MySQL at the newest version, whatever the order and however often', async () => {
    const processedBefore = stockStats().processed;
    const [a, b] = await world.createProducts(2);
    const events = [
      stockEvent(a.id, 1, 0, 5),
      stockEvent(a.id, 3, 4, 2),
      stockEvent(a.id, 2, 5, 4),
      stockEvent(b.id, 1, 0, 9),
      stockEvent(a.id, 3, 4, 2), // duplicate
      stockEvent(a.id, 1, 0, 5), // old version again
    ];
    for (const event of events) await publishStock(event);
    await eventuallyPasses(async () => {
      const rows = await world.stock.findByIds([a.id, b.id]);
      expect(rows.map((row) => [row.id, row.stock, row.version])).toEqual([
        [a.id, 2, 3],
        [b.id, 9, 1],
      ]);
    });
    // Stays there once every event has been handled (an empty queue is not enough: the last
    // batch may still be in the consumer's hands).
    await eventuallyPasses(() =>
      expect(stockStats().processed).toBe(processedBefore + events.length),
    );
    expect(await world.stock.findById(a.id)).toMatchObject({ stock: 2, version: 3 });
  });

  it('drops stock events of deleted products without retrying them', async () => {
    const stats = stockStats;
    const before = stats();
    await publishStock(stockEvent(987_654, 1, 0, 3));
    await eventuallyPasses(() => expect(stats().processed).toBe(before.processed + 1));
    expect(stats()).toMatchObject({ failed: before.failed, retried: before.retried });
    expect(await world.stock.findById(987_654)).toBeNull();
  });

  it('flips inStock in the index from the ledger when stock crosses zero, then purges', async () => {
    const [product] = await world.createProducts(1, ['shoes']);
    await world.registry.register([product.id]);
    await world.indexer.upsert([{ ...product, inStock: true }]);
    // The ledger is at 0 (v4); the event that took it there arrives.
    await world.ledger.restore([{ id: product.id, stock: 0, version: 4, updatedAt: at(4) }]);
    await publishStock(stockEvent(product.id, 4, 3, 0));
    await eventuallyPasses(async () => {
      const { _source } = await world.es.get<{ inStock: boolean }>({
        index: world.alias,
        id: String(product.id),
      });
      expect(_source?.inStock).toBe(false);
    });
    // One consumer did it all: the row, the flag, and one purge with both tags.
    expect(await world.stock.findById(product.id)).toMatchObject({ stock: 0, version: 4 });
    await eventuallyPasses(() => {
      expect(
        world.purges.requests.some(
          (request) =>
            request.hard.includes(`product-${product.id}`) &&
            request.hard.includes(`stock-${product.id}`) &&
            request.soft.includes('listing'),
        ),
      ).toBe(true);
    });
  });

  it('purges the stock tags of a batch on Varnish', async () => {
    const ids = await world.createProducts(3);
    for (const [index, product] of ids.entries())
      await publishStock(stockEvent(product.id, 1, 0, index + 1));
    await eventuallyPasses(() =>
      expect(world.purges.hardTags()).toEqual(
        expect.arrayContaining(ids.map((p) => `stock-${p.id}`)),
      ),
    );
  });

  it('indexes a created product, registers it with the ledger, and purges after the write', async () => {
    const [product] = await world.createProducts(1, ['hats']);
    const purgesBefore = world.purges.requests.length;
    await broker.publishJson(
      broker.names.catalogExchange,
      CatalogRoutingKey.ProductUpserted,
      productUpsertedEvent(product, new Date()),
    );
    await eventuallyPasses(async () => {
      const { _source } = await world.es.get<{ name: string; categories: string[] }>({
        index: world.alias,
        id: String(product.id),
      });
      expect(_source).toMatchObject({ name: product.name, categories: ['hats'] });
      expect(await world.registry.has(product.id)).toBe(true);
    });
    await eventuallyPasses(() => {
      const purges = world.purges.requests.slice(purgesBefore);
      expect(purges.flatMap((p) => p.hard)).toContain(`product-${product.id}`);
      expect(purges.flatMap((p) => p.soft)).toEqual(
        expect.arrayContaining(['listing', 'category-hats']),
      );
    });
    expect(await world.ledger.get(product.id)).toMatchObject({ stock: 0 });
  });

  it('removes a deleted product from the index and the ledger, even if an old upsert comes after', async () => {
    const [product] = await world.createProducts(1);
    await world.registry.register([product.id]);
    await world.indexer.upsert([{ ...product, inStock: false }]);
    const deleted = await world.products.delete(product.id);
    await broker.publishJson(
      broker.names.catalogExchange,
      CatalogRoutingKey.ProductDeleted,
      productDeletedEvent(product.id, deleted.version, new Date()),
    );
    await broker.publishJson(
      broker.names.catalogExchange,
      CatalogRoutingKey.ProductUpserted,
      productUpsertedEvent(product, new Date()),
    );
    await eventuallyPasses(async () => {
      const exists = await world.es.exists({ index: world.alias, id: String(product.id) });
      expect(exists).toBe(false);
      expect(await world.registry.has(product.id)).toBe(false);
      expect(await broker.messageCount(broker.names.queue(SyncQueue.ProductSearch))).toBe(0);
    });
  });

  it('purges the menu, the touched category pages and, after a rename, its products from the outbox payload', async () => {
    const categories = new CategoryRepository(world.database.db);
    const slug = `int-cat-${Date.now().toString(36)}`;
    await categories.create({ slug, name: 'Capes' });
    const [product] = await world.createProducts(1, [slug]);
    await categories.update(slug, { name: 'Rain Capes' });
    // The payload exactly as the catalog's relay would publish it.
    const row = await world.database.db
      .selectFrom('outbox')
      .select(['event_type', 'payload'])
      .where('aggregate_type', '=', CATEGORY_AGGREGATE)
      .where('aggregate_id', '=', slug)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(row.event_type).toBe(CatalogRoutingKey.CategoryUpserted);
    const purgesBefore = world.purges.requests.length;
    await broker.publishJson(broker.names.catalogExchange, row.event_type, JSON.parse(row.payload));
    await eventuallyPasses(() => {
      const purges = world.purges.requests.slice(purgesBefore);
      expect(purges.flatMap((p) => p.hard)).toEqual(
        expect.arrayContaining(['menu', `category-${slug}`]),
      );
      expect(purges.flatMap((p) => p.soft)).toEqual(
        expect.arrayContaining(['listing', `product-${product.id}`]),
      );
    });
  });

  it('dead-letters a poison message with its error while the rest keeps flowing; replay works', async () => {
    const queue = broker.names.queue(SyncQueue.Stock);
    const [product] = await world.createProducts(1);
    await broker.publishRaw(
      broker.names.stockExchange,
      StockRoutingKey.Info,
      Buffer.from('{"id": "nope"'),
      'poison-1',
    );
    await publishStock(stockEvent(product.id, 1, 0, 7));
    await eventuallyPasses(async () => {
      expect(await world.stock.findById(product.id)).toMatchObject({ stock: 7, version: 1 });
      expect(await broker.messageCount(deadLetterQueueName(queue))).toBe(1);
    });
    const deadLetters = new DeadLetters(broker.connection);
    const [letter] = await deadLetters.list(queue);
    expect(letter).toMatchObject({ messageId: 'poison-1', reason: 'poison' });
    expect(letter.error).toMatch(/JSON/);

    // A message that exhausted its retries (Varnish down the whole time) is replayed once Varnish
    // is back: the purge comes last in a batch, so its failure retries the MySQL write too
    // (stale by then, harmless).
    // v1 purged before Varnish goes down, so only v2 (and the poison) end up dead.
    await eventuallyPasses(() => expect(world.purges.hardTags()).toContain(`stock-${product.id}`));
    world.purges.down = true;
    await publishStock(stockEvent(product.id, 2, 7, 6));
    await eventuallyPasses(async () =>
      expect(await broker.messageCount(deadLetterQueueName(queue))).toBe(2),
    );
    world.purges.down = false;
    const letters = await deadLetters.list(queue);
    expect(letters.find((l) => l.messageId === `stock-${product.id}-v2`)).toMatchObject({
      reason: 'retries-exhausted',
      attempts: 2,
    });
    const before = world.purges.requests.length;
    expect(await deadLetters.replay(queue)).toMatchObject({ queue: queue, replayed: 2 });
    await eventuallyPasses(async () => {
      expect(world.purges.requests.slice(before).flatMap((p) => p.hard)).toContain(
        `stock-${product.id}`,
      );
      // The poison message is poison again: back in the dead-letter queue, alone.
      const [again] = await deadLetters.list(queue);
      expect(again?.messageId).toBe('poison-1');
      expect(await broker.messageCount(deadLetterQueueName(queue))).toBe(1);
    });
  });

  it('stops gracefully: everything received is handled and acked, nothing is left unacked', async () => {
    const products = await world.createProducts(5);
    const queue = broker.names.queue(SyncQueue.Stock);
    for (let version = 1; version <= 40; version += 1) {
      for (const product of products)
        await publishStock(stockEvent(product.id, version, version - 1, version));
    }
    // A second, competing consumer on the same queue; stopped while messages are flowing.
    const local = await startConsumers(['stock']);
    await local.transport.stop();
    const [status] = local.transport.consumerStatus();
    expect(status).toMatchObject({ consuming: false, stats: { inFlight: 0 } });
    await local.app.close();
    await eventuallyPasses(async () => {
      const rows = await world.stock.findByIds(products.map((p) => p.id));
      expect(rows.every((row) => row.version === 40 && row.stock === 40)).toBe(true);
      expect(await broker.messageCount(queue)).toBe(0);
    });
  });
});
