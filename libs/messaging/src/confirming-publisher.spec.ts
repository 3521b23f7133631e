import { EventEmitter } from 'node:events';
import type { ConfirmChannel } from 'amqplib';
import { ConfirmingPublisher } from './confirming-publisher';
import {
  PublisherUnavailableError,
  PublishRejectedError,
  PublishTimeoutError,
  UnroutableMessageError,
} from './errors';
import type { ConfirmChannelHandle, ManagedChannelOptions } from './managed-channel';
import { SHOP_TOPOLOGY } from './topology';

interface Sent {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Record<string, unknown>;
  confirm: (err: unknown) => void;
}

/** Just enough of a ConfirmChannel: records publishes and lets the test answer them. */
class FakeChannel extends EventEmitter {
  sent: Sent[] = [];
  hasRoom = true;
  broken = false;

  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Record<string, unknown>,
    confirm: (err: unknown) => void,
  ): boolean {
    if (this.broken) {
      throw new Error('Channel closed');
    }
    this.sent.push({ exchange, routingKey, content, options, confirm });
    return this.hasRoom;
  }

  async assertExchange(): Promise<void> {}
}

class FakeHandle implements ConfirmChannelHandle {
  channel: ConfirmChannel | undefined;
  generation = 0;
  private opened = new Set<(c: ConfirmChannel, g: number) => void>();

  constructor(readonly options: ManagedChannelOptions) {}

  start(): void {}
  async ready(): Promise<ConfirmChannel> {
    return this.channel!;
  }
  onOpen(listener: (c: ConfirmChannel, g: number) => void): () => void {
    this.opened.add(listener);
    return () => this.opened.delete(listener);
  }
  onLost(): () => void {
    return () => undefined;
  }
  recycle(): void {}
  async close(): Promise<void> {
    this.channel = undefined;
  }

  async open(fake: FakeChannel): Promise<void> {
    const channel = fake as unknown as ConfirmChannel;
    await this.options.setup?.(channel);
    this.channel = channel;
    this.generation += 1;
    this.opened.forEach((listener) => listener(channel, this.generation));
  }
}

function setup(options: { blocked?: boolean } = {}) {
  let handle!: FakeHandle;
  const source = {
    topology: SHOP_TOPOLOGY,
    isBlocked: () => options.blocked ?? false,
    createChannel: (opts: ManagedChannelOptions) => (handle = new FakeHandle(opts)),
  };
  const publisher = new ConfirmingPublisher(source, { confirmTimeoutMs: 1000, appId: 'test' });
  return { publisher, handle };
}

const props = { messageId: 'm-1', type: 'stock.changed' };

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    await Promise.resolve();
  }
}

describe('ConfirmingPublisher', () => {
  afterEach(() => jest.useRealTimers());

  it('rejects at once while there is no channel instead of buffering', async () => {
    const { publisher } = setup();
    await expect(publisher.publish('stock', 'info', { id: 1 }, props)).rejects.toBeInstanceOf(
      PublisherUnavailableError,
    );
  });

  it('rejects at once while the broker blocks the connection', async () => {
    const { publisher, handle } = setup({ blocked: true });
    await handle.open(new FakeChannel());
    await expect(publisher.publish('stock', 'info', { id: 1 }, props)).rejects.toBeInstanceOf(
      PublisherUnavailableError,
    );
  });

  it('resolves only on the broker confirm, with the documented properties', async () => {
    const { publisher, handle } = setup();
    const channel = new FakeChannel();
    await handle.open(channel);
    let resolved = false;
    const timestamp = new Date('2025-01-02T03:04:05.999Z');
    const publishing = publisher
      .publish('stock', 'info', { id: 1, stock: 5 }, { ...props, timestamp, headers: { h: 'v' } })
      .then(() => (resolved = true));
    await flush();
    expect(resolved).toBe(false);
    const [sent] = channel.sent;
    expect(JSON.parse(sent.content.toString())).toEqual({ id: 1, stock: 5 });
    expect(sent.options).toEqual({
      contentType: 'application/json',
      persistent: true,
      messageId: 'm-1',
      type: 'stock.changed',
      timestamp: Math.floor(timestamp.getTime() / 1000),
      headers: { h: 'v' },
      appId: 'test',
    });
    sent.confirm(null);
    await publishing;
    expect(resolved).toBe(true);
  });

  it('rejects on a nack', async () => {
    const { publisher, handle } = setup();
    const channel = new FakeChannel();
    await handle.open(channel);
    const publishing = publisher.publish('stock', 'info', {}, props);
    await flush();
    channel.sent[0].confirm(new Error('message nacked'));
    await expect(publishing).rejects.toBeInstanceOf(PublishRejectedError);
  });

  it('rejects when the channel throws under it', async () => {
    const { publisher, handle } = setup();
    const channel = new FakeChannel();
    await handle.open(channel);
    channel.broken = true;
    await expect(publisher.publish('stock', 'info', {}, props)).rejects.toBeInstanceOf(
      PublisherUnavailableError,
    );
  });

  it('rejects after the deadline when no confirm ever comes', async () => {
    jest.useFakeTimers();
    const { publisher, handle } = setup();
    await handle.open(new FakeChannel());
    const publishing = publisher.publish('stock', 'info', {}, { ...props, timeoutMs: 250 });
    const expectation = expect(publishing).rejects.toBeInstanceOf(PublishTimeoutError);
    await flush();
    jest.advanceTimersByTime(250);
    await expectation;
  });

  it('waits for room (bounded) when the socket is congested', async () => {
    jest.useFakeTimers();
    const { publisher, handle } = setup();
    const channel = new FakeChannel();
    await handle.open(channel);
    channel.hasRoom = false;
    const first = publisher.publish('stock', 'info', {}, props);
    await flush();
    const second = publisher.publish('stock', 'info', {}, { ...props, messageId: 'm-2' });
    await flush();
    expect(channel.sent).toHaveLength(1);
    channel.hasRoom = true;
    channel.emit('drain');
    await flush();
    expect(channel.sent).toHaveLength(2);
    // Sent is not confirmed: both still wait for the broker.
    const settled: string[] = [];
    void first.then(() => settled.push('m-1'));
    void second.then(() => settled.push('m-2'));
    await flush();
    expect(settled).toEqual([]);
    expect(channel.sent.map((sent) => sent.options.messageId)).toEqual(['m-1', 'm-2']);
    channel.sent.forEach((sent) => sent.confirm(null));
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
    expect(settled).toEqual(['m-1', 'm-2']);

    channel.hasRoom = false;
    const third = publisher.publish('stock', 'info', {}, { ...props, timeoutMs: 100 });
    await flush();
    const fourth = publisher.publish('stock', 'info', {}, { ...props, timeoutMs: 100 });
    const expectation = expect(fourth).rejects.toBeInstanceOf(PublishTimeoutError);
    await flush();
    jest.advanceTimersByTime(100);
    await expectation;
    await expect(third).rejects.toBeInstanceOf(PublishTimeoutError);
  });

  it('reports an unroutable mandatory message', async () => {
    const { publisher, handle } = setup();
    const channel = new FakeChannel();
    await handle.open(channel);
    const publishing = publisher.publish('stock', 'nobody', {}, { ...props, mandatory: true });
    await flush();
    expect(channel.sent[0].options.mandatory).toBe(true);
    channel.emit('return', {
      fields: { exchange: 'stock', routingKey: 'nobody' },
      properties: { messageId: 'm-1' },
      content: Buffer.from('{}'),
    });
    channel.sent[0].confirm(null);
    await expect(publishing).rejects.toBeInstanceOf(UnroutableMessageError);
  });

  it('publishes a batch in order and reports each outcome', async () => {
    const { publisher, handle } = setup();
    const channel = new FakeChannel();
    await handle.open(channel);
    const messages = [1, 2, 3].map((id) => ({
      exchange: 'stock',
      routingKey: 'info',
      body: { id },
      options: { messageId: `m-${id}`, type: 'stock.changed' },
    }));
    const batch = publisher.publishBatch(messages);
    await flush();
    expect(
      channel.sent.map((s) => (JSON.parse(s.content.toString()) as { id: number }).id),
    ).toEqual([1, 2, 3]);
    channel.sent[0].confirm(null);
    channel.sent[1].confirm(new Error('message nacked'));
    channel.sent[2].confirm(null);
    const outcomes = await batch;
    expect(outcomes.map((o) => o.confirmed)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({
      confirmed: false,
      error: expect.any(PublishRejectedError),
    });
  });

  it('turns every message of a batch into a failure when disconnected', async () => {
    const { publisher } = setup();
    const outcomes = await publisher.publishBatch([
      { exchange: 'stock', routingKey: 'info', body: {}, options: props },
    ]);
    expect(outcomes[0]).toMatchObject({
      confirmed: false,
      error: expect.any(PublisherUnavailableError),
    });
  });

  it('refuses a body that is not JSON-serialisable', async () => {
    const { publisher, handle } = setup();
    await handle.open(new FakeChannel());
    await expect(publisher.publish('stock', 'info', { n: BigInt(1) }, props)).rejects.toThrow(
      /JSON/,
    );
  });
});
