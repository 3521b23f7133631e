import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { ConfirmChannel, Message, Options } from 'amqplib';
import { errorMessage, sleep } from '@shop/common';
import { MessagingError, PublisherUnavailableError, PublishTimeoutError } from './errors';
import { ReturnedMessages, sendConfirmed } from './confirm';
import type { ConfirmChannelHandle, ManagedChannelOptions } from './managed-channel';
import { declareTopology, type ConsumerQueueSpec, type MessagingTopology } from './topology';

export type HeaderValue = string | number | boolean;

export interface PublishOptions {
  /** AMQP `messageId`: consumers dedupe on it, so a retried publish must reuse it. */
  readonly messageId: string;
  /** AMQP `type`, e.g. `MessageType.StockChanged`. */
  readonly type: string;
  /** AMQP `timestamp` (sent in whole seconds). Default: now. */
  readonly timestamp?: Date;
  readonly headers?: Readonly<Record<string, HeaderValue>>;
  readonly correlationId?: string;
  /** Reject with `UnroutableMessageError` when no queue is bound to receive it. Default false. */
  readonly mandatory?: boolean;
  /** Deadline for channel room plus the broker's confirm. Default: the publisher's. */
  readonly timeoutMs?: number;
}

export interface OutgoingMessage {
  readonly exchange: string;
  readonly routingKey: string;
  /** Sent as JSON, no envelope; a Buffer is taken as JSON already encoded and sent as it is. */
  readonly body: object | Buffer;
  readonly options: PublishOptions;
}

export type PublishOutcome =
  | { readonly message: OutgoingMessage; readonly confirmed: true }
  | { readonly message: OutgoingMessage; readonly confirmed: false; readonly error: Error };

export interface ConfirmingPublisherOptions {
  /** Default 5000 ms. */
  readonly confirmTimeoutMs?: number;
  /** AMQP `appId` on every message, e.g. `stock-api`. */
  readonly appId?: string;
  /** Declare the topology's exchanges on every new channel (a publish to a missing exchange
   *  closes the channel). Default true. */
  readonly declareExchanges?: boolean;
  /**
   * Consuming queues to declare (with their retry and dead-letter queues and bindings) on every
   * new channel, so that what this process publishes is queued even if no consumer ever ran.
   */
  readonly declareQueues?: readonly ConsumerQueueSpec[];
}

/** What the publisher needs from a connection; `AmqpConnection` provides it. */
export interface PublishChannelSource {
  readonly topology: MessagingTopology;
  isBlocked(): boolean;
  createChannel(options: ManagedChannelOptions): ConfirmChannelHandle;
}

/**
 * Publishes JSON under publisher confirms and answers only with the broker's verdict: a resolved
 * promise means RabbitMQ has taken responsibility for the message (persisted to its queues);
 * anything else rejects, within `timeoutMs`, so an outbox relay keeps its entry and tries again.
 *
 * Never buffers: with no channel (broker down, reconnecting) or a blocked connection it rejects at
 * once with `PublisherUnavailableError`; while the socket is congested it waits for room, but
 * never past the deadline.
 */
export class ConfirmingPublisher implements BeforeApplicationShutdown {
  private readonly handle: ConfirmChannelHandle;
  private readonly confirmTimeoutMs: number;
  private readonly appId: string | undefined;
  /** False after the channel said its write buffer is full, until it drains. */
  private writable = true;
  private roomWaiters = new Set<AbortController>();
  private readonly returned = new ReturnedMessages();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly source: PublishChannelSource,
    options: ConfirmingPublisherOptions = {},
  ) {
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 5_000;
    this.appId = options.appId;
    const declare = options.declareExchanges ?? true;
    this.handle = source.createChannel({
      name: 'publisher',
      setup: async (channel) => {
        channel.on('drain', () => this.onRoom());
        channel.on('return', (message: Message) => this.returned.record(message));
        if (declare) {
          await declareTopology(channel, source.topology, options.declareQueues ?? []);
        }
      },
    });
    this.handle.onOpen(() => {
      this.returned.clear();
      this.onRoom();
    });
    this.handle.onLost(() => this.onRoom());
    this.handle.start();
  }

  /** A channel is open and set up (the health of the publishing side). */
  isReady(): boolean {
    return !this.closed && this.handle.channel !== undefined && !this.source.isBlocked();
  }

  /** Waits for the first channel (start-up); later publishes never wait for a reconnect. */
  async ready(timeoutMs = 10_000): Promise<void> {
    await this.handle.ready(timeoutMs);
  }

  /** Resolves once the broker confirmed the message; see the class comment for rejections. */
  async publish(
    exchange: string,
    routingKey: string,
    body: object,
    options: PublishOptions,
  ): Promise<void> {
    const sent = await this.send({ exchange, routingKey, body, options });
    await sent.confirmed;
  }

  /**
   * Publishes in order on one channel without waiting between messages, then waits for every
   * confirm. Never rejects: each outcome says confirmed or why not (same order as `messages`).
   * A relay that must keep per-key order should only drop the confirmed prefix of its outbox.
   */
  async publishBatch(messages: readonly OutgoingMessage[]): Promise<PublishOutcome[]> {
    const outcomes: Promise<PublishOutcome>[] = [];
    const failed = (message: OutgoingMessage, error: unknown): PublishOutcome => ({
      message,
      confirmed: false,
      error: asError(error),
    });
    for (const message of messages) {
      try {
        // Awaiting the write (not the confirm) keeps the messages in order on the channel.
        const sent = await this.send(message);
        outcomes.push(
          sent.confirmed.then(
            (): PublishOutcome => ({ message, confirmed: true }),
            (error: unknown) => failed(message, error),
          ),
        );
      } catch (error) {
        outcomes.push(Promise.resolve(failed(message, error)));
      }
      if (outcomes.length % 1_000 === 0) {
        // Let confirms and socket writes through on very large batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return Promise.all(outcomes);
  }

  /** Stops accepting publishes, waits for outstanding confirms (bounded), closes the channel. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    await this.handle.close();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Writes one message; `confirmed` settles with the broker's answer or the deadline. */
  private async send(message: OutgoingMessage): Promise<{ confirmed: Promise<void> }> {
    const { exchange, routingKey, options } = message;
    const timeoutMs = options.timeoutMs ?? this.confirmTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    const content = encode(message.body);
    const properties = this.properties(options);
    const channel = await this.writableChannel(deadline, timeoutMs);
    const { confirmed, hasRoom } = sendConfirmed(
      channel,
      exchange,
      routingKey,
      content,
      properties,
      { timeoutMs, remainingMs: deadline - Date.now(), returned: this.returned },
    );
    if (!hasRoom) {
      this.writable = false;
    }
    const tracked = confirmed.catch(() => undefined);
    this.inFlight.add(tracked);
    void tracked.then(() => this.inFlight.delete(tracked));
    return { confirmed };
  }

  private async writableChannel(deadline: number, timeoutMs: number): Promise<ConfirmChannel> {
    for (;;) {
      if (this.closed) {
        throw new PublisherUnavailableError('publisher is closed');
      }
      if (this.source.isBlocked()) {
        throw new PublisherUnavailableError('the broker is blocking publishes (resource alarm)');
      }
      const channel = this.handle.channel;
      if (!channel) {
        throw new PublisherUnavailableError('not connected to the broker');
      }
      if (this.writable) {
        return channel;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new PublishTimeoutError(`channel had no room within ${timeoutMs} ms`);
      }
      await this.waitForRoom(remaining);
    }
  }

  /** Sleeps `ms`, or less when the channel drains (`onRoom` wakes every waiter). */
  private async waitForRoom(ms: number): Promise<void> {
    const waiter = new AbortController();
    this.roomWaiters.add(waiter);
    try {
      await sleep(ms, waiter.signal);
    } finally {
      this.roomWaiters.delete(waiter);
    }
  }

  private onRoom(): void {
    this.writable = true;
    for (const waiter of [...this.roomWaiters]) {
      waiter.abort();
    }
  }

  private properties(options: PublishOptions): Options.Publish {
    if (!options.messageId || !options.type) {
      throw new MessagingError('messageId and type are required on every message');
    }
    const timestamp = options.timestamp ?? new Date();
    return {
      contentType: 'application/json',
      persistent: true,
      messageId: options.messageId,
      type: options.type,
      timestamp: Math.floor(timestamp.getTime() / 1000),
      ...(options.headers ? { headers: { ...options.headers } } : {}),
      ...(options.correlationId ? { correlationId: options.correlationId } : {}),
      ...(this.appId ? { appId: this.appId } : {}),
      ...(options.mandatory ? { mandatory: true } : {}),
    };
  }
}

function encode(body: object | Buffer): Buffer {
  if (Buffer.isBuffer(body)) return body;
  let json: string | undefined;
  try {
    json = JSON.stringify(body);
  } catch (error) {
    throw new MessagingError(`body is not serialisable to JSON: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  if (json === undefined) {
    throw new MessagingError('body is not serialisable to JSON');
  }
  return Buffer.from(json);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(errorMessage(error));
}
