import type { StockChangedEvent } from '@shop/contracts';
import type { ConsumedMessage, ConsumeOptions } from '@shop/messaging';
import { VarnishPurgeError } from '@shop/http-cache';
import { prefixedTopology } from '@shop/messaging';
import type { StockToMysqlSync } from '../consumers/stock-to-mysql.sync';
import type { ProductToSearchSync } from '../consumers/product-to-search.sync';
import { SyncConsumerRunner } from './sync-consumer-runner';
import {
  pickHandlers,
  prefetchFor,
  prefixedSyncNames,
  syncConsumerSpecs,
  type ConsumerFactory,
  type RunningConsumer,
} from './sync-consumers';

class RecordingFactory implements ConsumerFactory {
  readonly options: ConsumeOptions<unknown>[] = [];
  stopped: string[] = [];

  consume<T>(options: ConsumeOptions<T>): RunningConsumer {
    this.options.push(options as unknown as ConsumeOptions<unknown>);
    return {
      queue: options.queue,
      stop: () => {
        this.stopped.push(options.queue);
        return Promise.resolve();
      },
      ready: () => Promise.resolve(),
      isConsuming: () => true,
      stats: () => ({ processed: 0, failed: 0, retried: 0, deadLettered: 0, inFlight: 0 }),
    };
  }
}

function message<T>(body: T): ConsumedMessage<T> {
  return {
    body,
    messageId: undefined,
    type: undefined,
    correlationId: undefined,
    exchange: 'stock',
    routingKey: 'info',
    attempts: 1,
    redelivered: false,
    timestamp: undefined,
    headers: {},
  };
}

describe('syncConsumerSpecs', () => {
  const handled: unknown[][] = [];
  const stockToMysql = {
    handle: (events: StockChangedEvent[]) => {
      handled.push(events);
      return Promise.resolve();
    },
  } as unknown as StockToMysqlSync;
  const productToSearch = { handle: () => Promise.resolve() } as unknown as ProductToSearchSync;

  it('binds stock consumers to stock/info and product consumers to catalog/product.*', () => {
    const specs = syncConsumerSpecs(
      { 'stock-mysql': stockToMysql, 'product-search': productToSearch },
      { prefetch: 100 },
    );
    expect(specs.map((spec) => [spec.name, spec.queue, spec.bindings])).toEqual([
      ['stock-mysql', 'sync.stock-mysql', [{ exchange: 'stock', routingKey: 'info' }]],
      ['product-search', 'sync.product-search', [{ exchange: 'catalog', routingKey: 'product.*' }]],
    ]);
  });

  it('uses prefixed names for an isolated topology', () => {
    const names = prefixedSyncNames(prefixedTopology('t1'), 't1');
    const [spec] = syncConsumerSpecs({ 'stock-mysql': stockToMysql }, { prefetch: 10 }, names);
    expect(spec.queue).toBe('t1.sync.stock-mysql');
    expect(spec.bindings).toEqual([{ exchange: 't1.stock', routingKey: 'info' }]);
  });

  it('gives a batching consumer room for two batches', () => {
    expect(prefetchFor({ maxSize: 500, maxWaitMs: 20 }, 100)).toBe(1000);
    expect(prefetchFor({ maxSize: 10, maxWaitMs: 20 }, 100)).toBe(100);
  });

  it('starts consumers that parse, batch and hand the bodies to the logic', async () => {
    const factory = new RecordingFactory();
    const batches: [string, number, string, readonly string[] | undefined][] = [];
    const runner = new SyncConsumerRunner(
      factory,
      syncConsumerSpecs({ 'stock-mysql': stockToMysql }, { prefetch: 100, maxAttempts: 3 }),
      {
        observer: {
          batch: (name, size, _ms, outcome, correlationIds) =>
            batches.push([name, size, outcome, correlationIds]),
        },
      },
    );
    runner.start();
    runner.start(); // idempotent
    expect(factory.options).toHaveLength(1);
    const [options] = factory.options;
    expect(options).toMatchObject({
      queue: 'sync.stock-mysql',
      prefetch: 1000,
      maxAttempts: 3,
      batch: { maxSize: 500, maxWaitMs: 20 },
    });
    const event = options.parse({
      id: 1,
      stock: 2,
      delta: 2,
      version: 1,
      reason: 'set',
      occurredAt: '2025-01-01T00:00:00.000Z',
    });
    await options.handle([message(event), { ...message(event), correlationId: 'req-7' }]);
    expect(handled).toEqual([[event, event]]);
    // The observer (the batch log) gets the request ids of the messages that carry one.
    expect(batches).toEqual([['stock-mysql', 2, 'ok', ['req-7']]]);
    expect(() => options.parse({ id: 'x' })).toThrow(/not a stock event/);
    // A failed batch is split to find a bad message, but not while a dependency is away.
    const split = options.splitFailedBatches as (error: unknown) => boolean;
    expect(split(new Error('row 7 is invalid'))).toBe(true);
    expect(
      split(new VarnishPurgeError([{ url: 'http://v', attempts: 4, reason: '503' }], [])),
    ).toBe(false);

    expect(runner.allConsuming()).toBe(true);
    expect(runner.status().map((status) => status.name)).toEqual(['stock-mysql']);
    await runner.stop();
    expect(factory.stopped).toEqual(['sync.stock-mysql']);
  });
});

describe('pickHandlers', () => {
  it('keeps the selected consumers only', () => {
    const handlers = {
      'stock-mysql': 'a',
      'stock-search': 'b',
      'stock-cache': 'c',
      'product-search': 'd',
      'product-stock-ids': 'e',
    } as unknown as Parameters<typeof pickHandlers>[0];
    expect(
      Object.keys(pickHandlers(handlers, ['reconciler', 'stock-cache', 'product-search'])),
    ).toEqual(['stock-cache', 'product-search']);
  });
});
