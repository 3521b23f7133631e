import { randomBytes } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';
import { SILENT_LOGGER } from '@shop/common';
import { AmqpConnection } from '@shop/messaging';
import { eventually } from '../../../test/support/eventually';
import type { LiveStockMessage } from './live-protocol';
import { StockFanout } from './stock-fanout';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

interface Gateway {
  connection: AmqpConnection;
  fanout: StockFanout;
  received: LiveStockMessage[];
  invalid: number;
  resubscribed: number;
}

const event = (id: number, version: number): Buffer =>
  Buffer.from(
    JSON.stringify({
      id,
      stock: version * 2,
      delta: 1,
      version,
      reason: 'set',
      occurredAt: new Date().toISOString(),
    }),
  );

describe('StockFanout against RabbitMQ', () => {
  const exchange = `test-live-${randomBytes(4).toString('hex')}.stock`;
  let raw: ChannelModel;
  const gateways: Gateway[] = [];

  const startGateway = async (): Promise<Gateway> => {
    const connection = new AmqpConnection({
      url: AMQP_URL,
      name: 'live-int-spec',
      logger: SILENT_LOGGER,
    });
    const counts = { received: [] as LiveStockMessage[], invalid: 0, resubscribed: 0 };
    const fanout = new StockFanout(connection, {
      exchange,
      logger: SILENT_LOGGER,
      onChange: (message) => counts.received.push(message),
      onInvalid: () => (gateway.invalid += 1),
      onResubscribed: () => (gateway.resubscribed += 1),
    });
    const gateway: Gateway = { connection, fanout, ...counts };
    fanout.start();
    await fanout.ready();
    gateways.push(gateway);
    return gateway;
  };

  const publish = async (routingKey: string, body: Buffer): Promise<void> => {
    const channel = await raw.createConfirmChannel();
    channel.publish(exchange, routingKey, body);
    await channel.waitForConfirms();
    await channel.close();
  };

  beforeAll(async () => {
    raw = await connect(AMQP_URL);
  });

  afterAll(async () => {
    for (const gateway of gateways) {
      await gateway.fanout.stop();
      await gateway.connection.close();
    }
    const channel = await raw.createChannel();
    await channel.deleteExchange(exchange);
    await raw.close();
  });

  it('gives every process its own server-named queue, and every change to each', async () => {
    const a = await startGateway();
    const b = await startGateway();
    expect(a.fanout.queueName).toMatch(/^amq\.gen-/);
    expect(b.fanout.queueName).toMatch(/^amq\.gen-/);
    expect(a.fanout.queueName).not.toBe(b.fanout.queueName);

    // Only `info` carries every change; `depleted` and `restocked` repeat some of them.
    await publish('depleted', event(7, 1));
    await publish('info', event(7, 2));
    for (const gateway of [a, b]) {
      const [change] = await eventually(
        () => (gateway.received.length > 0 ? gateway.received : undefined),
        {
          what: 'the change on each gateway',
        },
      );
      expect(change).toMatchObject({ type: 'stock', id: 7, stock: 4, version: 2 });
      expect(gateway.received).toHaveLength(1);
    }
  });

  it('drops and counts a message that is not a stock change', async () => {
    const [a] = gateways;
    const before = a.received.length;
    await publish('info', Buffer.from('{"id":"seven"}'));
    await publish('info', event(8, 1));
    await eventually(() => a.received.length > before, { what: 'the valid change after it' });
    expect(a.invalid).toBe(1);
    expect(a.received.slice(before).map((m) => m.id)).toEqual([8]);
  });

  it('declares a new queue when its queue goes away, and says so to re-read figures', async () => {
    const [a] = gateways;
    const lost = a.fanout.queueName;
    // An exclusive queue can only be deleted on its own connection.
    const model = a.connection.currentModel();
    if (!model) throw new Error('gateway a is not connected');
    const channel = await model.createChannel();
    await channel.deleteQueue(lost ?? '');
    await channel.close();
    await eventually(
      () => a.resubscribed === 1 && a.fanout.queueName !== undefined && a.fanout.queueName !== lost,
      {
        what: 'a fresh queue',
      },
    );
    const before = a.received.length;
    await publish('info', event(9, 1));
    await eventually(() => a.received.length > before, { what: 'a change on the fresh queue' });
  });

  it('leaves no queue behind when the process goes', async () => {
    const gateway = await startGateway();
    const queue = gateway.fanout.queueName ?? '';
    await gateway.fanout.stop();
    await gateway.connection.close();
    gateways.splice(gateways.indexOf(gateway), 1);
    const channel = await raw.createChannel();
    channel.on('error', () => undefined);
    await expect(channel.checkQueue(queue)).rejects.toThrow(/NOT_FOUND/);
  });
});
