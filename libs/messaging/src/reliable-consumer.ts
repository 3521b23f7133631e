import type { ConfirmChannel, ConsumeMessage, Message } from 'amqplib';
import { errorMessage, settleWithin, type LoggerLike } from '@shop/common';
import { OutstandingDeliveries } from './ack-plan';
import { Batcher, type BatchOptions } from './batcher';
import { publishConfirmed, ReturnedMessages } from './confirm';
import { MessagingError, PoisonMessageError } from './errors';
import {
  attemptNumber,
  copyProperties,
  describeError,
  failureHeaders,
  originOf,
  routeFailure,
  type DeadReason,
  type FailureRoute,
  type MessageHeaders,
} from './failure-policy';
import { defaultLogger } from './logger';
import type { ConfirmChannelHandle, ManagedChannelOptions } from './managed-channel';
import {
  declareTopology,
  DEFAULT_RETRY_DELAYS_MS,
  normalizeRetryDelays,
  retryQueueName,
  type MessagingTopology,
  type QueueBinding,
} from './topology';

/** One delivery as a handler sees it. */
export interface ConsumedMessage<T> {
  readonly body: T;
  readonly messageId: string | undefined;
  readonly type: string | undefined;
  /** The id of the request that caused it (AMQP `correlationId`), for log lines about it. */
  readonly correlationId: string | undefined;
  /** Where it was first published (kept across retries and replays). */
  readonly exchange: string;
  readonly routingKey: string;
  /** 1 on the first attempt, 2 on the first retry… */
  readonly attempts: number;
  /** The broker delivered it before (e.g. a previous consumer died holding it). */
  readonly redelivered: boolean;
  readonly timestamp: Date | undefined;
  readonly headers: Readonly<MessageHeaders>;
}

/** Counters for Prometheus; every method is optional. */
export interface ConsumerMetricsListener {
  /** Handled and acked. */
  processed?(queue: string, count: number): void;
  /** Handling attempts that threw (or poison). */
  failed?(queue: string, count: number, error: unknown): void;
  /** Sent to a retry queue. */
  retried?(queue: string, count: number): void;
  /** Sent to `<queue>.dead`. */
  deadLettered?(queue: string, count: number, reason: DeadReason): void;
}

export interface ConsumerStats {
  readonly processed: number;
  readonly failed: number;
  readonly retried: number;
  readonly deadLettered: number;
  /** Received and not yet settled. */
  readonly inFlight: number;
}

export interface ConsumeOptions<T> {
  /** Main queue, e.g. `SyncQueue.Stock`. */
  readonly queue: string;
  /** Bound on every (re)connect; bindings are only added, never removed. */
  readonly bindings: readonly QueueBinding[];
  /** Validates the decoded JSON; a throw makes the message poison (straight to `.dead`). */
  readonly parse: (raw: unknown) => T;
  /**
   * Must be idempotent: a message can come again after a crash or a lost ack. Resolving acks
   * the messages; throwing retries them (or dead-letters them once attempts run out, or at once
   * for a `PoisonMessageError`).
   */
  readonly handle: (messages: ConsumedMessage<T>[]) => Promise<void>;
  /** Unacked messages held at once. Default: the factory's (AMQP_PREFETCH). */
  readonly prefetch?: number;
  /** Attempts before dead-lettering. Default: the factory's (AMQP_MAX_DELIVERIES). */
  readonly maxAttempts?: number;
  /** Backoff before attempt 2, 3…; the last repeats. Each distinct value is a queue. */
  readonly retryDelaysMs?: readonly number[];
  /** Hand `handle` up to `maxSize` messages at once (capped at prefetch). Default: one by one. */
  readonly batch?: BatchOptions;
  /**
   * When a batch of several fails, try each message alone before retrying, so one bad message
   * does not send its whole batch round the retry loop. Default true. A function decides from the
   * batch's error: an outage every message would hit alike (a dependency down) should not be
   * split, or the batch waits out the outage once per message instead of once.
   */
  readonly splitFailedBatches?: boolean | ((error: unknown) => boolean);
  readonly metrics?: ConsumerMetricsListener;
  /** Deadline for the confirm of a retry/dead-letter copy. Default 10 s. */
  readonly confirmTimeoutMs?: number;
}

export interface ConsumerDefaults {
  readonly prefetch: number;
  readonly maxAttempts: number;
  readonly retryDelaysMs?: readonly number[];
}

/** What the consumer needs from a connection; `AmqpConnection` provides it. */
export interface ConsumerChannelSource {
  readonly topology: MessagingTopology;
  createChannel(options: ManagedChannelOptions): ConfirmChannelHandle;
}

type Decoded<T> = { ok: true; value: ConsumedMessage<T> } | { ok: false; error: unknown };

interface Delivery<T> {
  readonly message: ConsumeMessage;
  readonly generation: number;
  readonly decoded: Decoded<T>;
}

interface Session {
  readonly channel: ConfirmChannel;
  readonly generation: number;
  readonly outstanding: OutstandingDeliveries;
  consumerTag: string | undefined;
}

interface Failure<T> {
  readonly delivery: Delivery<T>;
  readonly error: unknown;
  readonly poison: boolean;
}

/**
 * Consumes one queue with manual acks and never acks a message it has not finished with: a
 * handled message is acked after `handle` resolves; a failed one only after its copy in the retry
 * or dead-letter queue is confirmed by the broker. If the process dies at any point, the broker
 * redelivers whatever was not acked, so a message can come twice but is never lost.
 *
 * Messages are handled one batch at a time, in delivery order.
 */
export class ReliableConsumer<T> {
  readonly queue: string;
  private readonly topology: MessagingTopology;
  private readonly handle: ConfirmChannelHandle;
  private readonly batcher: Batcher<Delivery<T>>;
  private readonly prefetch: number;
  private readonly maxAttempts: number;
  private readonly retryDelaysMs: readonly number[];
  private readonly confirmTimeoutMs: number;
  private readonly returned = new ReturnedMessages();
  private session: Session | undefined;
  private stopping: Promise<void> | undefined;
  private readonly consumingWaiters = new Set<() => void>();
  private counts = { processed: 0, failed: 0, retried: 0, deadLettered: 0 };

  constructor(
    source: ConsumerChannelSource,
    private readonly options: ConsumeOptions<T>,
    defaults: ConsumerDefaults,
    private readonly logger: LoggerLike = defaultLogger(`Consumer ${options.queue}`),
  ) {
    this.queue = options.queue;
    this.prefetch = options.prefetch ?? defaults.prefetch;
    this.maxAttempts = options.maxAttempts ?? defaults.maxAttempts;
    this.retryDelaysMs = normalizeRetryDelays(
      options.retryDelaysMs ?? defaults.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    );
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 10_000;
    if (!Number.isInteger(this.prefetch) || this.prefetch < 1) {
      throw new MessagingError(`prefetch must be a positive integer, got ${this.prefetch}`);
    }
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new MessagingError(`maxAttempts must be a positive integer, got ${this.maxAttempts}`);
    }
    const batch = options.batch ?? { maxSize: 1, maxWaitMs: 0 };
    // A batch larger than prefetch could never fill: the broker stops sending at prefetch.
    const maxSize = Math.min(batch.maxSize, this.prefetch);
    this.batcher = new Batcher<Delivery<T>>(
      { maxSize, maxWaitMs: batch.maxWaitMs },
      (deliveries) => this.process(deliveries),
      (error) => this.logger.error(`batch processing failed: ${errorMessage(error)}`),
    );

    const topology = source.topology;
    this.topology = topology;
    const spec = {
      queue: this.queue,
      bindings: options.bindings,
      retryDelaysMs: this.retryDelaysMs,
    };
    this.handle = source.createChannel({
      name: `consumer ${this.queue}`,
      setup: async (channel) => {
        channel.on('return', (message: Message) => this.returned.record(message));
        await declareTopology(channel, topology, [spec]);
        await channel.prefetch(this.prefetch, false);
      },
    });
    this.handle.onOpen((channel, generation) => void this.startConsuming(channel, generation));
    this.handle.onLost((generation) => this.onChannelLost(generation));
  }

  /** Declares the queues (on every connect) and starts consuming. Idempotent. */
  start(): this {
    this.handle.start();
    return this;
  }

  /** Resolves once the consumer is registered with the broker. */
  ready(timeoutMs = 10_000): Promise<void> {
    if (this.session?.consumerTag) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.consumingWaiters.delete(done);
        reject(new MessagingError(`not consuming ${this.queue} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.consumingWaiters.delete(done);
        resolve();
      };
      this.consumingWaiters.add(done);
    });
  }

  /** True while registered with the broker (for health checks). */
  isConsuming(): boolean {
    return this.session?.consumerTag !== undefined && !this.stopping;
  }

  stats(): ConsumerStats {
    return {
      ...this.counts,
      inFlight: this.session?.outstanding.size ?? 0,
    };
  }

  /**
   * Graceful stop: cancel the subscription (no new deliveries), handle and settle every message
   * already received, then close the channel. After `timeoutMs` the channel is closed anyway and
   * the broker requeues whatever is left. Idempotent.
   */
  stop(timeoutMs = 30_000): Promise<void> {
    this.stopping ??= (async () => {
      const session = this.session;
      if (session?.consumerTag) {
        await settleWithin(session.channel.cancel(session.consumerTag), 5_000);
        session.consumerTag = undefined;
      }
      if (!(await settleWithin(this.batcher.drain(), timeoutMs))) {
        this.logger.warn(
          `stop: in-flight work not done after ${timeoutMs} ms; the broker requeues it`,
        );
      }
      await this.handle.close();
    })();
    return this.stopping;
  }

  private async startConsuming(channel: ConfirmChannel, generation: number): Promise<void> {
    if (this.stopping) {
      return;
    }
    const session: Session = {
      channel,
      generation,
      outstanding: new OutstandingDeliveries(),
      consumerTag: undefined,
    };
    this.session = session;
    this.returned.clear();
    try {
      const { consumerTag } = await channel.consume(
        this.queue,
        (message) => this.onDelivery(session, message),
        { noAck: false },
      );
      session.consumerTag = consumerTag;
      if (this.stopping) {
        await channel.cancel(consumerTag).catch(() => undefined);
        return;
      }
      this.logger.log(`consuming ${this.queue} (prefetch ${this.prefetch})`);
      for (const done of [...this.consumingWaiters]) {
        done();
      }
    } catch (error) {
      this.logger.error(`cannot consume ${this.queue}: ${errorMessage(error)}`);
      this.handle.recycle('consume failed');
    }
  }

  private onChannelLost(generation: number): void {
    if (this.session?.generation === generation) {
      this.session = undefined;
    }
    // The broker requeues everything unacked on that channel; holding on to it would only
    // produce acks with void delivery tags.
    const dropped = this.batcher.discard((delivery) => delivery.generation === generation);
    if (dropped.length > 0) {
      this.logger.warn(`channel lost: ${dropped.length} received messages left to redelivery`);
    }
  }

  private onDelivery(session: Session, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled us (queue deleted, node down): reopen, redeclare, resubscribe.
      session.consumerTag = undefined;
      if (!this.stopping) {
        this.handle.recycle('consumer cancelled by the broker');
      }
      return;
    }
    session.outstanding.add(message.fields.deliveryTag);
    this.batcher.add({
      message,
      generation: session.generation,
      decoded: this.decode(message),
    });
  }

  private decode(message: ConsumeMessage): Decoded<T> {
    const properties = message.properties;
    const contentType: unknown = properties.contentType;
    if (typeof contentType === 'string' && !/json/i.test(contentType)) {
      return {
        ok: false,
        error: new PoisonMessageError(`content type ${contentType} is not JSON`),
      };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(message.content.toString('utf8'));
    } catch (error) {
      return {
        ok: false,
        error: new PoisonMessageError(`body is not JSON: ${errorMessage(error)}`, { cause: error }),
      };
    }
    let body: T;
    try {
      body = this.options.parse(raw);
    } catch (error) {
      return { ok: false, error };
    }
    const headers: MessageHeaders = properties.headers ?? {};
    const origin = originOf(message.fields, headers);
    const messageId: unknown = properties.messageId;
    const type: unknown = properties.type;
    const correlationId: unknown = properties.correlationId;
    const timestamp: unknown = properties.timestamp;
    return {
      ok: true,
      value: {
        body,
        messageId: typeof messageId === 'string' ? messageId : undefined,
        type: typeof type === 'string' ? type : undefined,
        correlationId: typeof correlationId === 'string' ? correlationId : undefined,
        exchange: origin.exchange,
        routingKey: origin.routingKey,
        attempts: attemptNumber(headers),
        redelivered: message.fields.redelivered,
        timestamp: typeof timestamp === 'number' ? new Date(timestamp * 1000) : undefined,
        headers,
      },
    };
  }

  private isLive(delivery: Delivery<T>): boolean {
    return this.session?.generation === delivery.generation;
  }

  /** One batch: handle, route failures, settle. Runs strictly one at a time. */
  private async process(batch: Delivery<T>[]): Promise<void> {
    const deliveries = batch.filter((delivery) => this.isLive(delivery));
    if (deliveries.length === 0) {
      return;
    }
    const done: Delivery<T>[] = [];
    let handled = 0;
    const failures: Failure<T>[] = [];
    const good: { delivery: Delivery<T>; value: ConsumedMessage<T> }[] = [];
    for (const delivery of deliveries) {
      if (delivery.decoded.ok) {
        good.push({ delivery, value: delivery.decoded.value });
      } else {
        failures.push({ delivery, error: delivery.decoded.error, poison: true });
      }
    }

    if (good.length > 0) {
      try {
        await this.options.handle(good.map((item) => item.value));
        done.push(...good.map((item) => item.delivery));
        handled += good.length;
      } catch (error) {
        if (good.length > 1 && this.splitsOn(error)) {
          for (const item of good) {
            try {
              await this.options.handle([item.value]);
              done.push(item.delivery);
              handled += 1;
            } catch (itemError) {
              failures.push({
                delivery: item.delivery,
                error: itemError,
                poison: isPoison(itemError),
              });
            }
          }
        } else {
          for (const item of good) {
            failures.push({ delivery: item.delivery, error, poison: isPoison(error) });
          }
        }
      }
    }

    const copied = await Promise.all(failures.map((failure) => this.sendCopy(failure)));
    const unsettled: Delivery<T>[] = [];
    failures.forEach((failure, index) => {
      if (copied[index]) {
        done.push(failure.delivery);
      } else {
        unsettled.push(failure.delivery);
      }
    });

    this.settle(done, unsettled);
    this.count('processed', handled);
  }

  private splitsOn(error: unknown): boolean {
    const split = this.options.splitFailedBatches ?? true;
    return typeof split === 'function' ? split(error) : split;
  }

  /** Puts a failed message's copy in its retry or dead-letter queue; true once confirmed. */
  private async sendCopy(failure: Failure<T>): Promise<boolean> {
    const { message } = failure.delivery;
    const attempt = attemptNumber(message.properties.headers);
    const route: FailureRoute = routeFailure({
      attempt,
      maxAttempts: this.maxAttempts,
      retryDelaysMs: this.retryDelaysMs,
      poison: failure.poison,
    });
    this.count('failed', 1, failure.error);
    const session = this.session;
    if (!session || session.generation !== failure.delivery.generation) {
      return false; // its channel is gone: the broker redelivers it
    }
    const exchange =
      route.kind === 'retry' ? this.topology.retryExchange : this.topology.deadLetterExchange;
    const routingKey =
      route.kind === 'retry' ? retryQueueName(this.queue, route.delayMs) : this.queue;
    const headers = failureHeaders(message.properties.headers, {
      error: failure.error,
      attempts: route.attempts,
      fields: message.fields,
      now: new Date(),
      deadReason: route.kind === 'dead' ? route.reason : undefined,
    });
    const described = describeError(failure.error).message;
    const about = describeMessage(message);
    try {
      await publishConfirmed(
        session.channel,
        exchange,
        routingKey,
        message.content,
        { ...copyProperties(message.properties, headers), mandatory: true },
        this.confirmTimeoutMs,
        this.returned,
      );
    } catch (error) {
      this.logger.error(
        `cannot move ${about} to ${routingKey}: ` +
          `${errorMessage(error)}; it stays in ${this.queue}`,
      );
      return false;
    }
    if (route.kind === 'retry') {
      this.logger.warn(
        `${about} failed attempt ${attempt}/${this.maxAttempts}` +
          ` (${described}); retry in ${route.delayMs} ms`,
      );
      this.count('retried', 1);
    } else {
      this.logger.error(
        `${about} dead-lettered to ${this.queue}.dead ` +
          `(${route.reason}, attempt ${attempt}): ${described}`,
      );
      this.count('deadLettered', 1, route.reason);
    }
    return true;
  }

  /** Acks `done` (one multiple-ack where safe), requeues `unsettled`; void tags are skipped. */
  private settle(done: Delivery<T>[], unsettled: Delivery<T>[]): void {
    const session = this.session;
    if (!session) {
      return;
    }
    const live = (delivery: Delivery<T>): boolean => delivery.generation === session.generation;
    const byTag = new Map<number, ConsumeMessage>();
    for (const delivery of done.filter(live)) {
      byTag.set(delivery.message.fields.deliveryTag, delivery.message);
    }
    try {
      const plan = session.outstanding.settle(byTag.keys());
      if (plan.upTo !== undefined) {
        session.channel.ack(byTag.get(plan.upTo)!, true);
      }
      for (const tag of plan.singles) {
        session.channel.ack(byTag.get(tag)!);
      }
      for (const delivery of unsettled.filter(live)) {
        session.outstanding.forget([delivery.message.fields.deliveryTag]);
        session.channel.nack(delivery.message, false, true);
      }
    } catch (error) {
      // The channel closed under us; the broker requeues what we could not settle.
      this.logger.warn(`cannot settle deliveries: ${errorMessage(error)}`);
    }
  }

  private count(kind: 'processed' | 'retried', n: number): void;
  private count(kind: 'failed', n: number, error: unknown): void;
  private count(kind: 'deadLettered', n: number, reason: DeadReason): void;
  private count(kind: keyof typeof this.counts, n: number, detail?: unknown): void {
    if (n <= 0) {
      return;
    }
    this.counts[kind] += n;
    const metrics = this.options.metrics;
    try {
      if (kind === 'processed') {
        metrics?.processed?.(this.queue, n);
      } else if (kind === 'failed') {
        metrics?.failed?.(this.queue, n, detail);
      } else if (kind === 'retried') {
        metrics?.retried?.(this.queue, n);
      } else {
        metrics?.deadLettered?.(this.queue, n, detail as DeadReason);
      }
    } catch (error) {
      this.logger.warn(`metrics listener threw: ${errorMessage(error)}`);
    }
  }
}

/**
 * "message <id> (correlation <request id>)" for log lines: the correlation id is what an operator
 * has from the API's answer (X-Request-Id) and greps for.
 */
export function describeMessage(message: Pick<Message, 'properties'>): string {
  const correlationId: unknown = message.properties.correlationId;
  const correlation =
    typeof correlationId === 'string' && correlationId !== ''
      ? ` (correlation ${correlationId})`
      : '';
  return `message ${String(message.properties.messageId)}${correlation}`;
}

function isPoison(error: unknown): boolean {
  return error instanceof PoisonMessageError;
}
