/* A channel and a channel handle that record what a consumer does; the test plays the broker. */
import { EventEmitter } from 'node:events';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { ConfirmChannelHandle, ManagedChannelOptions } from '../managed-channel';
import { prefixedTopology, type MessagingTopology } from '../topology';

export interface Published {
  exchange: string;
  routingKey: string;
  options: Record<string, unknown>;
  confirm: (err: unknown) => void;
}

/** Records what the consumer does to the channel; the test plays the broker. */
export class FakeChannel extends EventEmitter {
  published: Published[] = [];
  acks: { tag: number; allUpTo: boolean }[] = [];
  nacks: { tag: number; requeue: boolean }[] = [];
  deliver: ((message: ConsumeMessage | null) => void) | undefined;
  cancelled = false;

  async assertExchange(): Promise<void> {}
  async assertQueue(): Promise<void> {}
  async bindQueue(): Promise<void> {}
  async prefetch(): Promise<void> {}
  consume(
    _queue: string,
    onMessage: (message: ConsumeMessage | null) => void,
  ): Promise<{ consumerTag: string }> {
    this.deliver = onMessage;
    return Promise.resolve({ consumerTag: 'ctag' });
  }
  cancel(): Promise<void> {
    this.cancelled = true;
    return Promise.resolve();
  }
  publish(
    exchange: string,
    routingKey: string,
    _content: Buffer,
    options: Record<string, unknown>,
    confirm: (err: unknown) => void,
  ): boolean {
    this.published.push({ exchange, routingKey, options, confirm });
    return true;
  }
  ack(message: ConsumeMessage, allUpTo = false): void {
    this.acks.push({ tag: message.fields.deliveryTag, allUpTo });
  }
  nack(message: ConsumeMessage, _allUpTo: boolean, requeue: boolean): void {
    this.nacks.push({ tag: message.fields.deliveryTag, requeue });
  }
}

export class FakeHandle implements ConfirmChannelHandle {
  channel: ConfirmChannel | undefined;
  generation = 0;
  closed = false;
  private opened = new Set<(c: ConfirmChannel, g: number) => void>();
  private lost = new Set<(g: number) => void>();

  constructor(readonly options: ManagedChannelOptions) {}

  start(): void {}
  ready(): Promise<ConfirmChannel> {
    return Promise.resolve(this.channel!);
  }
  onOpen(listener: (c: ConfirmChannel, g: number) => void): () => void {
    this.opened.add(listener);
    return () => this.opened.delete(listener);
  }
  onLost(listener: (g: number) => void): () => void {
    this.lost.add(listener);
    return () => this.lost.delete(listener);
  }
  recycle(): void {}
  close(): Promise<void> {
    this.closed = true;
    this.drop();
    return Promise.resolve();
  }

  async open(fake: FakeChannel): Promise<void> {
    const channel = fake as unknown as ConfirmChannel;
    await this.options.setup?.(channel);
    this.channel = channel;
    this.generation += 1;
    this.opened.forEach((listener) => listener(channel, this.generation));
  }

  drop(): void {
    this.channel = undefined;
    this.lost.forEach((listener) => listener(this.generation));
  }
}

export const topology: MessagingTopology = prefixedTopology('unit');

export function message(
  tag: number,
  body: unknown,
  headers: Record<string, unknown> = {},
): ConsumeMessage {
  return {
    content: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    fields: {
      deliveryTag: tag,
      redelivered: false,
      exchange: 'unit.stock',
      routingKey: 'info',
      consumerTag: 'ctag',
    },
    properties: {
      contentType: 'application/json',
      headers,
      messageId: `m-${tag}`,
      type: 'stock.changed',
      timestamp: 1_700_000_000,
    },
  } as unknown as ConsumeMessage;
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A channel source whose one channel the test opens (and drops) by hand. */
export function fakeChannelSource(): {
  source: {
    topology: MessagingTopology;
    createChannel(options: ManagedChannelOptions): FakeHandle;
  };
  handles: FakeHandle[];
} {
  const handles: FakeHandle[] = [];
  return {
    handles,
    source: {
      topology,
      createChannel: (options) => {
        const handle = new FakeHandle(options);
        handles.push(handle);
        return handle;
      },
    },
  };
}
