import type { Socket } from 'node:net';
import type { ChannelModel } from 'amqplib';
import { eventually, eventuallyPasses } from '../../../test/support/eventually';
import { AmqpConnection } from './amqp-connection';
import { ConfirmingPublisher } from './confirming-publisher';
import { DeadLetters } from './dead-letters';
import { PoisonMessageError } from './errors';
import { MessageHeader } from './failure-policy';
import {
  AMQP_URL,
  deleteAll,
  messageCount,
  rawConnection,
  RecordingLogger,
  testNames,
  turns,
} from './int-test-support';
import { MessageConsumers } from './message-consumers';
import type { ConsumedMessage, ConsumeOptions } from './reliable-consumer';
import { consumerQueueNames, declareTopology, deadLetterQueueName } from './topology';

interface StockEvent {
  id: number;
  stock: number;
}

function parseStockEvent(raw: unknown): StockEvent {
  const value = raw as Partial<StockEvent> | null;
  if (typeof value?.id !== 'number' || typeof value.stock !== 'number') {
    throw new PoisonMessageError('not a stock event');
  }
  return { id: value.id, stock: value.stock };
}

const RETRY_DELAYS = [100, 200];

describe('ReliableConsumer against RabbitMQ', () => {
  const names = testNames();
  const queues: string[] = [];
  const logger = new RecordingLogger();
  let connection: AmqpConnection;
  let publisher: ConfirmingPublisher;
  let consumers: MessageConsumers;
  let deadLetters: DeadLetters;
  let raw: ChannelModel;

  beforeAll(async () => {
    connection = new AmqpConnection({
      url: AMQP_URL,
      name: 'messaging-int-consumer',
      topology: names.topology,
      logger,
    });
    await connection.waitForConnect();
    publisher = new ConfirmingPublisher(connection);
    await publisher.ready();
    consumers = new MessageConsumers(
      connection,
      { prefetch: 50, maxAttempts: 3, retryDelaysMs: RETRY_DELAYS },
      logger,
    );
    deadLetters = new DeadLetters(connection);
    raw = await rawConnection();
  });

  afterAll(async () => {
    await consumers?.stopAll();
    await publisher?.close();
    await connection?.close();
    await raw?.close();
    await deleteAll(queues, names.topology);
  });

  function queueFor(name: string): string {
    const queue = names.queue(name);
    queues.push(...consumerQueueNames({ queue, retryDelaysMs: RETRY_DELAYS }));
    return queue;
  }

  function options(
    queue: string,
    handle: ConsumeOptions<StockEvent>['handle'],
    extra: Partial<ConsumeOptions<StockEvent>> = {},
  ): ConsumeOptions<StockEvent> {
    return {
      queue,
      bindings: [{ exchange: names.stockExchange, routingKey: queue }],
      parse: parseStockEvent,
      handle,
      ...extra,
    };
  }

  async function send(routingKey: string, id: number, stock = 1): Promise<void> {
    await publisher.publish(
      names.stockExchange,
      routingKey,
      { id, stock },
      {
        messageId: `m-${id}`,
        type: 'stock.changed',
      },
    );
  }

  it('retries a transient failure with backoff until it succeeds', async () => {
    const queue = queueFor('retry');
    const seen: ConsumedMessage<StockEvent>[] = [];
    const consumer = consumers.consume(
      options(queue, async ([message]) => {
        seen.push(message);
        if (message.attempts < 3) {
          throw new Error(`database unavailable (attempt ${message.attempts})`);
        }
      }),
    );
    await consumer.ready();
    await send(queue, 1);
    await eventuallyPasses(() => expect(consumer.stats().processed).toBe(1));
    expect(seen.map((m) => m.attempts)).toEqual([1, 2, 3]);
    expect(seen.every((m) => m.messageId === 'm-1' && m.type === 'stock.changed')).toBe(true);
    // The original route survives the round trips through the retry queues.
    expect(seen.map((m) => [m.exchange, m.routingKey])).toEqual(
      Array.from({ length: 3 }, () => [names.stockExchange, queue]),
    );
    expect(seen[1].headers[MessageHeader.Error]).toBe('Error: database unavailable (attempt 1)');
    expect(consumer.stats()).toMatchObject({
      processed: 1,
      failed: 2,
      retried: 2,
      deadLettered: 0,
    });
    await consumer.stop();
    expect(await messageCount(queue)).toBe(0);
  });

  it('dead-letters poison at once with the error attached, while good messages keep flowing', async () => {
    const queue = queueFor('poison');
    const handled: number[] = [];
    const consumer = consumers.consume(
      options(queue, async (messages) => {
        handled.push(...messages.map((m) => m.body.id));
      }),
    );
    await consumer.ready();
    const channel = await raw.createConfirmChannel();
    channel.publish(names.stockExchange, queue, Buffer.from('{not json'), {
      messageId: 'broken-json',
      persistent: true,
    });
    channel.publish(names.stockExchange, queue, Buffer.from('{"id":"x"}'), {
      messageId: 'wrong-shape',
      contentType: 'application/json',
      persistent: true,
    });
    await channel.waitForConfirms();
    await channel.close();
    for (let id = 1; id <= 5; id += 1) {
      await send(queue, id);
    }
    await eventuallyPasses(() => expect(handled).toEqual([1, 2, 3, 4, 5]));
    await eventuallyPasses(async () => expect(await deadLetters.count(queue)).toBe(2));

    const letters = await deadLetters.list(queue, 10);
    expect(letters.map((l) => l.messageId).sort()).toEqual(['broken-json', 'wrong-shape']);
    for (const letter of letters) {
      expect(letter).toMatchObject({
        queue,
        exchange: names.stockExchange,
        routingKey: queue,
        attempts: 1,
        reason: 'poison',
      });
      expect(letter.headers).toHaveProperty(MessageHeader.ErrorStack);
      expect(letter.headers).toHaveProperty(MessageHeader.FailedAt);
      expect(letter.headers[MessageHeader.OriginalExchange]).toBe(names.stockExchange);
      expect(letter.headers[MessageHeader.OriginalRoutingKey]).toBe(queue);
    }
    expect(letters.find((l) => l.messageId === 'broken-json')?.error).toMatch(/not JSON/);
    expect(letters.find((l) => l.messageId === 'wrong-shape')?.error).toMatch(/not a stock event/);
    // Listing is a peek: nothing left the queue.
    expect(await deadLetters.count(queue)).toBe(2);
    expect(consumer.stats()).toMatchObject({ processed: 5, deadLettered: 2, retried: 0 });
    await consumer.stop();
  });

  it('dead-letters after the last attempt and replays it as a fresh message', async () => {
    const queue = queueFor('exhausted');
    let broken = true;
    const attempts: number[] = [];
    const consumer = consumers.consume(
      options(queue, async ([message]) => {
        attempts.push(message.attempts);
        if (broken) {
          throw new Error('downstream rejects it');
        }
      }),
    );
    await consumer.ready();
    await send(queue, 13);
    await eventuallyPasses(async () => expect(await deadLetters.count(queue)).toBe(1));
    expect(attempts).toEqual([1, 2, 3]);
    const [letter] = await deadLetters.list(queue);
    expect(letter).toMatchObject({
      messageId: 'm-13',
      type: 'stock.changed',
      attempts: 3,
      reason: 'retries-exhausted',
      error: 'Error: downstream rejects it',
      body: { id: 13, stock: 1 },
    });

    broken = false;
    const result = await deadLetters.replay(queue);
    expect(result).toEqual({ queue, replayed: 1, remaining: 0 });
    await eventuallyPasses(() => expect(consumer.stats().processed).toBe(1));
    expect(attempts).toEqual([1, 2, 3, 1]);
    expect(await messageCount(deadLetterQueueName(queue))).toBe(0);
    await consumer.stop();
  });

  it('hands batches to the handler and acks them', async () => {
    const queue = queueFor('batch');
    const channel = await raw.createChannel();
    await declareTopology(channel, names.topology, [
      {
        queue,
        bindings: [{ exchange: names.stockExchange, routingKey: queue }],
        retryDelaysMs: RETRY_DELAYS,
      },
    ]);
    await channel.close();
    for (let id = 1; id <= 50; id += 1) {
      await send(queue, id);
    }
    const batches: number[][] = [];
    const consumer = consumers.consume(
      options(
        queue,
        async (messages) => {
          batches.push(messages.map((m) => m.body.id));
        },
        { batch: { maxSize: 20, maxWaitMs: 50 } },
      ),
    );
    await eventuallyPasses(() => expect(batches.flat()).toHaveLength(50));
    expect(batches.flat()).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(20);
    expect(batches.some((b) => b.length > 1)).toBe(true);
    await consumer.stop();
    // Nothing was left unacked: closing the channel put nothing back.
    expect(await messageCount(queue)).toBe(0);
  });

  it('retries only the message that fails inside a batch', async () => {
    const queue = queueFor('split');
    const handledOk: number[] = [];
    const consumer = consumers.consume(
      options(
        queue,
        async (messages) => {
          if (messages.some((m) => m.body.id === 3 && m.attempts === 1)) {
            throw new Error('row 3 violates a constraint');
          }
          handledOk.push(...messages.map((m) => m.body.id));
        },
        { batch: { maxSize: 10, maxWaitMs: 200 } },
      ),
    );
    await consumer.ready();
    await publisher.publishBatch(
      [1, 2, 3, 4, 5].map((id) => ({
        exchange: names.stockExchange,
        routingKey: queue,
        body: { id, stock: 1 },
        options: { messageId: `m-${id}`, type: 'stock.changed' },
      })),
    );
    await eventuallyPasses(() => expect([...handledOk].sort()).toEqual([1, 2, 3, 4, 5]));
    expect(consumer.stats()).toMatchObject({ processed: 5, retried: 1, deadLettered: 0 });
    await consumer.stop();
  });

  it('resubscribes by itself after the connection drops', async () => {
    const queue = queueFor('reconnect');
    const handled: number[] = [];
    const consumer = consumers.consume(
      options(queue, async (messages) => {
        handled.push(...messages.map((m) => m.body.id));
      }),
    );
    await consumer.ready();
    await send(queue, 1);
    await eventuallyPasses(() => expect(consumer.stats().processed).toBe(1));
    const model = connection.currentModel() as unknown as { connection: { stream: Socket } };
    model.connection.stream.destroy(new Error('simulated network failure'));
    await eventually(() => !consumer.isConsuming());
    await eventually(() => consumer.isConsuming() && publisher.isReady());
    await send(queue, 2);
    // At least once: the ack of 1 may have died with the socket, so 1 can come again.
    await eventuallyPasses(() => expect([...new Set(handled)]).toEqual([1, 2]));
    expect(logger.lines.some((line) => line.includes('disconnected'))).toBe(true);
    await consumer.stop();
  });

  it('stop() waits for the handler in flight, then acks', async () => {
    const queue = queueFor('stop');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    let finished = false;
    const consumer = consumers.consume(
      options(queue, async () => {
        started = true;
        await gate;
        finished = true;
      }),
    );
    await consumer.ready();
    await send(queue, 1);
    await eventually(() => started);
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await turns(50);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    expect(consumer.stats().processed).toBe(1);
    expect(await messageCount(queue)).toBe(0);
  });
});
