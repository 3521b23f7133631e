import { SyncQueue } from '@shop/contracts';
import { consumerQueueNames } from '@shop/messaging';
import { createDatabase, StockRepository, type Database } from '@shop/persistence';
import { StockKeys } from '@shop/stock';
import { connect, type ChannelModel } from 'amqplib';
import { createRedisClient, keyServers, type RedisClient } from '@shop/redis';
import type { Kysely } from 'kysely';
import { ensureAppRunning, killApp, startApp } from './support/apps';
import { killRedis, startRedis, stopRedis } from './support/services';
import {
  adminHeaders,
  config,
  eventually,
  mixedStockLoad,
  putStockUntilAnswered,
  range,
  requestJson,
  urls,
  type StockChange,
  type StockLevelFigures,
} from './support/stack';

/**
 * Issue 12's acceptance for durable stock, against the running stack: the stack's Redis runs with
 * AOF (fsync always), a ledger Redis lost is rebuilt only after every published event is in
 * MySQL and in a new version epoch, and the sync queues exist before any worker ran. Uses
 * products 1121-1123, 1125-1149 and 1175-1199 of the demo catalog, which no other test touches.
 */

type Level = StockLevelFigures;

describe('durable stock (real stack)', () => {
  let db: Kysely<Database>;
  let stockRows: StockRepository;
  let redis: RedisClient;
  let amqp: ChannelModel;
  const keys = new StockKeys(undefined, config.STOCK_SHARDS);

  beforeAll(async () => {
    db = createDatabase(config.MYSQL_URL, { connectionLimit: 2 });
    stockRows = new StockRepository(db);
    // Reconnects by itself after the fault tests restart Redis.
    redis = createRedisClient(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    amqp = await connect(config.AMQP_URL[0]);
  });

  afterAll(async () => {
    for (const app of ['sync-worker', 'stock-api', 'catalog-api'] as const) {
      await ensureAppRunning(app);
    }
    await amqp?.close();
    redis?.disconnect();
    await db?.destroy();
  });

  /** One stock PUT straight to the stock API; the answer whatever its status. */
  function put(
    id: number,
    body: { stock: number; action: string },
    idempotencyKey?: string,
  ): Promise<{ status: number; body: Level & { message?: string } }> {
    return requestJson(`${urls.stock}/products/${id}/stock`, {
      method: 'PUT',
      headers: idempotencyKey
        ? { ...adminHeaders, 'idempotency-key': idempotencyKey }
        : adminHeaders,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  }

  function putUntilAnswered(id: number, change: StockChange, timeoutMs?: number): Promise<Level> {
    return putStockUntilAnswered(urls.stock, id, change, timeoutMs);
  }

  async function ledger(ids: number[]): Promise<Map<number, Level>> {
    const response = await requestJson<{ items: Level[] }>(
      `${urls.stock}/stock?ids=${ids.join(',')}`,
    );
    if (response.status !== 200) throw new Error(`GET /stock answered ${response.status}`);
    return new Map(
      response.body.items.map(({ id, stock, version }) => [id, { id, stock, version }]),
    );
  }

  async function mysql(ids: number[]): Promise<Map<number, Level>> {
    const rows = await stockRows.findByIds(ids);
    return new Map(rows.map(({ id, stock, version }) => [id, { id, stock, version }]));
  }

  /** Waits until MySQL holds exactly `expected` for every product. */
  async function mysqlHolds(expected: Map<number, Level>, timeoutMs = 30_000): Promise<void> {
    await eventually(
      async () => {
        const rows = await mysql([...expected.keys()]);
        for (const [id, want] of expected) {
          const got = rows.get(id);
          if (got?.stock !== want.stock || got.version !== want.version) {
            throw new Error(
              `product ${id}: MySQL ${JSON.stringify(got)}, want ${JSON.stringify(want)}`,
            );
          }
        }
        return true;
      },
      { what: 'MySQL holding the ledger figures', timeoutMs },
    );
  }

  /** Sets a starting figure and waits until MySQL has it, so the test starts from agreement. */
  async function startFrom(id: number, stock: number): Promise<Level> {
    // The answer also says onHand and held; the comparisons here are of id, stock and version.
    const answer = await putUntilAnswered(id, { stock, action: 'set' });
    const level = { id: answer.id, stock: answer.stock, version: answer.version };
    await mysqlHolds(new Map([[id, level]]));
    return level;
  }

  /** The relay has published (and had confirmed) everything in the Redis outbox. */
  async function outboxPublished(): Promise<void> {
    const backlog = async (): Promise<number> => {
      const lengths = await Promise.all(keys.shards.map((shard) => redis.xlen(shard.outbox)));
      return lengths.reduce((sum, length) => sum + length, 0);
    };
    await eventually(async () => ((await backlog()) === 0 ? true : undefined), {
      what: 'the stock outbox published',
    });
  }

  it('keeps every answered change across kill -9 of Redis while the sync worker is behind', async () => {
    const id = 1121;
    const before = await startFrom(id, 100);
    const versions: number[] = [];
    let last: Level;
    await killApp('sync-worker');
    try {
      for (let index = 0; index < 20; index += 1) {
        versions.push((await putUntilAnswered(id, { stock: 1, action: 'decrement' })).version);
      }
      expect((await ledger([id])).get(id)).toMatchObject({ stock: 80 });
      await killRedis();
      await startRedis();
      last = await putUntilAnswered(id, { stock: 1, action: 'decrement' });
      versions.push(last.version);
    } finally {
      await startApp('sync-worker');
    }
    expect(last.stock).toBe(79);
    // One version per change, in order, none issued twice.
    expect(versions).toEqual(range(before.version + 1, before.version + 21));
    expect((await ledger([id])).get(id)).toEqual({ id, stock: 79, version: last.version });
    await mysqlHolds(new Map([[id, { id, stock: 79, version: last.version }]]));
  }, 120_000);

  it('rebuilds an emptied Redis only after the queued events reached MySQL, in a new epoch', async () => {
    const id = 1122;
    const before = await startFrom(id, 100);
    const versions: number[] = [];
    await killApp('sync-worker');
    try {
      for (let index = 0; index < 20; index += 1) {
        versions.push((await putUntilAnswered(id, { stock: 1, action: 'decrement' })).version);
      }
      // The 20 events are on their way (in RabbitMQ), not in MySQL, when Redis loses everything.
      await outboxPublished();
      expect((await mysql([id])).get(id)).toEqual(before);
      await Promise.all(keyServers(redis).map((server) => server.flushall()));
      await stopRedis();
      await startRedis();
      // Until the worker has applied what was queued, the ledger stays closed: a sale now would
      // be checked against MySQL's stale 100.
      const refused = await put(id, { stock: 1, action: 'decrement' });
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    } finally {
      await startApp('sync-worker');
    }
    const last = await putUntilAnswered(id, { stock: 1, action: 'decrement' });
    expect(last.stock).toBe(79);
    // The new epoch starts above every version issued before the loss.
    expect(last.version).toBeGreaterThan(Math.max(...versions));
    expect(new Set([...versions, last.version]).size).toBe(21);
    expect((await ledger([id])).get(id)).toEqual({ id, stock: 79, version: last.version });
    await mysqlHolds(new Map([[id, { id, stock: 79, version: last.version }]]));
  }, 180_000);

  it('loses none of 2,000 answered changes over 50 products when Redis is killed midway', async () => {
    const ids = [...range(1125, 1149), ...range(1175, 1199)];
    const total = 2_000;
    let redisKilled: Promise<void> | undefined;
    const expected = await mixedStockLoad({
      base: urls.stock,
      ids,
      start: 10_000,
      total,
      clients: 20,
      afterAnswer: (answered) => {
        if (answered === total / 2) redisKilled = killRedis().then(() => startRedis());
      },
    });
    await redisKilled;
    const levels = await ledger(ids);
    for (const id of ids) {
      expect({ id, stock: levels.get(id)?.stock }).toEqual({ id, stock: expected.get(id) });
    }
    await mysqlHolds(levels, 60_000);
  }, 300_000);

  it('queues a stock write made before any sync worker ran, and applies it once one starts', async () => {
    const id = 1123;
    const stockQueues = [SyncQueue.Stock];
    await killApp('sync-worker');
    let written: Level;
    try {
      // As on a fresh broker: the sync queues do not exist when the stock API starts.
      await killApp('stock-api');
      const channel = await amqp.createChannel();
      try {
        for (const queue of stockQueues) {
          for (const name of consumerQueueNames({ queue }).filter((n) => !n.endsWith('.dead'))) {
            await channel.deleteQueue(name);
          }
        }
      } finally {
        await channel.close();
      }
      await startApp('stock-api');
      written = await putUntilAnswered(id, { stock: 77, action: 'set' });
      await outboxPublished();
      const check = await amqp.createChannel();
      try {
        for (const queue of stockQueues) {
          expect((await check.checkQueue(queue)).messageCount).toBeGreaterThanOrEqual(1);
        }
      } finally {
        await check.close();
      }
    } finally {
      await ensureAppRunning('stock-api');
      await startApp('sync-worker');
    }
    await mysqlHolds(new Map([[id, written]]));
  }, 180_000);
});
