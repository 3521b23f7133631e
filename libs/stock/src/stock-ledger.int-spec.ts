import { MAX_STOCK, stockEpochFloor } from '@shop/contracts';
import { Redis } from 'ioredis';
import type { RedisClient } from '@shop/redis';
import { ProductIdRegistry } from './product-id-registry';
import {
  IdempotencyKeyReusedError,
  InsufficientStockError,
  InvalidStockRequestError,
  LedgerNotReadyError,
  LedgerUnavailableError,
  StockLimitError,
  StockNotFoundError,
} from './stock-errors';
import { StockLedger, StockRestoreRow } from './stock-ledger';
import { StockLedgerRestorer, StockRestoreSource } from './stock-ledger-restorer';
import {
  connectTestRedis,
  deleteKeysWithPrefix,
  inBatches,
  randomStockPrefix,
} from './testing/redis-test-support';

describe('StockLedger on Redis', () => {
  let redis: RedisClient;
  let prefix: string;
  let ledger: StockLedger;
  let registry: ProductIdRegistry;

  beforeAll(async () => {
    redis = await connectTestRedis();
  });

  beforeEach(() => {
    prefix = randomStockPrefix();
    ledger = new StockLedger(redis, { keyPrefix: prefix });
    registry = new ProductIdRegistry(redis, { keyPrefix: prefix });
  });

  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  afterAll(async () => {
    await redis.quit();
  });

  async function readyWith(ids: number[]): Promise<void> {
    await registry.register(ids);
    await ledger.markReady();
  }

  const outboxLength = (): Promise<number> => ledger.pendingEvents();

  describe('before the ledger is restored', () => {
    it('refuses writes and reads, and changes nothing', async () => {
      await registry.register([1]);
      expect(await ledger.isReady()).toBe(false);
      await expect(ledger.apply(1, { action: 'set', amount: 5 })).rejects.toThrow(
        LedgerNotReadyError,
      );
      await expect(ledger.get(1)).rejects.toThrow(LedgerNotReadyError);
      expect(await redis.exists(ledger.keys.level(1))).toBe(0);
      expect(await outboxLength()).toBe(0);
    });
  });

  describe('apply', () => {
    beforeEach(() => readyWith([1, 2]));

    it('sells exactly the stock there is under 60 concurrent decrements of 1 on 20', async () => {
      await ledger.restore([{ id: 1, stock: 20, version: 0, updatedAt: new Date(0) }]);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 60 }, () => ledger.apply(1, { action: 'decrement', amount: 1 })),
      );
      const sold = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const refused = outcomes.filter(
        (outcome) =>
          outcome.status === 'rejected' && outcome.reason instanceof InsufficientStockError,
      );
      expect(sold).toHaveLength(20);
      expect(refused).toHaveLength(40);
      expect(await ledger.get(1)).toMatchObject({ id: 1, stock: 0, version: 20 });
      expect(await outboxLength()).toBe(20);
      // Every sale got its own version: 1..20 once each.
      const versions = sold.map(
        (outcome) => outcome.status === 'fulfilled' && outcome.value.version,
      );
      expect([...versions].sort((a, b) => Number(a) - Number(b))).toEqual(
        Array.from({ length: 20 }, (_, index) => index + 1),
      );
    });

    it('applies increment, decrement and set, one version and one event each', async () => {
      expect(await ledger.apply(1, { action: 'increment', amount: 10 })).toEqual({
        id: 1,
        stock: 10,
        onHand: 10,
        held: 0,
        version: 1,
        replayed: false,
      });
      expect(await ledger.apply(1, { action: 'decrement', amount: 4 })).toMatchObject({
        stock: 6,
        version: 2,
      });
      expect(await ledger.apply(1, { action: 'set', amount: 6 })).toMatchObject({
        stock: 6,
        version: 3,
      });
      const entries = await redis.xrange(ledger.keys.shards[0].outbox, '-', '+');
      expect(entries.map(([, fields]) => fields.slice(0, 10))).toEqual([
        ['id', '1', 'stock', '10', 'delta', '10', 'version', '1', 'reason', 'increment'],
        ['id', '1', 'stock', '6', 'delta', '-4', 'version', '2', 'reason', 'decrement'],
        ['id', '1', 'stock', '6', 'delta', '0', 'version', '3', 'reason', 'set'],
      ]);
      const level = await ledger.get(1);
      expect(level).toMatchObject({ id: 1, stock: 6, version: 3 });
      expect(Date.parse(level!.updatedAt)).toBeGreaterThan(0);
    });

    it('refuses a decrement below zero and an increment above MAX_STOCK, changing nothing', async () => {
      await ledger.apply(1, { action: 'set', amount: 3 });
      await expect(ledger.apply(1, { action: 'decrement', amount: 4 })).rejects.toMatchObject({
        constructor: InsufficientStockError,
        available: 3,
        requested: 4,
        code: 'INSUFFICIENT_STOCK',
      });
      await ledger.apply(2, { action: 'set', amount: MAX_STOCK });
      await expect(ledger.apply(2, { action: 'increment', amount: 1 })).rejects.toThrow(
        StockLimitError,
      );
      expect(await ledger.getMany([1, 2])).toMatchObject([
        { stock: 3, version: 1 },
        { stock: MAX_STOCK, version: 1 },
      ]);
      expect(await outboxLength()).toBe(2);
    });

    it('answers not found for a product the catalog does not have', async () => {
      await expect(ledger.apply(99, { action: 'set', amount: 1 })).rejects.toThrow(
        StockNotFoundError,
      );
      expect(await ledger.get(99)).toBeNull();
      expect(await outboxLength()).toBe(0);
    });

    it('refuses bad input before touching Redis', async () => {
      await expect(ledger.apply(1, { action: 'set', amount: -1 })).rejects.toThrow(
        InvalidStockRequestError,
      );
      await expect(ledger.apply(1, { action: 'steal' as 'set', amount: 1 })).rejects.toThrow(
        InvalidStockRequestError,
      );
      expect(await outboxLength()).toBe(0);
    });
  });

  it('answers a typed 503 when Redis does not answer', async () => {
    // Nothing listens on port 1: the client gives up at once instead of retrying.
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => undefined);
    const offline = new StockLedger(unreachable, { keyPrefix: prefix });
    await expect(offline.apply(1, { action: 'set', amount: 1 })).rejects.toMatchObject({
      constructor: LedgerUnavailableError,
      code: 'LEDGER_UNAVAILABLE',
    });
    await expect(offline.get(1)).rejects.toThrow(LedgerUnavailableError);
    unreachable.disconnect();
  });

  describe('Idempotency-Key', () => {
    beforeEach(() => readyWith([1, 2]));

    it('returns the first answer to a replay without a second change', async () => {
      await ledger.apply(1, { action: 'set', amount: 10 });
      const first = await ledger.apply(
        1,
        { action: 'decrement', amount: 3 },
        { idempotencyKey: 'order-1' },
      );
      await ledger.apply(1, { action: 'decrement', amount: 1 });
      const replay = await ledger.apply(
        1,
        { action: 'decrement', amount: 3 },
        { idempotencyKey: 'order-1' },
      );
      expect(first).toEqual({ id: 1, stock: 7, onHand: 7, held: 0, version: 2, replayed: false });
      expect(replay).toEqual({ id: 1, stock: 7, onHand: 7, held: 0, version: 2, replayed: true });
      expect(await ledger.get(1)).toMatchObject({ stock: 6, version: 3 });
      expect(await outboxLength()).toBe(3);
      const ttl = await redis.ttl(ledger.keys.shards[0].idempotency('order-1'));
      expect(ttl).toBeGreaterThan(24 * 3600 - 60);
      expect(ttl).toBeLessThanOrEqual(24 * 3600);
    });

    it('refuses the key for a different change', async () => {
      await ledger.apply(1, { action: 'set', amount: 5 }, { idempotencyKey: 'k' });
      await expect(
        ledger.apply(1, { action: 'set', amount: 6 }, { idempotencyKey: 'k' }),
      ).rejects.toThrow(IdempotencyKeyReusedError);
      await expect(
        ledger.apply(2, { action: 'set', amount: 5 }, { idempotencyKey: 'k' }),
      ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await ledger.getMany([1, 2])).toMatchObject([{ version: 1 }, { version: 0 }]);
    });

    it('does not remember a refused change: its retry is evaluated again', async () => {
      await expect(
        ledger.apply(1, { action: 'decrement', amount: 1 }, { idempotencyKey: 'retry' }),
      ).rejects.toThrow(InsufficientStockError);
      await ledger.apply(1, { action: 'set', amount: 1 });
      expect(
        await ledger.apply(1, { action: 'decrement', amount: 1 }, { idempotencyKey: 'retry' }),
      ).toEqual({ id: 1, stock: 0, onHand: 0, held: 0, version: 2, replayed: false });
    });

    it('applies a key once under concurrent retries', async () => {
      await ledger.apply(1, { action: 'set', amount: 100 });
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          ledger.apply(1, { action: 'decrement', amount: 5 }, { idempotencyKey: 'burst' }),
        ),
      );
      expect(answers.filter((answer) => !answer.replayed)).toHaveLength(1);
      expect(new Set(answers.map((answer) => `${answer.stock}/${answer.version}`))).toEqual(
        new Set(['95/2']),
      );
      expect(await ledger.get(1)).toMatchObject({ stock: 95, version: 2 });
    });
  });

  describe('reads', () => {
    it('reads many in one call, null for unknown ids, 0/0 for a product that never changed', async () => {
      await readyWith([1, 2, 3]);
      await ledger.apply(3, { action: 'set', amount: 8 });
      const levels = await ledger.getMany([3, 4, 1]);
      expect(levels[0]).toMatchObject({ id: 3, stock: 8, version: 1 });
      expect(levels[1]).toBeNull();
      expect(levels[2]).toEqual({
        id: 1,
        stock: 0,
        onHand: 0,
        held: 0,
        version: 0,
        updatedAt: new Date(0).toISOString(),
      });
    });

    it('pages through every known product in id order for the reconciler', async () => {
      const ids = Array.from({ length: 25 }, (_, index) => index + 1);
      await readyWith(ids);
      await ledger.apply(13, { action: 'set', amount: 4 });
      const seen: number[] = [];
      for await (const page of ledger.iterate(10)) {
        expect(page.length).toBeLessThanOrEqual(10);
        seen.push(...page.map((level) => level.id));
      }
      expect(seen).toEqual(ids);
      const page = await ledger.snapshot(12, 1);
      expect(page).toEqual({
        levels: [expect.objectContaining({ id: 13, stock: 4, version: 1 })],
        nextAfterId: 13,
      });
    });
  });

  describe('restore', () => {
    const row = (id: number, stock: number, version: number): StockRestoreRow => ({
      id,
      stock,
      version,
      updatedAt: '2025-03-04T05:06:07.089Z',
    });

    it('writes missing and older levels, never lowers a newer version', async () => {
      await readyWith([1, 2, 3]);
      await ledger.apply(1, { action: 'set', amount: 50 }); // v1
      await ledger.apply(1, { action: 'set', amount: 40 }); // v2
      await ledger.apply(2, { action: 'set', amount: 7 }); // v1
      const result = await ledger.restore([row(1, 99, 1), row(2, 30, 5), row(3, 12, 4)]);
      expect(result).toEqual({ restoredIds: [2, 3], unchangedIds: [1] });
      expect(await ledger.getMany([1, 2, 3])).toEqual([
        expect.objectContaining({ stock: 40, version: 2 }),
        {
          id: 2,
          stock: 30,
          onHand: 30,
          held: 0,
          version: 5,
          updatedAt: '2025-03-04T05:06:07.089Z',
        },
        {
          id: 3,
          stock: 12,
          onHand: 12,
          held: 0,
          version: 4,
          updatedAt: '2025-03-04T05:06:07.089Z',
        },
      ]);
      // The restore emits no events: the figures came from MySQL.
      expect(await ledger.pendingEvents()).toBe(3);
      // Changes continue from the restored version.
      expect(await ledger.apply(2, { action: 'decrement', amount: 1 })).toMatchObject({
        stock: 29,
        version: 6,
      });
    });

    it('refuses an invalid row', async () => {
      await expect(ledger.restore([row(1, -5, 1)])).rejects.toThrow(InvalidStockRequestError);
    });

    it('restores an emptied Redis from the source, then serves its figures', async () => {
      const epochs: number[] = [];
      let drains = 0;
      const source: StockRestoreSource = {
        awaitPublishedEvents: () => {
          drains += 1;
          return Promise.resolve();
        },
        beginEpoch: () => {
          const epoch = epochs.length;
          epochs.push(epoch);
          return Promise.resolve({ epoch, versionFloor: stockEpochFloor(epoch) });
        },
        productIds: () => inBatches([1, 2], [3]),
        stockRows: () => inBatches([row(1, 5, 3), row(3, 0, 9)]),
      };
      const restorer = new StockLedgerRestorer(ledger, registry, source);
      expect(await restorer.ensureReady()).toEqual({
        epoch: 0,
        shards: [0],
        productIds: 3,
        restored: 2,
        unchanged: 0,
      });
      expect(drains).toBe(1);
      expect(await ledger.isReady()).toBe(true);
      expect(await ledger.getMany([1, 2, 3])).toMatchObject([
        { stock: 5, version: 3 },
        { stock: 0, version: 0 },
        { stock: 0, version: 9 },
      ]);
      expect(await ledger.apply(1, { action: 'decrement', amount: 5 })).toMatchObject({
        stock: 0,
        version: 4,
      });
      // Ready already: nothing to do.
      expect(await restorer.ensureReady()).toBeNull();

      // Redis comes back empty: refused until the restorer has run again, which waits for the
      // published events first and starts a new epoch.
      await deleteKeysWithPrefix(redis, prefix);
      await expect(ledger.get(1)).rejects.toThrow(LedgerNotReadyError);
      expect(await restorer.ensureReady()).toMatchObject({ epoch: 1, restored: 2 });
      expect(drains).toBe(2);
      expect(await ledger.get(1)).toMatchObject({ stock: 5, version: 3 });
      // Version 4 was issued before the loss: the next change is past the new epoch's floor,
      // also for a product that never had a level.
      expect(await ledger.apply(1, { action: 'decrement', amount: 1 })).toMatchObject({
        stock: 4,
        version: stockEpochFloor(1) + 1,
      });
      expect(await ledger.apply(2, { action: 'set', amount: 7 })).toMatchObject({
        version: stockEpochFloor(1) + 1,
      });
    });

    it('does not mark a restore ready when Redis was emptied in the middle of it', async () => {
      const token = await ledger.beginRestore();
      await deleteKeysWithPrefix(redis, prefix);
      expect(await ledger.markReady(token)).toBe(false);
      expect(await ledger.isReady()).toBe(false);
      const again = await ledger.beginRestore();
      const concurrent = await ledger.beginRestore();
      expect(await ledger.markReady(again)).toBe(true);
      expect(await ledger.markReady(concurrent)).toBe(true);
      expect(await ledger.isReady()).toBe(true);
    });
  });

  describe('ProductIdRegistry', () => {
    it('registers, forgets and replaces the known ids', async () => {
      expect(await registry.register([1, 2, 3])).toBe(3);
      expect(await registry.register([3, 4])).toBe(1);
      expect(await registry.unregister([2])).toBe(1);
      expect(await registry.has(2)).toBe(false);
      expect(await registry.has(4)).toBe(true);
      expect(await registry.replaceAll(inBatches([10, 11], [12]))).toBe(3);
      expect(await registry.count()).toBe(3);
      expect(await registry.has(1)).toBe(false);
      expect(await registry.has(12)).toBe(true);
      expect(await registry.replaceAll([])).toBe(0);
      expect(await registry.count()).toBe(0);
    });

    it('removes the level hash with the registration, and lists the ids of every level hash', async () => {
      await readyWith([21, 22]);
      await ledger.apply(21, { action: 'set', amount: 4 });
      await ledger.apply(22, { action: 'set', amount: 5 });
      // A level left behind by a delete from before unregister removed levels too.
      await ledger.restore([{ id: 23, stock: 1, version: 1, updatedAt: new Date() }]);
      const listed: number[] = [];
      // SCAN walks the shared Redis's whole keyspace: with COUNT 1 that was one round trip per
      // key of every other suite and benchmark (a minute in CI, a timeout after benchmarks).
      for await (const ids of registry.levelIds()) listed.push(...ids);
      expect([...new Set(listed)].sort((a, b) => a - b)).toEqual([21, 22, 23]);

      expect(await registry.unregister([21, 23])).toBe(1);
      expect(await redis.exists(ledger.keys.level(21), ledger.keys.level(23))).toBe(0);
      expect(await ledger.get(21)).toBeNull();
      expect(await ledger.get(22)).toMatchObject({ stock: 5 });
    });
  });
  describe('spread over shards', () => {
    const SHARDS = 4;
    let sharded: StockLedger;
    let shardedIds: ProductIdRegistry;
    const row = (id: number, stock: number, version: number): StockRestoreRow => ({
      id,
      stock,
      version,
      updatedAt: new Date(),
    });

    beforeEach(async () => {
      sharded = new StockLedger(redis, { keyPrefix: prefix, shards: SHARDS });
      shardedIds = new ProductIdRegistry(redis, { keyPrefix: prefix, shards: SHARDS });
      await shardedIds.register([1, 2, 3, 4, 5, 6, 7, 8]);
      await sharded.markReady();
    });

    it("writes each product's level and event in its own shard", async () => {
      await sharded.apply(5, { action: 'set', amount: 3 });
      await sharded.apply(6, { action: 'set', amount: 4 }, { idempotencyKey: 'k-6' });
      await sharded.apply(6, { action: 'decrement', amount: 1 });
      const lengths = await Promise.all(
        sharded.keys.shards.map((shard) => redis.xlen(shard.outbox)),
      );
      // Product 5 is in shard 1, product 6 in shard 2: its two events in order, in one stream.
      expect(lengths).toEqual([0, 1, 2, 0]);
      const entries = await redis.xrange(sharded.keys.shards[2].outbox, '-', '+');
      expect(entries.map(([, fields]) => fields[fields.indexOf('version') + 1])).toEqual([
        '1',
        '2',
      ]);
      expect(await redis.exists(sharded.keys.shards[2].idempotency('k-6'))).toBe(1);
      expect(await sharded.pendingEvents()).toBe(3);
      expect(await sharded.getMany([6, 5, 1, 99])).toMatchObject([
        { id: 6, stock: 3, version: 2 },
        { id: 5, stock: 3, version: 1 },
        { id: 1, stock: 0, version: 0 },
        null,
      ]);
    });

    it('refuses an Idempotency-Key reused for a product of another shard', async () => {
      await sharded.apply(5, { action: 'set', amount: 3 }, { idempotencyKey: 'k-shared' });
      await expect(
        sharded.apply(6, { action: 'set', amount: 3 }, { idempotencyKey: 'k-shared' }),
      ).rejects.toThrow(IdempotencyKeyReusedError);
      await expect(
        sharded.apply(5, { action: 'set', amount: 3 }, { idempotencyKey: 'k-shared' }),
      ).resolves.toMatchObject({ replayed: true, version: 1 });
      expect(await sharded.get(6)).toMatchObject({ version: 0 });
      // A refused change leaves the key free for another request.
      await expect(
        sharded.apply(7, { action: 'decrement', amount: 1 }, { idempotencyKey: 'k-free' }),
      ).rejects.toThrow(InsufficientStockError);
      await expect(
        sharded.apply(8, { action: 'set', amount: 1 }, { idempotencyKey: 'k-free' }),
      ).resolves.toMatchObject({ replayed: false, version: 1 });
    });

    it('pages through the known ids of every shard in id order', async () => {
      const pages: number[][] = [];
      for await (const page of sharded.iterate(3)) pages.push(page.map((level) => level.id));
      expect(pages).toEqual([
        [1, 2, 3],
        [4, 5, 6],
        [7, 8],
      ]);
      expect(await shardedIds.count()).toBe(8);
      expect(await shardedIds.has(7)).toBe(true);
    });

    it('restores only the shard Redis lost, leaving the newer figures of the others alone', async () => {
      await sharded.apply(1, { action: 'set', amount: 10 }); // shard 1
      await sharded.apply(2, { action: 'set', amount: 20 }); // shard 2
      // The master of shard 1's slot comes back empty.
      const lost = sharded.keys.shards[1];
      await redis.del(lost.ready, lost.knownIds, lost.level(1), lost.level(5), lost.outbox);
      expect(await sharded.unreadyShards()).toEqual([1]);
      await expect(sharded.get(1)).rejects.toThrow(LedgerNotReadyError);
      await expect(sharded.get(2)).resolves.toMatchObject({ stock: 20 });
      await expect(sharded.apply(5, { action: 'set', amount: 1 })).rejects.toThrow(
        LedgerNotReadyError,
      );

      const source: StockRestoreSource = {
        awaitPublishedEvents: () => Promise.resolve(),
        beginEpoch: () => Promise.resolve({ epoch: 1, versionFloor: stockEpochFloor(1) }),
        productIds: () => inBatches([1, 2, 3, 4, 5, 6, 7, 8]),
        // MySQL is behind on product 2 (version 0 against Redis' 1): it must not win.
        stockRows: () => inBatches([row(1, 10, 1), row(2, 0, 0)]),
      };
      const restorer = new StockLedgerRestorer(sharded, shardedIds, source);
      expect(await restorer.ensureReady()).toMatchObject({ epoch: 1, shards: [1], restored: 1 });
      expect(await sharded.getMany([1, 2, 5])).toMatchObject([
        { stock: 10, version: 1 },
        { stock: 20, version: 1 },
        { stock: 0, version: 0 },
      ]);
      // The restored shard's versions start above the new epoch's floor; the others go on.
      expect(await sharded.apply(5, { action: 'set', amount: 1 })).toMatchObject({
        version: stockEpochFloor(1) + 1,
      });
      expect(await sharded.apply(2, { action: 'set', amount: 1 })).toMatchObject({ version: 2 });
    });

    it('forgets products and replaces the known ids shard by shard', async () => {
      await sharded.apply(3, { action: 'set', amount: 2 });
      expect(await shardedIds.unregister([3, 4])).toBe(2);
      expect(await redis.exists(sharded.keys.level(3))).toBe(0);
      expect(await shardedIds.replaceAll([9, 10, 11])).toBe(3);
      expect(await shardedIds.count()).toBe(3);
      expect(await shardedIds.has(1)).toBe(false);
      expect(await sharded.getMany([9, 10, 11, 1])).toMatchObject([{}, {}, {}, null]);
    });
  });
});
