import type { Socket } from 'node:net';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import { eventually, eventuallyPasses } from '../../../test/support/eventually';
import { AmqpConnection } from './amqp-connection';
import { ConfirmingPublisher } from './confirming-publisher';
import { PublisherUnavailableError, PublishRejectedError, UnroutableMessageError } from './errors';
import {
  AMQP_URL,
  deleteAll,
  messageCount,
  rawConnection,
  RecordingLogger,
  testNames,
} from './int-test-support';

describe('ConfirmingPublisher against RabbitMQ', () => {
  const names = testNames();
  const queues: string[] = [];
  let connection: AmqpConnection;
  let publisher: ConfirmingPublisher;
  let raw: ChannelModel;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    connection = new AmqpConnection({
      url: AMQP_URL,
      name: 'messaging-int-publisher',
      topology: names.topology,
      reconnectSeconds: 1,
      logger,
    });
    await connection.waitForConnect();
    publisher = new ConfirmingPublisher(connection, { confirmTimeoutMs: 5_000, appId: 'int-test' });
    await publisher.ready();
    raw = await rawConnection();
  });

  afterAll(async () => {
    await publisher?.close();
    await connection?.close();
    await raw?.close();
    await deleteAll(queues, names.topology);
  });

  async function boundQueue(name: string, routingKey = 'info'): Promise<string> {
    const queue = names.queue(name);
    queues.push(queue);
    const channel = await raw.createChannel();
    await channel.assertQueue(queue, { durable: false });
    await channel.bindQueue(queue, names.stockExchange, routingKey);
    await channel.close();
    return queue;
  }

  it('delivers plain JSON with AMQP properties that a bare amqplib consumer can read', async () => {
    const queue = await boundQueue('plain');
    const channel = await raw.createChannel();
    const received = new Promise<ConsumeMessage>((resolve) => {
      void channel.consume(queue, (message) => message && resolve(message), { noAck: true });
    });
    const body = {
      id: 42,
      stock: 7,
      delta: -1,
      version: 3,
      reason: 'decrement',
      occurredAt: '2025-01-01T00:00:00.000Z',
    };
    const timestamp = new Date('2025-01-01T00:00:00.000Z');
    await publisher.publish(names.stockExchange, 'info', body, {
      messageId: 'stock-42-3',
      type: 'stock.changed',
      timestamp,
    });
    const message = await received;
    expect(JSON.parse(message.content.toString('utf8'))).toEqual(body);
    expect(message.fields.routingKey).toBe('info');
    expect(message.properties).toMatchObject({
      contentType: 'application/json',
      deliveryMode: 2,
      messageId: 'stock-42-3',
      type: 'stock.changed',
      timestamp: timestamp.getTime() / 1000,
      appId: 'int-test',
    });
    await channel.close();
  });

  it('confirms a batch message by message', async () => {
    const queue = await boundQueue('batch');
    const messages = Array.from({ length: 300 }, (_, i) => ({
      exchange: names.stockExchange,
      routingKey: 'info',
      body: { id: i },
      options: { messageId: `batch-${i}`, type: 'stock.changed' },
    }));
    const outcomes = await publisher.publishBatch(messages);
    expect(outcomes.every((outcome) => outcome.confirmed)).toBe(true);
    await eventuallyPasses(async () => expect(await messageCount(queue)).toBe(300));
  });

  it('reports a mandatory message nobody is bound for, and keeps working', async () => {
    await expect(
      publisher.publish(
        names.stockExchange,
        'nobody-listens',
        {},
        {
          messageId: 'lost-1',
          type: 'stock.changed',
          mandatory: true,
        },
      ),
    ).rejects.toBeInstanceOf(UnroutableMessageError);
    await expect(
      publisher.publish(names.stockExchange, 'nobody-listens', {}, { messageId: 'x', type: 't' }),
    ).resolves.toBeUndefined();
  });

  it('rejects a publish to a missing exchange and reopens its channel afterwards', async () => {
    await expect(
      publisher.publish(
        `${names.prefix}.no-such-exchange`,
        'info',
        {},
        { messageId: 'm', type: 't' },
      ),
    ).rejects.toBeInstanceOf(PublishRejectedError);
    await eventually(() => publisher.isReady());
    await expect(
      publisher.publish(names.stockExchange, 'info', {}, { messageId: 'after', type: 't' }),
    ).resolves.toBeUndefined();
  });

  it('fails fast while the connection is down and recovers by itself', async () => {
    const queue = await boundQueue('outage');
    // Cut the TCP connection under the client, as a network failure would.
    const model = connection.currentModel() as unknown as { connection: { stream: Socket } };
    const inFlight = publisher.publish(
      names.stockExchange,
      'info',
      { n: 1 },
      { messageId: 'o-1', type: 't' },
    );
    model.connection.stream.destroy(new Error('simulated network failure'));
    await expect(inFlight).rejects.toBeInstanceOf(Error);
    await expect(
      publisher.publish(names.stockExchange, 'info', { n: 2 }, { messageId: 'o-2', type: 't' }),
    ).rejects.toBeInstanceOf(PublisherUnavailableError);
    expect(connection.isConnected()).toBe(false);

    await eventually(() => connection.isConnected() && publisher.isReady());
    await publisher.publish(names.stockExchange, 'info', { n: 3 }, { messageId: 'o-3', type: 't' });
    await eventuallyPasses(async () => expect(await messageCount(queue)).toBeGreaterThanOrEqual(1));
    expect(logger.lines.some((line) => line.startsWith('warn disconnected'))).toBe(true);
  });

  it('rejects without waiting when the broker was never reachable', async () => {
    const nowhere = new AmqpConnection({
      url: 'amqp://guest:guest@127.0.0.1:1',
      name: 'messaging-int-nowhere',
      logger: new RecordingLogger(),
    });
    const lonely = new ConfirmingPublisher(nowhere);
    try {
      await expect(
        lonely.publish('stock', 'info', {}, { messageId: 'n', type: 't' }),
      ).rejects.toBeInstanceOf(PublisherUnavailableError);
      expect(nowhere.isConnected()).toBe(false);
    } finally {
      await lonely.close();
      await nowhere.close();
    }
  });
});
