import {
  consumerQueueNames,
  deadLetterQueueArguments,
  mainQueueArguments,
  normalizeRetryDelays,
  prefixedTopology,
  QUORUM_DELIVERY_LIMIT,
  retryQueueArguments,
  retryQueueName,
  SHOP_TOPOLOGY,
} from './topology';

describe('topology', () => {
  it('uses the contract exchange names', () => {
    expect(SHOP_TOPOLOGY).toEqual({
      exchanges: [
        { name: 'stock', type: 'direct' },
        { name: 'catalog', type: 'topic' },
        { name: 'orders', type: 'topic' },
        { name: 'price', type: 'direct' },
      ],
      retryExchange: 'shop.retry',
      deadLetterExchange: 'shop.dead-letter',
    });
  });

  it('prefixes every exchange for tests', () => {
    const t = prefixedTopology('t1');
    expect(t.exchanges.map((e) => e.name)).toEqual([
      't1.stock',
      't1.catalog',
      't1.orders',
      't1.price',
    ]);
    expect(t.retryExchange).toBe('t1.shop.retry');
    expect(t.deadLetterExchange).toBe('t1.shop.dead-letter');
  });

  // These argument sets are frozen: RabbitMQ refuses to redeclare a queue with other arguments.
  it('declares main queues as quorum with a delivery limit and at-least-once dead-lettering', () => {
    expect(mainQueueArguments('sync.stock', SHOP_TOPOLOGY)).toEqual({
      'x-queue-type': 'quorum',
      'x-delivery-limit': QUORUM_DELIVERY_LIMIT,
      'x-dead-letter-exchange': 'shop.dead-letter',
      'x-dead-letter-routing-key': 'sync.stock',
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    });
  });

  it('sends expired retries straight back to their main queue', () => {
    expect(retryQueueArguments('sync.stock', 5000)).toEqual({
      'x-queue-type': 'quorum',
      'x-message-ttl': 5000,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'sync.stock',
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    });
    expect(retryQueueName('sync.stock', 5000)).toBe('sync.stock.retry.5000ms');
  });

  it('keeps dead letters without limits', () => {
    expect(deadLetterQueueArguments()).toEqual({ 'x-queue-type': 'quorum' });
  });

  it('lists every queue of a consumer', () => {
    expect(consumerQueueNames({ queue: 'q', retryDelaysMs: [100, 100, 500] })).toEqual([
      'q',
      'q.dead',
      'q.retry.100ms',
      'q.retry.500ms',
    ]);
  });

  it('refuses unusable delays', () => {
    expect(() => normalizeRetryDelays([])).toThrow();
    expect(() => normalizeRetryDelays([0])).toThrow();
    expect(() => normalizeRetryDelays([1.5])).toThrow();
  });
});
