import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { config } from './stack';

export interface CapturedMessage {
  routingKey: string;
  body: unknown;
  properties: ConsumeMessage['properties'];
}

/**
 * A plain amqplib consumer, no Nest, no project code: what any third party would write to follow
 * the `stock` exchange. Its queue is durable so that it keeps collecting across a broker restart;
 * `close()` deletes it.
 */
export class PlainStockListener {
  readonly messages: CapturedMessage[] = [];
  private connection: ChannelModel | undefined;
  readonly queue = `e2e.listener.${randomUUID()}`;

  constructor(
    private readonly exchange: string,
    private readonly routingKeys: string[],
  ) {}

  async open(): Promise<this> {
    this.connection = await connect(config.AMQP_URL[0]);
    this.connection.on('error', () => undefined);
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    await channel.assertQueue(this.queue, { durable: true, exclusive: false, autoDelete: false });
    for (const key of this.routingKeys) await channel.bindQueue(this.queue, this.exchange, key);
    await channel.consume(this.queue, (message) => {
      if (!message) return;
      this.messages.push({
        routingKey: message.fields.routingKey,
        body: JSON.parse(message.content.toString('utf8')) as unknown,
        properties: message.properties,
      });
      channel.ack(message);
    });
    return this;
  }

  /** After a broker restart the old connection is gone: consume again from the same queue. */
  async reopen(): Promise<void> {
    await this.connection?.close().catch(() => undefined);
    await this.open();
  }

  async close(): Promise<void> {
    if (!this.connection) return;
    const channel = await this.connection.createChannel().catch(() => undefined);
    await channel?.deleteQueue(this.queue).catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
