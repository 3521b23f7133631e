import type { RedisClient } from '@shop/redis';
import { ProductIdRegistry } from './product-id-registry';
import { StockLedger } from './stock-ledger';
import type {
  StockEventPublisher,
  StockOutgoingMessage,
  StockPublishOutcome,
} from './stock-outbox';
import { StockOutboxRelay } from './stock-outbox-relay';
import {
  connectTestRedis,
  deleteKeysWithPrefix,
  randomStockPrefix,
} from './testing/redis-test-support';

/** Confirms everything and keeps what it was asked to send. */
class RecordingPublisher implements StockEventPublisher {
  readonly sent: StockOutgoingMessage[] = [];

  publish(): Promise<void> {
    return Promise.reject(new Error('the relay uses publishBatch'));
  }

  publishBatch(messages: readonly StockOutgoingMessage[]): Promise<StockPublishOutcome[]> {
    this.sent.push(...messages);
    return Promise.resolve(messages.map(() => ({ confirmed: true })));
  }
}

describe('the request id of a stock change (real Redis)', () => {
  let redis: RedisClient;
  let prefix: string;
  let ledger: StockLedger;

  beforeAll(async () => {
    redis = await connectTestRedis();
  });

  beforeEach(async () => {
    prefix = randomStockPrefix();
    ledger = new StockLedger(redis, { keyPrefix: prefix });
    await new ProductIdRegistry(redis, { keyPrefix: prefix }).register([1, 2]);
    await ledger.markReady();
  });

  afterEach(() => deleteKeysWithPrefix(redis, prefix));

  afterAll(() => redis.quit());

  it('is stored with the outbox entry and published as every message’s correlationId', async () => {
    await ledger.apply(1, { action: 'set', amount: 5 }, { correlationId: 'req-1' });
    await ledger.apply(2, { action: 'set', amount: 3 });
    await ledger.apply(1, { action: 'decrement', amount: 5 }, { correlationId: 'req-2' });

    const entries = await redis.xrange(ledger.keys.shards[0].outbox, '-', '+');
    expect(entries.map(([, fields]) => fields.slice(-2))).toEqual([
      ['cid', 'req-1'],
      ['cid', ''],
      ['cid', 'req-2'],
    ]);

    const publisher = new RecordingPublisher();
    const relay = new StockOutboxRelay(redis, publisher, { keyPrefix: prefix });
    expect(await relay.relayOnce()).toMatchObject({ read: 3, published: 3 });
    expect(
      publisher.sent.map((message) => [
        message.body.id,
        message.routingKey,
        message.options.correlationId,
      ]),
    ).toEqual([
      [1, 'info', 'req-1'],
      [1, 'restocked', 'req-1'],
      [2, 'info', undefined],
      [2, 'restocked', undefined],
      [1, 'info', 'req-2'],
      [1, 'depleted', 'req-2'],
    ]);
    expect(await relay.oldestPendingAt()).toBeNull();
  });

  it('keeps the replies of a replayed Idempotency-Key, which emits no second event', async () => {
    const first = await ledger.apply(
      1,
      { action: 'increment', amount: 2 },
      { idempotencyKey: 'k-1', correlationId: 'req-a' },
    );
    const replay = await ledger.apply(
      1,
      { action: 'increment', amount: 2 },
      { idempotencyKey: 'k-1', correlationId: 'req-b' },
    );
    expect(replay).toEqual({ ...first, replayed: true });
    expect(await redis.xlen(ledger.keys.shards[0].outbox)).toBe(1);
  });

  it('tells the relay lag from the oldest waiting entry', async () => {
    const before = Date.now();
    await ledger.apply(2, { action: 'set', amount: 1 }, { correlationId: 'req-x' });
    const relay = new StockOutboxRelay(redis, new RecordingPublisher(), { keyPrefix: prefix });
    const oldest = await relay.oldestPendingAt();
    // The stream id is Redis' clock; on one machine it is within a second of ours.
    expect(oldest).toBeInstanceOf(Date);
    expect(Math.abs(oldest!.getTime() - before)).toBeLessThan(1000);
  });
});
