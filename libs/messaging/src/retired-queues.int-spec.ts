import type { Channel, ChannelModel } from 'amqplib';
import { eventually } from '../../../test/support/eventually';
import { AmqpConnection } from './amqp-connection';
import {
  AMQP_URL,
  deleteAll,
  messageCount,
  rawConnection,
  RecordingLogger,
  testNames,
} from './int-test-support';
import { retireQueues, type RetiredQueue } from './retired-queues';
import {
  consumerQueueNames,
  deadLetterQueueName,
  declareConsumerQueue,
  declareExchanges,
  retryQueueName,
} from './topology';

const RETRY_DELAYS = [100, 200];

describe('retireQueues against RabbitMQ', () => {
  const names = testNames();
  const queues: string[] = [];
  const logger = new RecordingLogger();
  let connection: AmqpConnection;
  let raw: ChannelModel;
  let channel: Channel;

  beforeAll(async () => {
    connection = new AmqpConnection({
      url: AMQP_URL,
      name: 'messaging-int-retired',
      topology: names.topology,
      logger,
    });
    await connection.waitForConnect();
    raw = await rawConnection();
    channel = await raw.createChannel();
    await declareExchanges(channel, names.topology);
  });

  afterAll(async () => {
    await connection?.close();
    await raw?.close();
    await deleteAll(queues, names.topology);
  });

  /** A consuming queue as the old consumers declared it, bound to `stock`/`info`. */
  async function oldQueue(name: string): Promise<RetiredQueue> {
    const retired: RetiredQueue = {
      queue: names.queue(name),
      bindings: [{ exchange: names.stockExchange, routingKey: 'info' }],
    };
    queues.push(...consumerQueueNames({ queue: retired.queue, retryDelaysMs: RETRY_DELAYS }));
    await declareConsumerQueue(
      channel,
      { ...retired, retryDelaysMs: RETRY_DELAYS },
      names.topology,
    );
    return retired;
  }

  async function exists(queue: string): Promise<boolean> {
    const probe = await raw.createChannel();
    probe.on('error', () => undefined);
    try {
      await probe.checkQueue(queue);
      await probe.close();
      return true;
    } catch {
      return false;
    }
  }

  function publishStock(count: number): void {
    for (let i = 0; i < count; i += 1) {
      channel.publish(names.stockExchange, 'info', Buffer.from(JSON.stringify({ id: i })));
    }
  }

  const retire = (retired: readonly RetiredQueue[]) =>
    retireQueues(connection, retired, { retryDelaysMs: RETRY_DELAYS, logger });

  it('deletes an empty queue with its retry and dead-letter queues', async () => {
    const retired = await oldQueue('empty');
    const [report] = await retire([retired]);
    expect(report).toEqual({
      queue: retired.queue,
      unbound: true,
      deleted: [
        retryQueueName(retired.queue, 100),
        retryQueueName(retired.queue, 200),
        retired.queue,
        deadLetterQueueName(retired.queue),
      ],
      kept: [],
    });
    for (const name of consumerQueueNames({ queue: retired.queue, retryDelaysMs: RETRY_DELAYS })) {
      expect(await exists(name)).toBe(false);
    }
    expect(connection.isConnected()).toBe(true);
  });

  it('unbinds a queue that still holds messages and keeps it, saying how many', async () => {
    const retired = await oldQueue('holding');
    publishStock(3);
    await eventually(async () => (await messageCount(retired.queue)) === 3);

    const [report] = await retire([retired]);
    expect(report.unbound).toBe(true);
    expect(report.deleted).toEqual([
      retryQueueName(retired.queue, 100),
      retryQueueName(retired.queue, 200),
      deadLetterQueueName(retired.queue),
    ]);
    expect(report.kept).toEqual([
      { name: retired.queue, messages: 3, consumers: 0, reason: 'not empty' },
    ]);
    expect(logger.lines.join('\n')).toContain(
      `warn retired queue ${retired.queue} kept (not empty): 3 message(s), 0 consumer(s)`,
    );

    // No longer fed: a new stock event does not reach it.
    publishStock(1);
    const canary = await oldQueue('canary');
    publishStock(1);
    await eventually(async () => (await messageCount(canary.queue)) === 1);
    expect(await messageCount(retired.queue)).toBe(3);

    // Drained, the next start deletes it.
    await channel.purgeQueue(retired.queue);
    const [again] = await retire([retired]);
    expect(again.deleted).toEqual([retired.queue]);
    expect(await exists(retired.queue)).toBe(false);
    expect(connection.isConnected()).toBe(true);
  });

  it('keeps the queue while one of its retry queues holds a message that comes back to it', async () => {
    const retired = await oldQueue('retrying');
    const slowRetry = retryQueueName(retired.queue, 200);
    // Long enough for the retirement to see it; the queue's own TTL is 200 ms.
    channel.sendToQueue(slowRetry, Buffer.from('{}'), { expiration: '60000' });
    await eventually(async () => (await messageCount(slowRetry)) === 1);

    const [report] = await retire([retired]);
    expect(report.kept.map((kept) => [kept.name, kept.reason])).toEqual([
      [slowRetry, 'not empty'],
      [retired.queue, 'its retry queues still hold messages'],
    ]);
    expect(await exists(retired.queue)).toBe(true);
  });

  it('leaves everything of a queue an older worker still consumes, but unbinds it', async () => {
    const retired = await oldQueue('consumed');
    const consumerChannel = await raw.createChannel();
    await consumerChannel.consume(retired.queue, () => undefined);

    const [report] = await retire([retired]);
    expect(report.unbound).toBe(true);
    expect(report.deleted).toEqual([]);
    expect(report.kept.map((kept) => kept.name)).toEqual([
      retryQueueName(retired.queue, 100),
      retryQueueName(retired.queue, 200),
      retired.queue,
      deadLetterQueueName(retired.queue),
    ]);
    expect(report.kept[2]).toMatchObject({
      consumers: 1,
      reason: `${retired.queue} still has a consumer`,
    });
    await consumerChannel.close();
  });

  it('does nothing for a queue that is already gone', async () => {
    const [report] = await retire([
      {
        queue: names.queue('never-declared'),
        bindings: [{ exchange: names.stockExchange, routingKey: 'info' }],
      },
    ]);
    expect(report).toEqual({
      queue: names.queue('never-declared'),
      unbound: false,
      deleted: [],
      kept: [],
    });
    expect(connection.isConnected()).toBe(true);
  });
});
