import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import {
  DEAD_LETTER_EXCHANGE,
  STOCK_EXCHANGE,
  StockRoutingKey,
  SyncQueue,
  type ProductDocument,
  type StockChangedEvent,
} from '@shop/contracts';
import { SILENT_LOGGER } from '@shop/common';
import { AmqpConnection, DeadLetters, deadLetterQueueName, MessageHeader } from '@shop/messaging';
import {
  createDatabase,
  ProductRepository,
  StockRepository,
  type Database,
} from '@shop/persistence';
import { createElasticsearchClient } from '@shop/search';
import { StockKeys } from '@shop/stock';
import type { ReconcileKind, ReconcileReport } from '@shop/sync';
import { connect, type ChannelModel } from 'amqplib';
import { createRedisClient, type RedisClient } from '@shop/redis';
import type { Kysely } from 'kysely';
import { ensureAppRunning, killApp, processesOf, processUrl, startApp } from './support/apps';
import {
  adminHeaders,
  config,
  eventually,
  metricSum,
  range,
  requestJson,
  urls,
  type StockLevelFigures,
} from './support/stack';

/**
 * The sync worker of the running stack (issue 5's acceptance): crash recovery, idempotence under
 * re-published and duplicated events, dead letters and replay, and reconciliation of deliberately
 * corrupted rows. Uses products 1001-1040 of the demo catalog, which no other test touches.
 */

const run = promisify(execFile);
const root = join(__dirname, '..');

type Level = StockLevelFigures;

describe('sync worker (real stack)', () => {
  let db: Kysely<Database>;
  let stock: StockRepository;
  let amqp: ChannelModel;
  let redis: RedisClient;
  let es: Client;

  beforeAll(async () => {
    db = createDatabase(config.MYSQL_URL, { connectionLimit: 2 });
    stock = new StockRepository(db);
    amqp = await connect(config.AMQP_URL[0]);
    redis = createRedisClient(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    es = createElasticsearchClient(config.ELASTICSEARCH_URL);
  });

  afterAll(async () => {
    await ensureAppRunning('sync-worker');
    await amqp?.close();
    redis?.disconnect();
    await es?.close();
    await db?.destroy();
  });

  async function put(id: number, body: { stock: number; action: string }): Promise<Level> {
    const response = await requestJson<Level & { message?: string }>(
      `${urls.stock}/products/${id}/stock`,
      { method: 'PUT', headers: adminHeaders, body: JSON.stringify(body) },
    );
    if (response.status !== 200) {
      throw new Error(`PUT stock of ${id}: ${response.status} ${response.body.message ?? ''}`);
    }
    return response.body;
  }

  /** The live ledger's figures (uncached bulk read of the stock API). */
  async function ledger(ids: number[]): Promise<Map<number, Level>> {
    const response = await requestJson<{ items: Level[]; unknown: number[] }>(
      `${urls.stock}/stock?ids=${ids.join(',')}`,
    );
    expect(response.status).toBe(200);
    return new Map(
      response.body.items.map(({ id, stock, version }) => [id, { id, stock, version }]),
    );
  }

  async function mysql(ids: number[]): Promise<Map<number, Level>> {
    const rows = await stock.findByIds(ids);
    return new Map(rows.map(({ id, stock, version }) => [id, { id, stock, version }]));
  }

  async function mysqlEqualsLedger(ids: number[]): Promise<true | undefined> {
    const [inMysql, inRedis] = await Promise.all([mysql(ids), ledger(ids)]);
    for (const id of ids) {
      const a = inMysql.get(id);
      const b = inRedis.get(id);
      if (!a || !b || a.stock !== b.stock || a.version !== b.version) {
        throw new Error(`product ${id}: MySQL ${JSON.stringify(a)} vs Redis ${JSON.stringify(b)}`);
      }
    }
    return true;
  }

  /** A counter of the workers' /metrics summed over every process (two in cluster mode); 0 when absent. */
  async function metric(name: string, labels: string): Promise<number> {
    let sum = 0;
    for (const worker of processesOf('sync-worker')) {
      sum += await metricSum(processUrl[worker], name, [labels]);
    }
    return sum;
  }

  async function publishStockEvent(event: StockChangedEvent, messageId: string): Promise<void> {
    const channel = await amqp.createConfirmChannel();
    try {
      channel.publish(STOCK_EXCHANGE, StockRoutingKey.Info, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        contentType: 'application/json',
        messageId,
        type: 'stock.changed',
      });
      await channel.waitForConfirms();
    } finally {
      await channel.close();
    }
  }

  /** Takes our own test messages out of a dead-letter queue again, leaving every other one. */
  async function removeDeadLetters(queue: string, messageIds: Set<string>): Promise<void> {
    const channel = await amqp.createChannel();
    try {
      const dead = deadLetterQueueName(queue);
      const { messageCount } = await channel.checkQueue(dead);
      const keep = [];
      for (let index = 0; index < messageCount; index += 1) {
        const message = await channel.get(dead, { noAck: false });
        if (!message) break;
        if (messageIds.has(String(message.properties.messageId))) channel.ack(message);
        else keep.push(message);
      }
      for (const message of keep) channel.nack(message, false, true);
    } finally {
      await channel.close();
    }
  }

  it('leaves MySQL equal to Redis after the worker is killed in the middle of 1,000 stock changes', async () => {
    const ids = range(1001, 1020);
    for (const id of ids) await put(id, { stock: 100, action: 'set' });
    const start = await ledger(ids);
    expect(start.size).toBe(ids.length);

    const total = 1000;
    let next = 0;
    let done = 0;
    const refused: string[] = [];
    let killed: Promise<void> | undefined;
    // The version each answered change got, per product: every change applied once, none lost.
    const answered = new Map<number, number[]>(ids.map((id) => [id, []]));
    const client = async (): Promise<void> => {
      while (next < total) {
        const index = next;
        next += 1;
        const id = ids[index % ids.length];
        // Each product gets +2 and -1 in turn: never below zero, every change a new version.
        const round = Math.floor(index / ids.length);
        const body =
          round % 2 === 0 ? { stock: 2, action: 'increment' } : { stock: 1, action: 'decrement' };
        const response = await requestJson<Level>(`${urls.stock}/products/${id}/stock`, {
          method: 'PUT',
          headers: adminHeaders,
          body: JSON.stringify(body),
        });
        if (response.status !== 200) {
          refused.push(`product ${id}: ${response.status}`);
          continue;
        }
        answered.get(id)!.push(response.body.version);
        done += 1;
        if (done === 300) killed = killApp('sync-worker'); // SIGKILL: no graceful anything
      }
    };
    await Promise.all(Array.from({ length: 10 }, () => client()));
    await killed;
    // The stock API does not need the worker: every change is answered 200, before and after.
    expect(refused).toEqual([]);
    expect(done).toBe(total);
    for (const id of ids) {
      const from = start.get(id)!.version;
      expect([...answered.get(id)!].sort((a, b) => a - b)).toEqual(
        range(from + 1, from + total / ids.length),
      );
    }

    await startApp('sync-worker');
    await eventually(() => mysqlEqualsLedger(ids), {
      timeoutMs: 60_000,
      what: 'MySQL equal to Redis for every touched product',
    });
    const end = await ledger(ids);
    for (const id of ids) {
      // 50 changes per product, each one version.
      expect(end.get(id)!.version).toBe(start.get(id)!.version + total / ids.length);
      expect(end.get(id)!.stock).toBe(100 + (total / ids.length / 2) * (2 - 1)); // 25 x +2, 25 x -1
    }
  }, 180_000);

  it('keeps MySQL at the newest figures when old versions and duplicates are re-published', async () => {
    const id = 1021;
    await put(id, { stock: 10, action: 'set' });
    await put(id, { stock: 5, action: 'increment' });
    const newest = await put(id, { stock: 3, action: 'decrement' });
    expect(newest.stock).toBe(12);
    await eventually(async () =>
      (await mysql([id])).get(id)?.version === newest.version ? true : undefined,
    );

    const queue = `queue="${SyncQueue.Stock}"`;
    const processedBefore = await metric('sync_messages_processed_total', queue);
    const at = new Date().toISOString();
    const replayed: [number, number][] = [
      [newest.version - 2, 10],
      [newest.version - 1, 15],
      [newest.version, 12],
      [newest.version, 12],
      [1, 999],
    ];
    for (const [version, figure] of replayed) {
      await publishStockEvent(
        { id, stock: figure, delta: 0, version, reason: 'set', occurredAt: at },
        `stock-${id}-v${version}`,
      );
    }
    await eventually(
      async () =>
        (await metric('sync_messages_processed_total', queue)) >= processedBefore + replayed.length
          ? true
          : undefined,
      { what: 'the re-published events consumed' },
    );
    expect((await mysql([id])).get(id)).toEqual({ id, stock: 12, version: newest.version });
    expect((await ledger([id])).get(id)).toEqual({ id, stock: 12, version: newest.version });
  });

  it('dead-letters a poison message while the rest keeps flowing; replay works', async () => {
    const queue = SyncQueue.Stock;
    const connection = new AmqpConnection({
      url: config.AMQP_URL,
      name: 'e2e-sync-dead-letters',
      logger: SILENT_LOGGER,
    });
    const ours = new Set<string>();
    try {
      await connection.waitForConnect();
      const deadLetters = new DeadLetters(connection);

      const poisonId = `e2e-poison-${randomUUID()}`;
      ours.add(poisonId);
      const channel = await amqp.createConfirmChannel();
      channel.publish(STOCK_EXCHANGE, StockRoutingKey.Info, Buffer.from('{"id": "not json'), {
        persistent: true,
        contentType: 'application/json',
        messageId: poisonId,
      });
      await channel.waitForConfirms();

      // The rest keeps flowing.
      const flowing = await put(1022, { stock: 7, action: 'set' });
      await eventually(async () =>
        (await mysql([1022])).get(1022)?.version === flowing.version ? true : undefined,
      );
      const poison = await eventually(
        async () => (await deadLetters.list(queue, 500)).find((l) => l.messageId === poisonId),
        { what: 'the poison message in the dead-letter queue' },
      );
      expect(poison).toMatchObject({
        reason: 'poison',
        exchange: STOCK_EXCHANGE,
        routingKey: 'info',
      });
      expect(poison.error).toMatch(/JSON/);

      // A valid event dead-lettered while MySQL was "down": MySQL is one change behind Redis.
      const id = 1023;
      const current = await put(id, { stock: 30, action: 'set' });
      await eventually(async () =>
        (await mysql([id])).get(id)?.version === current.version ? true : undefined,
      );
      await db
        .updateTable('stock')
        .set({ quantity: 1, version: current.version - 1 })
        .where('product_id', '=', id)
        .execute();
      const replayId = `e2e-replay-${randomUUID()}`;
      ours.add(replayId);
      const event: StockChangedEvent = {
        id,
        stock: 30,
        delta: 0,
        version: current.version,
        reason: 'set',
        occurredAt: new Date().toISOString(),
      };
      channel.publish(DEAD_LETTER_EXCHANGE, queue, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        contentType: 'application/json',
        messageId: replayId,
        headers: {
          [MessageHeader.OriginalExchange]: STOCK_EXCHANGE,
          [MessageHeader.OriginalRoutingKey]: StockRoutingKey.Info,
          [MessageHeader.DeadReason]: 'retries-exhausted',
          [MessageHeader.Error]: 'simulated: MySQL was down',
          [MessageHeader.Attempts]: 5,
        },
      });
      await channel.waitForConfirms();
      await channel.close();

      const result = await deadLetters.replay(queue);
      expect(result.replayed).toBeGreaterThanOrEqual(2);
      await eventually(async () => {
        const row = (await mysql([id])).get(id);
        return row?.stock === 30 && row.version === current.version ? true : undefined;
      });
      // Replayed poison is poison again: back in the dead-letter queue.
      await eventually(async () =>
        (await deadLetters.list(queue, 500)).some((l) => l.messageId === poisonId)
          ? true
          : undefined,
      );
    } finally {
      // Take our poison out of the dead-letter queue again.
      await eventually(async () => {
        await removeDeadLetters(queue, ours);
        return true;
      });
      await connection.close();
    }
  });

  it('finds, repairs and counts deliberately corrupted MySQL, Redis and Elasticsearch rows', async () => {
    const [a, b, c, d, e, f] = range(1030, 1035);
    const [h, i, j] = range(1036, 1038);
    const ghostInRedis = 9_900_001;
    const ghostInSearch = 9_900_002;
    for (const id of [a, b, c, d, e, f]) await put(id, { stock: 40, action: 'set' });
    await eventually(() => mysqlEqualsLedger([a, b, c, d, e, f]));
    const kinds: [ReconcileKind, number][] = [
      ['stock.figureMismatch', 1],
      ['stock.redisNewer', 1],
      ['stock.missingInMysql', 1],
      ['stock.missingInRedis', 2],
      ['stock.mysqlNewer', 1],
      ['stock.extraInRedis', 1],
      ['search.missing', 1],
      ['search.stale', 2],
      ['search.extra', 1],
    ];
    // The worker's periodic run may get to some of the corruptions first: its counters are
    // read before the first one, and until they add up (a run can end after the script's).
    const periodic = async (): Promise<Map<ReconcileKind, number>> =>
      new Map(
        await Promise.all(
          kinds.map(
            async ([kind]) =>
              [kind, await metric('sync_reconcile_fixed_total', `kind="${kind}"`)] as const,
          ),
        ),
      );
    const before = await periodic();
    const keys = new StockKeys(undefined, config.STOCK_SHARDS);
    const alias = config.PRODUCTS_INDEX_ALIAS;

    // MySQL
    await db.updateTable('stock').set({ quantity: 1040 }).where('product_id', '=', a).execute();
    const [rowB] = await stock.findByIds([b]);
    await db
      .updateTable('stock')
      .set({ version: rowB.version - 1, quantity: 39 })
      .where('product_id', '=', b)
      .execute();
    await db.deleteFrom('stock').where('product_id', '=', c).execute();
    // Redis
    await redis.del(keys.level(d));
    const levelE = (await ledger([e])).get(e)!;
    await redis.hset(keys.level(e), 'version', String(levelE.version - 1), 'stock', '1');
    await redis.zrem(keys.forProduct(f).knownIds, String(f));
    await redis.zadd(keys.forProduct(ghostInRedis).knownIds, ghostInRedis, String(ghostInRedis));
    // Elasticsearch
    await es.delete({ index: alias, id: String(h), refresh: 'wait_for' });
    await es.update({
      index: alias,
      id: String(i),
      doc: { name: 'A name MySQL never had' },
      refresh: 'wait_for',
    });
    const { _source: docJ } = await es.get<ProductDocument>({ index: alias, id: String(j) });
    await es.update({
      index: alias,
      id: String(j),
      doc: { inStock: !((await ledger([j])).get(j)!.stock > 0) },
      refresh: 'wait_for',
    });
    await es.index({
      index: alias,
      id: String(ghostInSearch),
      document: { ...docJ!, id: ghostInSearch, sku: `GHOST-${ghostInSearch}` },
      refresh: 'wait_for',
    });

    const env = { ...process.env };
    const { stdout } = await run(
      'npx',
      ['tsx', 'scripts/reconcile.ts', '--json', '--grace-ms', '0'],
      {
        cwd: root,
        env,
        timeout: 120_000,
      },
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as ReconcileReport;
    expect(report.errors).toEqual([]);
    // Counted: by this run, or by the worker's periodic run if it got there first.
    await eventually(
      async () => {
        const after = await periodic();
        const short = kinds
          .map(([kind, count]) => {
            const byWorker = after.get(kind)! - before.get(kind)!;
            return {
              kind,
              expected: count,
              found: report.kinds[kind].found + byWorker,
              fixed: report.kinds[kind].fixed + byWorker,
            };
          })
          .filter((entry) => entry.found < entry.expected || entry.fixed < entry.expected);
        if (short.length === 0) return true;
        throw new Error(`not counted: ${JSON.stringify(short)}`);
      },
      { what: 'every corruption found and fixed', timeoutMs: 30_000 },
    );

    // Repaired.
    await mysqlEqualsLedger([a, b, c, d, e, f]);
    expect((await ledger([a])).get(a)!.stock).toBe(40);
    expect(
      await redis.zscore(keys.forProduct(ghostInRedis).knownIds, String(ghostInRedis)),
    ).toBeNull();
    expect(await es.exists({ index: alias, id: String(h) })).toBe(true);
    expect(await es.exists({ index: alias, id: String(ghostInSearch) })).toBe(false);
    const [product] = await new ProductRepository(db).findByIds([i]);
    const { _source: docI } = await es.get<ProductDocument>({ index: alias, id: String(i) });
    expect(docI!.name).toBe(product.name);
    const { _source: repairedJ } = await es.get<ProductDocument>({ index: alias, id: String(j) });
    expect(repairedJ!.inStock).toBe((await ledger([j])).get(j)!.stock > 0);
    await redis.del(keys.level(ghostInRedis));
  }, 240_000);
});
