import { randomBytes } from 'node:crypto';
import { StockChangedEvent } from '@shop/contracts';
import { Channel, ChannelModel, ConfirmChannel, connect, ConsumeMessage } from 'amqplib';
import type { RedisClient } from '@shop/redis';
import { eventually } from '../../../test/support/eventually';
import { ProductIdRegistry } from './product-id-registry';
import { StockChange } from './stock-change';
import { StockLedger } from './stock-ledger';
import {
  StockEventPublisher,
  StockOutgoingMessage,
  StockPublishOutcome,
  StockPublishProperties,
} from './stock-outbox';
import { StockOutboxRelay, StockOutboxRelayOptions } from './stock-outbox-relay';
import { StockOutboxRelays } from './stock-outbox-relays';
import {
  connectTestRedis,
  deleteKeysWithPrefix,
  randomStockPrefix,
} from './testing/redis-test-support';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** What libs/messaging's ConfirmingPublisher does, in a few lines of amqplib. */
class AmqpConfirmPublisher implements StockEventPublisher {
  constructor(private readonly channel: ConfirmChannel) {}

  publish(
    exchange: string,
    routingKey: string,
    body: StockChangedEvent,
    properties: StockPublishProperties,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      this.channel.publish(
        exchange,
        routingKey,
        Buffer.from(JSON.stringify(body)),
        {
          messageId: properties.messageId,
          type: properties.type,
          timestamp: Math.floor((properties.timestamp ?? new Date()).getTime() / 1000),
          persistent: true,
          contentType: 'application/json',
        },
        (error: unknown) =>
          error ? reject(error instanceof Error ? error : new Error('nacked')) : resolve(),
      );
    });
  }
}

/** The same with `publishBatch`, the ordered batch path the relay prefers. */
class AmqpBatchPublisher extends AmqpConfirmPublisher {
  batches = 0;

  async publishBatch(messages: readonly StockOutgoingMessage[]): Promise<StockPublishOutcome[]> {
    this.batches += 1;
    return Promise.all(
      messages.map((message) =>
        this.publish(message.exchange, message.routingKey, message.body, message.options).then(
          () => ({ confirmed: true }),
          (error: Error) => ({ confirmed: false, error }),
        ),
      ),
    );
  }
}

/** Fails publishes on demand, as a broker outage does: all of them, or one product's. */
class FaultyPublisher implements StockEventPublisher {
  down = false;
  failingProduct: number | null = null;
  /** When set, publishes wait for it before reaching the broker. */
  gate: Promise<void> | null = null;
  calls = 0;

  constructor(private readonly inner: StockEventPublisher) {}

  async publish(
    exchange: string,
    routingKey: string,
    body: StockChangedEvent,
    properties: StockPublishProperties,
  ): Promise<void> {
    this.calls += 1;
    if (this.down || body.id === this.failingProduct) {
      throw new Error('broker unreachable');
    }
    if (this.gate) await this.gate;
    return this.inner.publish(exchange, routingKey, body, properties);
  }
}

interface Received {
  routingKey: string;
  body: StockChangedEvent;
  messageId: string;
  type: string;
  timestamp: number;
  contentType: string;
}

describe('StockOutboxRelay to RabbitMQ', () => {
  let redis: RedisClient;
  let amqp: ChannelModel;
  let publishChannel: ConfirmChannel;
  let consumeChannel: Channel;
  let prefix: string;
  let exchange: string;
  let ledger: StockLedger;
  let publisher: FaultyPublisher;
  let info: Received[];
  let crossings: Received[];
  const relays: StockOutboxRelay[] = [];

  beforeAll(async () => {
    redis = await connectTestRedis();
    amqp = await connect(AMQP_URL);
    publishChannel = await amqp.createConfirmChannel();
    consumeChannel = await amqp.createChannel();
  });

  beforeEach(async () => {
    prefix = randomStockPrefix();
    exchange = `stock-test-${randomBytes(6).toString('hex')}`;
    ledger = new StockLedger(redis, { keyPrefix: prefix });
    await new ProductIdRegistry(redis, { keyPrefix: prefix }).register([1, 2, 3, 4, 5]);
    await ledger.markReady();

    await consumeChannel.assertExchange(exchange, 'direct', { durable: false });
    info = [];
    crossings = [];
    const listen = async (keys: string[], into: Received[]): Promise<void> => {
      const { queue } = await consumeChannel.assertQueue('', { exclusive: true });
      for (const key of keys) await consumeChannel.bindQueue(queue, exchange, key);
      await consumeChannel.consume(
        queue,
        (message: ConsumeMessage | null) => {
          if (!message) return;
          into.push({
            routingKey: message.fields.routingKey,
            body: JSON.parse(message.content.toString()) as StockChangedEvent,
            messageId: message.properties.messageId as string,
            type: message.properties.type as string,
            timestamp: message.properties.timestamp as number,
            contentType: message.properties.contentType as string,
          });
        },
        { noAck: true },
      );
    };
    await listen(['info'], info);
    await listen(['depleted', 'restocked'], crossings);
    publisher = new FaultyPublisher(new AmqpConfirmPublisher(publishChannel));
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await consumeChannel.deleteExchange(exchange);
    await deleteKeysWithPrefix(redis, prefix);
  });

  afterAll(async () => {
    await amqp.close();
    await redis.quit();
  });

  function startRelay(options: StockOutboxRelayOptions = {}): StockOutboxRelay {
    const relay = new StockOutboxRelay(redis, publisher, {
      keyPrefix: prefix,
      exchange,
      idleWaitMs: 200,
      minBackoffMs: 20,
      maxBackoffMs: 100,
      followerRetryMs: 50,
      ...options,
    });
    relays.push(relay);
    relay.start();
    return relay;
  }

  function change(id: number, action: StockChange['action'], amount: number) {
    return ledger.apply(id, { action, amount });
  }

  /** Each product's versions in arrival order. */
  function versionsByProduct(messages: Received[]): Map<number, number[]> {
    const byProduct = new Map<number, number[]>();
    for (const { body } of messages) {
      byProduct.set(body.id, [...(byProduct.get(body.id) ?? []), body.version]);
    }
    return byProduct;
  }

  const upTo = (count: number): number[] => Array.from({ length: count }, (_, index) => index + 1);

  it('publishes every change once, in version order, with depleted and restocked copies', async () => {
    startRelay();
    await change(1, 'set', 2); // restocked
    await change(1, 'decrement', 1);
    await change(2, 'increment', 5); // restocked
    await change(1, 'decrement', 1); // depleted
    await change(2, 'set', 0); // depleted
    await change(1, 'set', 0);
    await change(1, 'increment', 3); // restocked
    await Promise.all(upTo(30).map((n) => change(3, 'increment', n)));

    await eventually(() => info.length >= 37, { what: '37 info messages' });
    await eventually(async () => (await ledger.pendingEvents()) === 0, { what: 'an empty outbox' });

    expect(info).toHaveLength(37);
    expect(new Set(info.map((message) => message.messageId)).size).toBe(37);
    expect(versionsByProduct(info)).toEqual(
      new Map([
        [1, upTo(5)],
        [2, upTo(2)],
        [3, upTo(30)],
      ]),
    );
    const first = info[0];
    expect(first).toMatchObject({
      routingKey: 'info',
      messageId: 'stock-1-v1',
      type: 'stock.changed',
      contentType: 'application/json',
      body: { id: 1, stock: 2, delta: 2, version: 1, reason: 'set' },
    });
    expect(Object.keys(first.body).sort()).toEqual(
      ['delta', 'held', 'id', 'occurredAt', 'onHand', 'reason', 'stock', 'version'].sort(),
    );
    expect(Math.abs(Date.parse(first.body.occurredAt) / 1000 - first.timestamp)).toBeLessThan(1);

    await eventually(() => crossings.length >= 6, { what: '6 crossing messages' });
    expect(
      crossings.map(({ routingKey, messageId }) => `${routingKey} ${messageId}`).sort(),
    ).toEqual(
      [
        'restocked stock-1-v1',
        'restocked stock-2-v1',
        'depleted stock-1-v3',
        'depleted stock-2-v2',
        'restocked stock-1-v5',
        'restocked stock-3-v1',
      ].sort(),
    );
  });

  it('publishes every shard of a sharded ledger, each product in version order', async () => {
    const shards = 3;
    const sharded = new StockLedger(redis, { keyPrefix: prefix, shards });
    await new ProductIdRegistry(redis, { keyPrefix: prefix, shards }).register(upTo(6));
    await sharded.markReady();
    const options = {
      keyPrefix: prefix,
      shards,
      exchange,
      idleWaitMs: 200,
      minBackoffMs: 20,
      maxBackoffMs: 100,
      followerRetryMs: 50,
    };
    // Two processes' relays: each shard's lease goes to one of them.
    const first = new StockOutboxRelays(redis, publisher, options);
    const second = new StockOutboxRelays(redis, publisher, options);
    relays.push(...first.relays, ...second.relays);
    first.start();
    second.start();

    await Promise.all(
      upTo(6).map(async (id) => {
        for (const amount of upTo(10)) await sharded.apply(id, { action: 'set', amount });
      }),
    );
    await eventually(() => info.length >= 60, { what: '60 info messages' });
    await eventually(async () => (await sharded.pendingEvents()) === 0, {
      what: 'every shard published',
    });
    expect(info).toHaveLength(60);
    expect(versionsByProduct(info)).toEqual(new Map(upTo(6).map((id) => [id, upTo(10)])));
    // Every shard has exactly one leader among the two processes.
    await eventually(() => first.stats().leases + second.stats().leases === shards, {
      what: 'one lease per shard',
    });
    expect(await first.pendingCount()).toBe(0);
    expect(await first.oldestPendingAt()).toBeNull();
  });

  it('publishes through publishBatch when the publisher offers it', async () => {
    const batchPublisher = new AmqpBatchPublisher(publishChannel);
    const relay = new StockOutboxRelay(redis, batchPublisher, {
      keyPrefix: prefix,
      exchange,
      idleWaitMs: 200,
    });
    relays.push(relay);
    relay.start();
    await Promise.all(upTo(20).map((n) => change((n % 2) + 1, 'increment', n)));
    await eventually(() => info.length >= 20, { what: '20 info messages' });
    await eventually(() => crossings.length >= 2, { what: 'two restocked messages' });
    await eventually(async () => (await ledger.pendingEvents()) === 0, { what: 'an empty outbox' });
    expect(batchPublisher.batches).toBeGreaterThan(0);
    expect(new Set(info.map((message) => message.messageId)).size).toBe(20);
    expect(versionsByProduct(info)).toEqual(
      new Map([
        [2, upTo(10)],
        [1, upTo(10)],
      ]),
    );
  });

  it('keeps events while the broker is down and delivers each once, in order, when it is back', async () => {
    publisher.down = true;
    const relay = startRelay();
    await Promise.all(upTo(40).map((n) => change((n % 2) + 1, 'increment', n)));
    // Two full failed rounds: every entry was tried and kept.
    await eventually(() => relay.stats().failed >= 80, { what: 'failed publish rounds' });
    expect(await ledger.pendingEvents()).toBe(40);
    expect(info).toHaveLength(0);

    publisher.down = false;
    await eventually(() => info.length >= 40, { what: '40 info messages' });
    await eventually(async () => (await ledger.pendingEvents()) === 0, { what: 'an empty outbox' });
    expect(new Set(info.map((message) => message.messageId)).size).toBe(40);
    expect(versionsByProduct(info)).toEqual(
      new Map([
        [2, upTo(20)],
        [1, upTo(20)],
      ]),
    );
    expect(relay.stats().published).toBe(40);
  });

  it("holds back a failing product's events without holding back the others", async () => {
    publisher.failingProduct = 1;
    startRelay();
    for (const n of upTo(10)) {
      await change(1, 'increment', n);
      await change(2, 'increment', n);
    }
    await eventually(() => info.length >= 10, { what: "product 2's events" });
    expect(info.every((message) => message.body.id === 2)).toBe(true);
    // The relay deletes an entry after its confirm, which can come after the delivery we saw.
    await eventually(async () => (await ledger.pendingEvents()) === 10, {
      what: "product 2's entries removed",
    });

    publisher.failingProduct = null;
    await eventually(() => info.length >= 20, { what: 'all events' });
    await eventually(async () => (await ledger.pendingEvents()) === 0, { what: 'an empty outbox' });
    expect(info).toHaveLength(20);
    expect(versionsByProduct(info).get(1)).toEqual(upTo(10));
  });

  it('lets one of several relays publish, and another take over when it stops', async () => {
    const first = startRelay();
    const second = startRelay();
    await Promise.all(upTo(50).map((n) => change((n % 5) + 1, 'increment', n)));
    await eventually(() => info.length >= 50, { what: '50 info messages' });
    expect([first.stats().leader, second.stats().leader].filter(Boolean)).toHaveLength(1);

    const [leader, follower] = first.stats().leader ? [first, second] : [second, first];
    await leader.stop();
    await Promise.all(upTo(10).map((n) => change((n % 5) + 1, 'decrement', 1)));
    await eventually(() => info.length >= 60, { what: '60 info messages' });
    await eventually(async () => (await ledger.pendingEvents()) === 0, { what: 'an empty outbox' });
    expect(follower.stats().leader).toBe(true);
    expect(new Set(info.map((message) => message.messageId)).size).toBe(60);
    for (const versions of versionsByProduct(info).values()) {
      expect(versions).toEqual(upTo(versions.length));
    }
  });

  it('finishes the batch in flight before stop() resolves', async () => {
    let open!: () => void;
    publisher.gate = new Promise((resolve) => (open = resolve));
    const relay = startRelay();
    await change(4, 'set', 9);
    await eventually(() => publisher.calls >= 2, { what: 'the publish to start' });
    let stopped = false;
    const stopping = relay.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    open();
    await stopping;
    expect(await ledger.pendingEvents()).toBe(0);
    await eventually(() => info.length === 1, { what: 'the one event' });
  });
});
