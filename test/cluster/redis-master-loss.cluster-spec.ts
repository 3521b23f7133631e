import { createDatabase, StockRepository, type Database } from '@shop/persistence';
import { parseRedisUrl } from '@shop/config';
import { createRedisClient, redisSlot, type RedisClient } from '@shop/redis';
import { StockKeys } from '@shop/stock';
import type { Kysely } from 'kysely';
import { killRedisNode, startRedis } from '../support/services';
import { expectLedgerAndMysqlAt } from '../support/ledger-checks';
import { config, eventually, mixedStockLoad, range, urls } from '../support/stack';

/**
 * Redis Cluster in cluster mode (`npm run test:cluster`: three masters, one replica each, the
 * stock ledger in STOCK_SHARDS=6 shards): the products' shards are on every master, and the master
 * holding the first product's shard is killed with SIGKILL in the middle of stock changes. Its
 * replica takes over, the killed node comes back as a replica, and no answered change is lost:
 * every write is on the replica before the API answers it (WAIT), so the ledger and MySQL end at
 * exactly the sum of what was answered, for the products on the killed master and the others.
 * Uses products 1191-1199 of the cluster run's own database (shop_cluster).
 */

const ids = range(1191, 1199);
const stockKeys = new StockKeys(undefined, config.STOCK_SHARDS);
const shardSlot = (id: number): number => redisSlot(stockKeys.forProduct(id).outbox);
const shopSlot = shardSlot(ids[0]);

/** The port of the master serving `slot`, as the cluster's CLUSTER SLOTS says. */
async function masterPortOf(redis: RedisClient, slot: number): Promise<number> {
  const ranges = await redis.cluster('SLOTS');
  const owner = ranges.find(([from, to]) => from <= slot && slot <= to);
  const master = owner?.[2];
  if (!master) throw new Error(`no node serves slot ${slot}`);
  return Number(master[1]);
}

describe("Redis Cluster: the master of a stock shard's slot killed under load", () => {
  let redis: RedisClient;
  let db: Kysely<Database>;
  let stockRows: StockRepository;

  beforeAll(async () => {
    if (parseRedisUrl(config.REDIS_URL).kind !== 'cluster') {
      throw new Error(
        `REDIS_URL is ${config.REDIS_URL}: this test needs cluster mode's Redis Cluster ` +
          '(npm run test:cluster)',
      );
    }
    redis = createRedisClient(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    db = createDatabase(config.MYSQL_URL, { connectionLimit: 2 });
    stockRows = new StockRepository(db);
  });

  afterAll(async () => {
    // A failed test leaves no node down for whatever runs next.
    await startRedis();
    redis?.disconnect();
    await db?.destroy();
  }, 120_000);

  it("spreads the products' shards over the three masters", async () => {
    const masters = await Promise.all(ids.map((id) => masterPortOf(redis, shardSlot(id))));
    expect(new Set(masters).size).toBe(3);
  });

  it('promotes the replica and loses no answered stock change', async () => {
    const killedPort = await masterPortOf(redis, shopSlot);
    let failover: Promise<number> | undefined;
    const expected = await mixedStockLoad({
      base: urls.varnish,
      ids,
      start: 10_000,
      total: 600,
      clients: 20,
      afterAnswer: (answered) => {
        if (answered !== 200) return;
        failover = (async () => {
          await killRedisNode(killedPort);
          // The replica is promoted once the other masters count the master as failed (node
          // timeout 2 s); then the killed node comes back and rejoins as the new master's replica.
          const promoted = await eventually(
            async () => {
              const port = await masterPortOf(redis, shopSlot).catch(() => killedPort);
              return port === killedPort ? undefined : port;
            },
            {
              what: `a replica promoted in place of the master on ${killedPort}`,
              timeoutMs: 30_000,
            },
          );
          await startRedis();
          return promoted;
        })();
      },
    });
    expect(failover).toBeDefined();
    const promotedPort = await failover!;
    expect(promotedPort).not.toBe(killedPort);
    expect(await masterPortOf(redis, shopSlot)).toBe(promotedPort);

    await expectLedgerAndMysqlAt({
      base: urls.stock,
      ids,
      expected,
      stockRows,
      after: 'the failover',
    });
  }, 300_000);
});
