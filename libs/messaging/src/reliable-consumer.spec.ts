import { PoisonMessageError } from './errors';
import { MessageHeader } from './failure-policy';
import type { ManagedChannelOptions } from './managed-channel';
import { describeMessage, ReliableConsumer, type ConsumeOptions } from './reliable-consumer';
import { SILENT_LOGGER, type LoggerLike } from '@shop/common';
import { FakeChannel, FakeHandle, flush, message, topology } from './testing/fake-broker';

async function start(
  handle: ConsumeOptions<{ id: number }>['handle'],
  extra: Partial<ConsumeOptions<{ id: number }>> = {},
  logger: LoggerLike = SILENT_LOGGER,
) {
  let fakeHandle!: FakeHandle;
  const source = {
    topology,
    createChannel: (options: ManagedChannelOptions) => (fakeHandle = new FakeHandle(options)),
  };
  const consumer = new ReliableConsumer<{ id: number }>(
    source,
    {
      queue: 'q',
      bindings: [{ exchange: 'unit.stock', routingKey: 'info' }],
      parse: (raw) => {
        const value = raw as { id?: unknown };
        if (typeof value.id !== 'number') {
          throw new PoisonMessageError('no id');
        }
        return { id: value.id };
      },
      handle,
      ...extra,
    },
    { prefetch: 10, maxAttempts: 3, retryDelaysMs: [1000, 5000] },
    logger,
  ).start();
  const channel = new FakeChannel();
  await fakeHandle.open(channel);
  await consumer.ready();
  return { consumer, channel, handle: fakeHandle };
}

describe('ReliableConsumer', () => {
  it('acks a handled message and exposes its metadata', async () => {
    const seen: unknown[] = [];
    const { consumer, channel } = await start(async (messages) => {
      seen.push(...messages);
    });
    channel.deliver!(message(1, { id: 7 }));
    await flush();
    expect(seen).toEqual([
      expect.objectContaining({
        body: { id: 7 },
        messageId: 'm-1',
        type: 'stock.changed',
        exchange: 'unit.stock',
        routingKey: 'info',
        attempts: 1,
        timestamp: new Date(1_700_000_000_000),
      }),
    ]);
    expect(channel.acks).toEqual([{ tag: 1, allUpTo: false }]);
    expect(consumer.stats()).toMatchObject({ processed: 1, inFlight: 0 });
  });

  it("hands over the request's correlationId and names it in retry lines", async () => {
    const seen: (string | undefined)[] = [];
    const warnings: string[] = [];
    const { channel } = await start(
      async (messages) => {
        seen.push(...messages.map((consumed) => consumed.correlationId));
        throw new Error('transient');
      },
      {},
      { ...SILENT_LOGGER, warn: (line) => warnings.push(line) },
    );
    const delivered = message(1, { id: 7 });
    delivered.properties.correlationId = 'req-9';
    channel.deliver!(delivered);
    await flush();
    channel.published[0].confirm(null);
    await flush();
    expect(seen).toEqual(['req-9']);
    expect(warnings).toEqual([
      expect.stringMatching(/^message m-1 \(correlation req-9\) failed attempt 1\/3/),
    ]);
  });

  it('describes a message without a correlationId by its id alone', () => {
    expect(describeMessage(message(3, {}))).toBe('message m-3');
    const withId = message(4, {});
    withId.properties.correlationId = 'req-1';
    expect(describeMessage(withId)).toBe('message m-4 (correlation req-1)');
  });

  it('acks a failed message only after its retry copy is confirmed', async () => {
    const { consumer, channel } = await start(async () => {
      throw new Error('transient');
    });
    channel.deliver!(message(1, { id: 7 }));
    await flush();
    expect(channel.published).toHaveLength(1);
    const [copy] = channel.published;
    expect(copy).toMatchObject({
      exchange: 'unit.shop.retry',
      routingKey: 'q.retry.1000ms',
      options: expect.objectContaining({ persistent: true, mandatory: true, messageId: 'm-1' }),
    });
    expect(copy.options.headers).toMatchObject({
      [MessageHeader.Attempts]: 1,
      [MessageHeader.Error]: 'Error: transient',
      [MessageHeader.OriginalExchange]: 'unit.stock',
      [MessageHeader.OriginalRoutingKey]: 'info',
    });
    expect(channel.acks).toEqual([]);
    copy.confirm(null);
    await flush();
    expect(channel.acks).toEqual([{ tag: 1, allUpTo: false }]);
    expect(consumer.stats()).toMatchObject({ failed: 1, retried: 1, processed: 0 });
  });

  it('requeues instead of acking when the copy is not confirmed', async () => {
    const { channel } = await start(async () => {
      throw new Error('transient');
    });
    channel.deliver!(message(1, { id: 7 }));
    await flush();
    channel.published[0].confirm(new Error('message nacked'));
    await flush();
    expect(channel.acks).toEqual([]);
    expect(channel.nacks).toEqual([{ tag: 1, requeue: true }]);
  });

  it('uses the next backoff step and dead-letters after the last attempt', async () => {
    const { consumer, channel } = await start(async () => {
      throw new Error('still failing');
    });
    channel.deliver!(message(1, { id: 7 }, { [MessageHeader.Attempts]: 1 }));
    channel.deliver!(message(2, { id: 8 }, { [MessageHeader.Attempts]: 2 }));
    await flush();
    // One at a time: the second waits until the first one's copy is confirmed.
    expect(channel.published).toHaveLength(1);
    channel.published[0].confirm(null);
    await flush();
    channel.published[1].confirm(null);
    await flush();
    expect(channel.published.map((p) => [p.exchange, p.routingKey])).toEqual([
      ['unit.shop.retry', 'q.retry.5000ms'],
      ['unit.shop.dead-letter', 'q'],
    ]);
    expect(channel.published[1].options.headers).toMatchObject({
      [MessageHeader.Attempts]: 3,
      [MessageHeader.DeadReason]: 'retries-exhausted',
    });
    expect(channel.acks).toEqual([
      { tag: 1, allUpTo: false },
      { tag: 2, allUpTo: false },
    ]);
    expect(consumer.stats()).toMatchObject({ retried: 1, deadLettered: 1 });
  });

  it('sends poison straight to the dead-letter queue without calling the handler', async () => {
    const handle = jest.fn(async () => undefined);
    const { channel } = await start(handle, { batch: { maxSize: 2, maxWaitMs: 10_000 } });
    channel.deliver!(message(1, '{oops'));
    channel.deliver!(message(2, { wrong: true }));
    await flush();
    expect(handle).not.toHaveBeenCalled();
    expect(channel.published.map((p) => p.routingKey)).toEqual(['q', 'q']);
    expect(channel.published.map((p) => p.options.headers)).toEqual([
      expect.objectContaining({ [MessageHeader.DeadReason]: 'poison' }),
      expect.objectContaining({ [MessageHeader.DeadReason]: 'poison' }),
    ]);
    channel.published.forEach((p) => p.confirm(null));
    await flush();
    expect(channel.acks).toEqual([{ tag: 2, allUpTo: true }]);
  });

  it('acks a whole batch with one multiple-ack', async () => {
    const batches: number[][] = [];
    const { channel } = await start(
      async (messages) => {
        batches.push(messages.map((m) => m.body.id));
      },
      { batch: { maxSize: 3, maxWaitMs: 10_000 } },
    );
    [1, 2, 3].forEach((tag) => channel.deliver!(message(tag, { id: tag })));
    await flush();
    expect(batches).toEqual([[1, 2, 3]]);
    expect(channel.acks).toEqual([{ tag: 3, allUpTo: true }]);
  });

  it('tries the messages of a failed batch one by one, so only the bad one is retried', async () => {
    const calls: number[][] = [];
    const { channel } = await start(
      async (messages) => {
        calls.push(messages.map((m) => m.body.id));
        if (messages.some((m) => m.body.id === 2)) throw new Error('bad row 2');
      },
      { batch: { maxSize: 3, maxWaitMs: 10_000 } },
    );
    [1, 2, 3].forEach((tag) => channel.deliver!(message(tag, { id: tag })));
    await flush();
    expect(calls).toEqual([[1, 2, 3], [1], [2], [3]]);
    expect(channel.published.map((p) => p.options.messageId)).toEqual(['m-2']);
    // Its retry copy confirmed, the whole batch is settled with one ack (and no confirm
    // deadline is left running after the test).
    channel.published[0].confirm(null);
    await flush();
    expect(channel.acks).toEqual([{ tag: 3, allUpTo: true }]);
  });

  it('retries a batch whole when the split predicate calls its error an outage', async () => {
    const calls: number[][] = [];
    const { channel } = await start(
      async (messages) => {
        calls.push(messages.map((m) => m.body.id));
        throw new Error('ECONNREFUSED');
      },
      {
        batch: { maxSize: 3, maxWaitMs: 10_000 },
        splitFailedBatches: (error) => !String(error).includes('ECONNREFUSED'),
      },
    );
    [1, 2, 3].forEach((tag) => channel.deliver!(message(tag, { id: tag })));
    await flush();
    expect(calls).toEqual([[1, 2, 3]]);
    expect(channel.published.map((p) => p.options.messageId)).toEqual(['m-1', 'm-2', 'm-3']);
    expect(channel.published.map((p) => p.routingKey)).toEqual(Array(3).fill('q.retry.1000ms'));
    channel.published.forEach((copy) => copy.confirm(null));
    await flush();
    expect(channel.acks).toEqual([{ tag: 3, allUpTo: true }]);
  });

  it('never acks a delivery of a channel that was lost meanwhile', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { channel, handle } = await start(() => gate);
    channel.deliver!(message(1, { id: 1 }));
    await flush();
    handle.drop();
    release();
    await flush();
    expect(channel.acks).toEqual([]);
  });

  it('stop() cancels, finishes the message in flight, acks it, then closes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { consumer, channel, handle } = await start(() => gate);
    channel.deliver!(message(1, { id: 1 }));
    await flush();
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await flush();
    expect(channel.cancelled).toBe(true);
    expect(stopped).toBe(false);
    expect(handle.closed).toBe(false);
    release();
    await stopping;
    expect(channel.acks).toEqual([{ tag: 1, allUpTo: false }]);
    expect(handle.closed).toBe(true);
  });
});
