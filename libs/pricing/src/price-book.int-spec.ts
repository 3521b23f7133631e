import { PRICE_EXCHANGE, type PriceChangedEvent, stockEpochFloor } from '@shop/contracts';
import {
  LedgerNotReadyError,
  ProductIdRegistry,
  StockLedger,
  StockOutboxRelay,
  type OutboxMessageBody,
  type StockOutgoingMessage,
} from '@shop/stock';
import type { RedisClient } from '@shop/redis';
import {
  connectTestRedis,
  deleteKeysWithPrefix,
  randomStockPrefix,
} from '../../stock/src/testing/redis-test-support';
import { eventuallyPasses } from '../../../test/support/eventually';
import { PriceBook, type PriceBaseRow } from './price-book';
import { PriceKeys } from './price-keys';
import { parsePriceChange } from './price-change';
import { PriceConflictError, PriceNotFoundError } from './price-errors';
import { PriceScheduler } from './price-scheduler';

describe('PriceBook on Redis', () => {
  let redis: RedisClient;
  let prefix: string;
  let book: PriceBook;
  let ledger: StockLedger;
  let registry: ProductIdRegistry;
  let mysql: Map<number, PriceBaseRow>;
  let baseReads: number;

  beforeAll(async () => {
    redis = await connectTestRedis();
  });

  beforeEach(async () => {
    prefix = randomStockPrefix();
    mysql = new Map([
      [1, { priceCents: 1000, saleCents: null, startsAt: null, endsAt: null, version: 0 }],
    ]);
    baseReads = 0;
    book = new PriceBook(
      redis,
      {
        priceBase: (id) => {
          baseReads += 1;
          return Promise.resolve(mysql.get(id) ?? null);
        },
      },
      { keyPrefix: prefix },
    );
    ledger = new StockLedger(redis, { keyPrefix: prefix });
    registry = new ProductIdRegistry(redis, { keyPrefix: prefix });
    await registry.register([1, 2]);
    await ledger.markReady();
  });

  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  afterAll(async () => {
    await redis.quit();
  });

  const change = (body: unknown) => parsePriceChange(body);

  /** The price events in the outbox, published through the stock relay to a recording publisher. */
  async function publishedPrices(): Promise<StockOutgoingMessage<OutboxMessageBody>[]> {
    const sent: StockOutgoingMessage<OutboxMessageBody>[] = [];
    const relay = new StockOutboxRelay(
      redis,
      {
        publish: (exchange, routingKey, body, options) => {
          sent.push({ exchange, routingKey, body, options });
          return Promise.resolve();
        },
      },
      { keyPrefix: prefix },
    );
    await relay.relayOnce();
    return sent.filter((message) => message.exchange === PRICE_EXCHANGE);
  }

  it('starts from MySQL, applies a price with a version and an outbox entry', async () => {
    const answer = await book.apply(1, change({ price: 12.5 }), { correlationId: 'req-1' });
    expect(answer).toEqual({
      id: 1,
      price: 12.5,
      salePrice: null,
      saleStartsAt: null,
      saleEndsAt: null,
      effectivePrice: 12.5,
      version: 1,
    });
    expect(baseReads).toBe(1);
    const second = await book.apply(1, change({ price: 13 }));
    expect(second.version).toBe(2);
    expect(baseReads).toBe(1);

    const messages = await publishedPrices();
    expect(messages.map((m) => [m.routingKey, (m.body as PriceChangedEvent).price])).toEqual([
      ['info', 12.5],
      ['info', 13],
    ]);
    expect(messages[0].options).toMatchObject({
      messageId: 'price-1-v1',
      type: 'price.changed',
      correlationId: 'req-1',
    });
    expect(messages[0].body).toMatchObject({ id: 1, effectivePrice: 12.5, reason: 'set' });
    expect(await redis.xlen(new PriceKeys(prefix).shards[0].outbox)).toBe(0);
  });

  it('versions above the ledger epoch and above MySQL', async () => {
    mysql.set(1, { priceCents: 1000, saleCents: null, startsAt: null, endsAt: null, version: 40 });
    expect((await book.apply(1, change({ price: 11 }))).version).toBe(41);
    await ledger.markReady(undefined, stockEpochFloor(3));
    expect((await book.apply(1, change({ price: 12 }))).version).toBe(stockEpochFloor(3) + 1);
  });

  it('refuses an unknown product, a sale not below the price, a lower price under a sale', async () => {
    await expect(book.apply(3, change({ price: 1 }))).rejects.toThrow(PriceNotFoundError);
    // Registered but gone from MySQL.
    await expect(book.apply(2, change({ price: 1 }))).rejects.toThrow(PriceNotFoundError);
    await expect(book.apply(1, change({ salePrice: 10 }))).rejects.toThrow(PriceConflictError);
    await book.apply(1, change({ salePrice: 8 }));
    await expect(book.apply(1, change({ price: 8 }))).rejects.toThrow(PriceConflictError);
    const after = await book.get(1);
    expect(after).toMatchObject({ price: 10, salePrice: 8, effectivePrice: 8, version: 1 });
    expect((await publishedPrices()).length).toBe(1);
    // Both together are fine.
    expect(await book.apply(1, change({ price: 7, salePrice: 6 }))).toMatchObject({
      effectivePrice: 6,
      version: 2,
    });
  });

  it('refuses while the ledger is not ready, changing nothing', async () => {
    await redis.del(new PriceKeys(prefix).shards[0].ready);
    await expect(book.apply(1, change({ price: 1 }))).rejects.toThrow(LedgerNotReadyError);
    expect(await redis.exists(new PriceKeys(prefix).price(1))).toBe(0);
  });

  it('starts and ends a scheduled sale by itself, once each', async () => {
    const start = Date.now() + 300;
    const end = start + 400;
    const set = await book.apply(
      1,
      change({
        salePrice: 7.5,
        saleStartsAt: new Date(start).toISOString(),
        saleEndsAt: new Date(end).toISOString(),
      }),
    );
    expect(set).toMatchObject({ price: 10, salePrice: 7.5, effectivePrice: 10 });
    expect(await book.nextDueAt()).toBe(start);
    const scheduler = new PriceScheduler(redis, book, { pollMs: 20 });
    // A second scheduler competes for the lease: still one transition each.
    const rival = new PriceScheduler(redis, book, { pollMs: 20 });
    scheduler.start();
    rival.start();
    try {
      await eventuallyPasses(async () => {
        expect(await book.get(1)).toMatchObject({ effectivePrice: 7.5 });
      });
      expect(Date.now()).toBeGreaterThanOrEqual(start);
      await eventuallyPasses(async () => {
        expect(await book.get(1)).toMatchObject({ salePrice: null, effectivePrice: 10 });
      });
    } finally {
      await scheduler.stop();
      await rival.stop();
    }
    const events = (await publishedPrices()).map((m) => m.body as PriceChangedEvent);
    expect(events.map((e) => [e.reason, e.effectivePrice, e.version])).toEqual([
      ['set', 10, 1],
      ['sale-start', 7.5, 2],
      ['sale-end', 10, 3],
    ]);
    expect(Date.parse(events[1].occurredAt)).toBeLessThan(start + 1000);
    expect(Date.parse(events[2].occurredAt)).toBeGreaterThanOrEqual(end);
    expect(Date.parse(events[2].occurredAt)).toBeLessThan(end + 1000);
    expect(await book.nextDueAt()).toBeNull();
  });

  it('ends a sale at once with salePrice: null, and forgets its schedule', async () => {
    await book.apply(
      1,
      change({ salePrice: 5, saleStartsAt: new Date(Date.now() + 60_000).toISOString() }),
    );
    expect(await book.nextDueAt()).not.toBeNull();
    expect(await book.apply(1, change({ salePrice: null }))).toMatchObject({
      salePrice: null,
      saleStartsAt: null,
      effectivePrice: 10,
      version: 2,
    });
    expect(await book.nextDueAt()).toBeNull();
  });

  it('takes over an admin product API price only when Redis changed before it', async () => {
    // No live price yet: MySQL's is the price, nothing to take over.
    expect(await book.adoptCatalogPrice(1, 11, new Date())).toBeNull();
    const set = await book.apply(1, change({ price: 12, salePrice: 9 }));
    const later = new Date(Date.now() + 5);
    // The same price, or a write older than Redis' last change: nothing.
    expect(await book.adoptCatalogPrice(1, 12, later)).toBeNull();
    expect(await book.adoptCatalogPrice(1, 15, new Date(Date.now() - 60_000))).toBeNull();
    // Newer and different: taken, with its own version and event; the sale, no longer below, ends.
    expect(await book.adoptCatalogPrice(1, 8, later)).toBe(set.version + 1);
    expect(await book.get(1)).toMatchObject({ price: 8, salePrice: null, effectivePrice: 8 });
    // A second admin edit just after the first still counts as newer.
    expect(await book.adoptCatalogPrice(1, 8.5, new Date(later.getTime() + 1))).toBe(
      set.version + 2,
    );
    const events = (await publishedPrices()).map((m) => m.body as PriceChangedEvent);
    expect(events.map((e) => [e.price, e.salePrice, e.version])).toEqual([
      [12, 9, set.version],
      [8, null, set.version + 1],
      [8.5, null, set.version + 2],
    ]);
  });

  it('lists the stored prices for the reconciler', async () => {
    await book.apply(1, change({ price: 12 }));
    const stored = [];
    for await (const batch of book.stored()) stored.push(...batch);
    expect(stored).toEqual([
      {
        id: 1,
        state: { priceCents: 1200, saleCents: null, startsAt: null, endsAt: null },
        version: 1,
        updatedAt: expect.any(Number),
      },
    ]);
  });
  it("keeps a product's price in its shard, and runs every shard's schedule", async () => {
    const shards = 3;
    const base = (priceCents: number): PriceBaseRow => ({
      priceCents,
      saleCents: null,
      startsAt: null,
      endsAt: null,
      version: 0,
    });
    const sharded = new PriceBook(
      redis,
      { priceBase: (id) => Promise.resolve(base(id * 100)) },
      { keyPrefix: prefix, shards },
    );
    await new ProductIdRegistry(redis, { keyPrefix: prefix, shards }).register([3, 4, 5]);
    await new StockLedger(redis, { keyPrefix: prefix, shards }).markReady();
    const start = Date.now() + 200;
    // Products 3, 4 and 5 are in shards 0, 1 and 2; 4's sale starts first.
    for (const [id, offset] of [
      [3, 200],
      [4, 0],
      [5, 100],
    ]) {
      await sharded.apply(
        id,
        change({ salePrice: 0.5, saleStartsAt: new Date(start + offset).toISOString() }),
      );
    }
    expect(await redis.exists(sharded.keys.shards[1].price(4))).toBe(1);
    expect(await redis.zscore(sharded.keys.shards[2].schedule, '5')).toBe(String(start + 100));
    expect(await sharded.nextDueAt()).toBe(start);
    expect(await sharded.dueIds(start + 200)).toEqual([4, 5, 3]);
    const scheduler = new PriceScheduler(redis, sharded, { pollMs: 20 });
    scheduler.start();
    try {
      // The reads follow the clock; the schedule empties once each shard's start has run.
      await eventuallyPasses(async () => {
        for (const id of [3, 4, 5]) {
          expect(await sharded.get(id)).toMatchObject({ effectivePrice: 0.5 });
        }
        expect(await sharded.nextDueAt()).toBeNull();
      });
    } finally {
      await scheduler.stop();
    }
    const stored = [];
    for await (const batch of sharded.stored()) stored.push(...batch.map((price) => price.id));
    expect(stored.sort()).toEqual([3, 4, 5]);
  });
});
