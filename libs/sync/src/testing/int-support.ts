/* Shared by the sync *.int-spec.ts files: the real services under names no one else uses. */
import { parseShopConfig } from '@shop/config';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { CATALOG_EXCHANGE, OrderQueue, STOCK_EXCHANGE, SyncQueue } from '@shop/contracts';
import { VarnishPurger } from '@shop/http-cache';
import {
  AmqpConnection,
  consumerQueueNames,
  MessageConsumers,
  prefixedQueueNaming,
  prefixedTopology,
  type QueueNaming,
  type MessagingTopology,
} from '@shop/messaging';
import {
  CategoryRepository,
  createTestDatabase,
  ProductRepository,
  StockRepository,
  type ProductRecord,
  type TestDatabase,
} from '@shop/persistence';
import { SILENT_LOGGER } from '@shop/common';
import { createElasticsearchClient, ProductIndexer } from '@shop/search';
import { ProductIdRegistry, StockLedger } from '@shop/stock';
import { connect, type ChannelModel } from 'amqplib';
import type { RedisClient } from '@shop/redis';
import {
  connectTestRedis,
  deleteKeysWithPrefix,
} from '../../../stock/src/testing/redis-test-support';
import type { CachePurger } from '../ports';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** The nodes of ELASTICSEARCH_URL (one URL or a comma-separated list), parsed as the apps do. */
export const ELASTICSEARCH_NODES = parseShopConfig({
  ELASTICSEARCH_URL: process.env.ELASTICSEARCH_URL,
}).ELASTICSEARCH_URL;

/** Short retry delays so a test sees the retry path in well under a second. */
export const TEST_RETRY_DELAYS_MS = [150, 300];

export function randomSuffix(): string {
  return randomBytes(5).toString('hex');
}

/** Records PURGE requests like Varnish would receive them; can play a Varnish that is down. */
export class PurgeRecorder {
  readonly requests: { hard: string[]; soft: string[]; at: number }[] = [];
  /** While true, answers 503 (the purger retries, then gives up). */
  down = false;
  private server: Server | undefined;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res) => {
      req.resume();
      if (req.method !== 'PURGE') {
        res.writeHead(405).end();
        return;
      }
      if (this.down) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}');
        return;
      }
      const split = (value: string | string[] | undefined): string[] =>
        (Array.isArray(value) ? value.join(' ') : (value ?? '')).split(/[\s,]+/).filter(Boolean);
      const hard = split(req.headers.xkey);
      const soft = split(req.headers['xkey-softpurge']);
      this.requests.push({ hard, soft, at: Date.now() });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ purged: hard.length + soft.length }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  hardTags(): string[] {
    return this.requests.flatMap((request) => request.hard);
  }

  softTags(): string[] {
    return this.requests.flatMap((request) => request.soft);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

/** MySQL, Redis, Elasticsearch and a PURGE recorder, all private to one test file. */
export interface SyncTestWorld {
  readonly database: TestDatabase;
  readonly redis: RedisClient;
  readonly keyPrefix: string;
  readonly es: Client;
  readonly alias: string;
  readonly purges: PurgeRecorder;
  /** Purges the PURGE recorder. */
  readonly purger: CachePurger;
  readonly products: ProductRepository;
  readonly stock: StockRepository;
  readonly ledger: StockLedger;
  readonly registry: ProductIdRegistry;
  readonly indexer: ProductIndexer;
  /** Creates products in MySQL (each with its stock row at 0, version 0). */
  createProducts(count: number, categories?: string[]): Promise<ProductRecord[]>;
  close(): Promise<void>;
}

export async function createSyncTestWorld(label: string): Promise<SyncTestWorld> {
  const database = await createTestDatabase();
  const keyPrefix = `sync-test-${randomSuffix()}:`;
  const redis = await connectTestRedis();
  const es = createElasticsearchClient(ELASTICSEARCH_NODES, { requestTimeoutMs: 30_000 });
  const alias = `products_test_sync_${label}_${randomSuffix()}`;
  const purges = new PurgeRecorder();
  await purges.start();

  const products = new ProductRepository(database.db);
  const stock = new StockRepository(database.db);
  const ledger = new StockLedger(redis, { keyPrefix });
  const registry = new ProductIdRegistry(redis, { keyPrefix });
  const indexer = new ProductIndexer(es, alias);
  const purger = new VarnishPurger({
    urls: [purges.url],
    maxAttempts: 2,
    initialBackoffMs: 10,
    maxBackoffMs: 20,
    logger: { warn: () => undefined },
  });
  let created = 0;

  const world: SyncTestWorld = {
    database,
    redis,
    keyPrefix,
    es,
    alias,
    purges,
    products,
    stock,
    ledger,
    registry,
    indexer,
    purger,
    createProducts: async (count, categories = ['misc']) => {
      const records: ProductRecord[] = [];
      for (let index = 0; index < count; index += 1) {
        created += 1;
        records.push(
          await products.create({
            sku: `SYNC-${created}`,
            name: `Sync test product ${created}`,
            description: `Product number ${created} of the sync tests`,
            price: 10 + created,
            categories,
          }),
        );
      }
      return records;
    },
    close: async () => {
      await purges.stop();
      const found = await es.indices.get({
        index: [`${alias}_v*`],
        ignore_unavailable: true,
        allow_no_indices: true,
      });
      const indices = Object.keys(found);
      if (indices.length > 0) await es.indices.delete({ index: indices, ignore_unavailable: true });
      await es.close();
      await deleteKeysWithPrefix(redis, keyPrefix);
      await redis.quit();
      await database.drop();
    },
  };
  // A setup step that fails must not leave connections open: jest would wait on them forever.
  try {
    await indexer.ensureIndex();
    await ledger.markReady();
    await new CategoryRepository(database.db).upsertMany([
      { slug: 'misc', name: 'Misc', parentSlug: null },
      { slug: 'shoes', name: 'Shoes', parentSlug: null },
      { slug: 'hats', name: 'Hats', parentSlug: null },
    ]);
  } catch (error) {
    await world.close().catch(() => undefined);
    throw error;
  }
  return world;
}

/** A private copy of the shop's exchanges and the sync queues, on the real broker. */
export interface SyncTestBroker {
  readonly prefix: string;
  readonly topology: MessagingTopology;
  /** The transport's renaming of the shop's queues and exchanges to this broker's copies. */
  readonly naming: QueueNaming;
  readonly names: {
    readonly stockExchange: string;
    readonly catalogExchange: string;
    queue(queue: string): string;
  };
  readonly connection: AmqpConnection;
  readonly consumers: MessageConsumers;
  /** A plain amqplib connection, to publish as any producer would. */
  readonly raw: ChannelModel;
  publishJson(
    exchange: string,
    routingKey: string,
    body: unknown,
    messageId?: string,
  ): Promise<void>;
  publishRaw(
    exchange: string,
    routingKey: string,
    content: Buffer,
    messageId: string,
  ): Promise<void>;
  messageCount(queue: string): Promise<number>;
  close(): Promise<void>;
}

export async function createSyncTestBroker(
  options: { maxAttempts?: number } = {},
): Promise<SyncTestBroker> {
  const prefix = `test-sync-${randomSuffix()}`;
  const topology = prefixedTopology(prefix);
  const naming = prefixedQueueNaming(prefix);
  const names = {
    stockExchange: naming.exchange(STOCK_EXCHANGE),
    catalogExchange: naming.exchange(CATALOG_EXCHANGE),
    queue: naming.queue,
  };
  const connection = new AmqpConnection({
    url: AMQP_URL,
    name: 'sync-int-test',
    topology,
    logger: SILENT_LOGGER,
  });
  await connection.waitForConnect();
  const consumers = new MessageConsumers(
    connection,
    { prefetch: 100, maxAttempts: options.maxAttempts ?? 3, retryDelaysMs: TEST_RETRY_DELAYS_MS },
    SILENT_LOGGER,
  );
  const raw = await connect(AMQP_URL);
  const publisher = await raw.createConfirmChannel();
  const publishRaw = async (
    exchange: string,
    routingKey: string,
    content: Buffer,
    messageId: string,
  ): Promise<void> => {
    publisher.publish(exchange, routingKey, content, {
      persistent: true,
      contentType: 'application/json',
      messageId,
    });
    await publisher.waitForConfirms();
  };
  let sequence = 0;

  return {
    prefix,
    topology,
    naming,
    names,
    connection,
    consumers,
    raw,
    publishRaw,
    publishJson: (exchange, routingKey, body, messageId) =>
      publishRaw(
        exchange,
        routingKey,
        Buffer.from(JSON.stringify(body)),
        messageId ?? `m-${(sequence += 1)}`,
      ),
    messageCount: async (queue) => {
      const channel = await raw.createChannel();
      try {
        return (await channel.checkQueue(queue)).messageCount;
      } finally {
        await channel.close().catch(() => undefined);
      }
    },
    close: async () => {
      await consumers.stopAll();
      await connection.close();
      const queues = [...Object.values(SyncQueue), ...Object.values(OrderQueue)].flatMap((queue) =>
        consumerQueueNames({ queue: names.queue(queue), retryDelaysMs: TEST_RETRY_DELAYS_MS }),
      );
      const exchanges = [
        ...topology.exchanges.map((exchange) => exchange.name),
        topology.retryExchange,
        topology.deadLetterExchange,
      ];
      for (const name of queues) {
        const channel = await raw.createChannel();
        channel.on('error', () => undefined);
        await channel.deleteQueue(name).catch(() => undefined);
        await channel.close().catch(() => undefined);
      }
      for (const name of exchanges) {
        const channel = await raw.createChannel();
        channel.on('error', () => undefined);
        await channel.deleteExchange(name).catch(() => undefined);
        await channel.close().catch(() => undefined);
      }
      await publisher.close().catch(() => undefined);
      await raw.close();
    },
  };
}
