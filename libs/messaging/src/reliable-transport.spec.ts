import { Controller, type INestMicroservice, type Type } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { PoisonMessageError } from './errors';
import { MessageHeader } from './failure-policy';
import { SILENT_LOGGER } from '@shop/common';
import { MessageConsumers } from './message-consumers';
import {
  AmqpBatchContext,
  consumerPattern,
  PassThroughRpcFilter,
  ReliableTransport,
  type ReliableTransportOptions,
} from './reliable-transport';
import { FakeChannel, fakeChannelSource, flush, message, topology } from './testing/fake-broker';

interface Item {
  id: number;
}

function parseItem(raw: unknown): Item {
  const value = raw as { id?: unknown };
  if (typeof value.id !== 'number') throw new PoisonMessageError('no id');
  return { id: value.id };
}

/** Every message of a batch would fail alike: retried whole, not split. */
class Outage extends Error {}

const BATCH = { maxSize: 3, maxWaitMs: 10_000 };

/** What the handlers were given and what they do next; reset per test. */
const script = {
  calls: [] as { pattern: string; ids: number[]; messageIds: (string | undefined)[] }[],
  gate: undefined as Promise<void> | undefined,
  failWith: undefined as ((ids: number[]) => Error | undefined) | undefined,
};

async function play(pattern: string, items: Item[], context: AmqpBatchContext<Item>) {
  const ids = items.map((item) => item.id);
  script.calls.push({
    pattern,
    ids,
    messageIds: context.getMessages().map((consumed) => consumed.messageId),
  });
  await script.gate;
  const error = script.failWith?.(ids);
  if (error) throw error;
}

@Controller()
class StockController {
  @EventPattern(
    'stock-a',
    consumerPattern({
      queue: 'a',
      bindings: [{ exchange: 'stock', routingKey: 'info' }],
      parse: parseItem,
      batch: BATCH,
      splitFailedBatches: (error) => !(error instanceof Outage),
    }),
  )
  a(@Payload() items: Item[], @Ctx() context: AmqpBatchContext<Item>): Promise<void> {
    return play('stock-a', items, context);
  }

  @EventPattern(
    'stock-b',
    consumerPattern({
      queue: 'b',
      bindings: [{ exchange: 'stock', routingKey: 'info' }],
      parse: parseItem,
    }),
  )
  b(@Payload() items: Item[], @Ctx() context: AmqpBatchContext<Item>): Promise<void> {
    return play('stock-b', items, context);
  }
}

@Controller()
class SecondStockAController {
  @EventPattern('stock-a', consumerPattern({ queue: 'a2', bindings: [], parse: parseItem }))
  again(): void {}
}

@Controller()
class RequestReplyController {
  @MessagePattern('ask', consumerPattern({ queue: 'ask', bindings: [], parse: parseItem }))
  ask(): string {
    return 'answer';
  }
}

interface Booted {
  app: INestMicroservice;
  transport: ReliableTransport;
  /** The fake channel of each consumer, by queue. */
  channels: Map<string, FakeChannel>;
  batches: unknown[][];
}

let booted: Booted | undefined;

async function boot(
  controllers: Type[] = [StockController],
  options: ReliableTransportOptions = {},
): Promise<Booted> {
  const { source, handles } = fakeChannelSource();
  const consumers = new MessageConsumers(
    source,
    { prefetch: 10, maxAttempts: 3, retryDelaysMs: [1000] },
    SILENT_LOGGER,
  );
  const batches: unknown[][] = [];
  const transport = new ReliableTransport(consumers, {
    logger: SILENT_LOGGER,
    observer: { batch: (...args) => batches.push(args) },
    ...options,
  });
  const module = await Test.createTestingModule({ controllers }).compile();
  const app = module.createNestMicroservice({ strategy: transport, logger: false });
  app.useGlobalFilters(new PassThroughRpcFilter());
  booted = { app, transport, channels: new Map(), batches };
  await app.listen();
  for (const handle of handles) {
    const channel = new FakeChannel();
    await handle.open(channel);
    booted.channels.set(handle.options.name.replace(/^consumer /, ''), channel);
  }
  await transport.ready(1000);
  return booted;
}

beforeEach(() => {
  script.calls = [];
  script.gate = undefined;
  script.failWith = undefined;
});

afterEach(async () => {
  await booted?.app.close();
  booted = undefined;
});

describe('ReliableTransport', () => {
  it("hands each queue's messages to its pattern's handler, as bodies with their context", async () => {
    const { channels, transport } = await boot();
    expect(transport.queues()).toEqual(['a', 'b']);
    channels.get('b')!.deliver!(message(1, { id: 10 }));
    [1, 2, 3].forEach((tag) => channels.get('a')!.deliver!(message(tag, { id: tag })));
    await flush();
    expect(script.calls).toEqual([
      { pattern: 'stock-b', ids: [10], messageIds: ['m-1'] },
      { pattern: 'stock-a', ids: [1, 2, 3], messageIds: ['m-1', 'm-2', 'm-3'] },
    ]);
    expect(channels.get('a')!.acks).toEqual([{ tag: 3, allUpTo: true }]);
    expect(channels.get('b')!.acks).toEqual([{ tag: 1, allUpTo: false }]);
  });

  it('acks a batch only once its handler has resolved', async () => {
    let release!: () => void;
    script.gate = new Promise<void>((resolve) => (release = resolve));
    const { channels, batches } = await boot();
    const channel = channels.get('b')!;
    const delivered = message(1, { id: 1 });
    delivered.properties.correlationId = 'req-5';
    channel.deliver!(delivered);
    await flush();
    expect(script.calls).toHaveLength(1);
    expect(channel.acks).toEqual([]);
    release();
    await flush();
    expect(channel.acks).toEqual([{ tag: 1, allUpTo: false }]);
    expect(batches).toEqual([['stock-b', 1, expect.any(Number), 'ok', ['req-5']]]);
  });

  it('dead-letters what the handler calls poison at once, with its error', async () => {
    script.failWith = () => new PoisonMessageError('product 1 can never be written');
    const { channels } = await boot();
    const channel = channels.get('b')!;
    channel.deliver!(message(1, { id: 1 }));
    await flush();
    expect(channel.published).toEqual([
      expect.objectContaining({
        exchange: topology.deadLetterExchange,
        routingKey: 'b',
        options: expect.objectContaining({
          headers: expect.objectContaining({
            [MessageHeader.DeadReason]: 'poison',
            [MessageHeader.Error]: expect.stringMatching(/can never be written/),
          }),
        }),
      }),
    ]);
    // Acked only after the broker confirmed the dead-letter copy.
    expect(channel.acks).toEqual([]);
    channel.published[0].confirm(null);
    await flush();
    expect(channel.acks).toEqual([{ tag: 1, allUpTo: false }]);
  });

  it('retries a batch whole during an outage, and splits it for any other error', async () => {
    script.failWith = (ids) =>
      ids.length > 1 ? new Outage('search is down') : ids[0] === 5 ? new Error('bad') : undefined;
    const { channels, batches } = await boot();
    const channel = channels.get('a')!;
    [1, 2, 3].forEach((tag) => channel.deliver!(message(tag, { id: tag })));
    await flush();
    expect(script.calls.map((call) => call.ids)).toEqual([[1, 2, 3]]);
    expect(channel.published.map((p) => [p.routingKey, p.options.messageId])).toEqual([
      ['a.retry.1000ms', 'm-1'],
      ['a.retry.1000ms', 'm-2'],
      ['a.retry.1000ms', 'm-3'],
    ]);
    expect(batches).toEqual([['stock-a', 3, expect.any(Number), 'error', []]]);
    channel.published.forEach((published) => published.confirm(null));
    await flush();
    expect(channel.acks).toEqual([{ tag: 3, allUpTo: true }]);

    script.failWith = (ids) => (ids.includes(5) ? new Error('bad row 5') : undefined);
    [4, 5, 6].forEach((tag) => channel.deliver!(message(tag, { id: tag })));
    await flush();
    expect(script.calls.slice(1).map((call) => call.ids)).toEqual([[4, 5, 6], [4], [5], [6]]);
    expect(channel.published.slice(3).map((p) => p.options.messageId)).toEqual(['m-5']);
    channel.published[3].confirm(null);
    await flush();
    expect(channel.acks.at(-1)).toEqual({ tag: 6, allUpTo: true });
  });

  it('runs only the selected patterns, and refuses to start on a pattern no handler has', async () => {
    const { transport } = await boot([StockController], { only: ['stock-b'] });
    expect(transport.consumerStatus()).toEqual([
      expect.objectContaining({ pattern: 'stock-b', queue: 'b', consuming: true }),
    ]);
    await booted!.app.close();
    await expect(boot([StockController], { only: ['stock-b', 'stock-c'] })).rejects.toThrow(
      /no handler for stock-c \(handlers: stock-a, stock-b\)/,
    );
  });

  it('refuses a second handler for a pattern, and request-reply handlers', async () => {
    await expect(boot([StockController, SecondStockAController])).rejects.toThrow(
      /stock-a: a second handler for the pattern; one handler per pattern/,
    );
    await expect(boot([RequestReplyController])).rejects.toThrow(/@MessagePattern is not served/);
  });

  it('stops gracefully: no new deliveries, the batch in flight is acked, then it is idle', async () => {
    let release!: () => void;
    script.gate = new Promise<void>((resolve) => (release = resolve));
    const { channels, transport } = await boot();
    const channel = channels.get('b')!;
    channel.deliver!(message(1, { id: 1 }));
    await flush();
    const stopped = transport.stop(5_000);
    await flush();
    expect(channel.cancelled).toBe(true);
    expect(channel.acks).toEqual([]);
    release();
    await stopped;
    expect(channel.acks).toEqual([{ tag: 1, allUpTo: false }]);
    await expect(transport.assertConsuming()).rejects.toThrow(/not consuming: a, b/);
  });
});
