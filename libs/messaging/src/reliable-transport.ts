import {
  Catch,
  type INestApplication,
  type INestMicroservice,
  type RpcExceptionFilter,
} from '@nestjs/common';
import {
  BaseRpcContext,
  Server,
  type CustomTransportStrategy,
  type MessageHandler,
  type MicroserviceOptions,
} from '@nestjs/microservices';
import { lastValueFrom, throwError, type Observable } from 'rxjs';
import type { BatchOptions } from './batcher';
import { MessagingError } from './errors';
import { settleWithin, type LoggerLike } from '@shop/common';
import { defaultLogger } from './logger';
import type {
  ConsumedMessage,
  ConsumeOptions,
  ConsumerDefaults,
  ConsumerMetricsListener,
  ConsumerStats,
} from './reliable-consumer';
import type { QueueBinding } from './topology';

/**
 * The extras of a consumer's `@EventPattern(name, extras)`: where its messages come from and how
 * they are batched and retried. Build them with `consumerPattern({...})` so they are type-checked.
 */
export interface ConsumerPattern<T> {
  /** Main queue (quorum, with retry and `.dead` queues), e.g. `SyncQueue.Stock`. */
  readonly queue: string;
  /** Bound on every (re)connect; bindings are only added, never removed. */
  readonly bindings: readonly QueueBinding[];
  /** Validates one decoded JSON body; a throw makes that message poison (straight to `.dead`). */
  readonly parse: (raw: unknown) => T;
  /** Up to `maxSize` messages per handler call. Default: one by one. */
  readonly batch?: BatchOptions;
  /**
   * Unacked messages held at once; never below the configured floor (AMQP_PREFETCH). Default:
   * room for two batches, so the broker sends the next batch while one is being handled.
   */
  readonly prefetch?: number;
  /** Backoff before attempt 2, 3…; default the connection's (MessagingModule's). */
  readonly retryDelaysMs?: readonly number[];
  /** Attempts before dead-lettering; default AMQP_MAX_DELIVERIES. */
  readonly maxAttempts?: number;
  /** See `ConsumeOptions.splitFailedBatches`: false (or false for an error) retries a batch whole. */
  readonly splitFailedBatches?: boolean | ((error: unknown) => boolean);
}

/** Type-checks the extras of `@EventPattern(name, consumerPattern({...}))`. */
export function consumerPattern<T>(pattern: ConsumerPattern<T>): ConsumerPattern<T> {
  return pattern;
}

/**
 * What a handler's `@Ctx()` is: the batch's messages as delivered (ids, correlation ids,
 * attempts, headers) and the pattern. `@Payload()` is their bodies, in the same order.
 */
export class AmqpBatchContext<T = unknown> extends BaseRpcContext<
  [readonly ConsumedMessage<T>[], string]
> {
  getMessages(): readonly ConsumedMessage<T>[] {
    return this.args[0];
  }

  getPattern(): string {
    return this.args[1];
  }
}

/**
 * Told about every batch a handler took (duration and size histograms, the batch log).
 * `correlationIds`: the request ids of the batch's messages that carry one.
 */
export interface BatchObserver {
  batch(
    pattern: string,
    size: number,
    durationMs: number,
    outcome: 'ok' | 'error',
    correlationIds?: readonly string[],
  ): void;
}

/** A started consumer as the transport keeps it (`ReliableConsumer`). */
export interface RunningConsumer {
  readonly queue: string;
  stop(timeoutMs?: number): Promise<void>;
  ready(timeoutMs?: number): Promise<void>;
  isConsuming(): boolean;
  stats(): ConsumerStats;
}

/** Creates started consumers with the configured defaults (`MessageConsumers`). */
export interface ConsumerFactory {
  readonly defaults: ConsumerDefaults;
  consume<T>(options: ConsumeOptions<T>): RunningConsumer;
}

/** Queue and exchange names as declared: the shop's own, or a test's prefixed copies. */
export interface QueueNaming {
  queue(name: string): string;
  exchange(name: string): string;
}

export const SHOP_QUEUE_NAMING: QueueNaming = { queue: (name) => name, exchange: (name) => name };

/** Names for `prefixedTopology(prefix)`, with the queues prefixed the same way. */
export function prefixedQueueNaming(prefix: string): QueueNaming {
  return { queue: (name) => `${prefix}.${name}`, exchange: (name) => `${prefix}.${name}` };
}

export interface ReliableTransportOptions {
  /**
   * The patterns this process consumes (`--only`); default every handler's. A name no handler
   * has fails `listen`, so a typo does not leave a queue without a consumer unnoticed.
   */
  readonly only?: readonly string[];
  readonly metrics?: ConsumerMetricsListener;
  readonly observer?: BatchObserver;
  readonly naming?: QueueNaming;
  readonly logger?: LoggerLike;
}

export interface ConsumerStatus {
  readonly pattern: string;
  readonly queue: string;
  readonly consuming: boolean;
  readonly stats: ConsumerStats;
}

interface Running {
  readonly pattern: string;
  readonly queue: string;
  readonly consumer: RunningConsumer;
}

/**
 * Nest's microservice transport for the shop's RabbitMQ consumers, on `ReliableConsumer`: each
 * `@EventPattern(name, consumerPattern({ queue, bindings, parse, batch, ... }))` handler gets
 * its own quorum queue (with retry and dead-letter queues) and is called with a batch of
 * message bodies. The consumer acks a batch only after the handler's promise (or Observable)
 * has completed; a throw retries the batch (split message by message unless
 * `splitFailedBatches` says the error is an outage), a `PoisonMessageError` dead-letters at
 * once. Messages are plain JSON as published, with no Nest envelope.
 *
 * Event handlers only (nothing answers a request), one handler per pattern and per queue. Needs
 * `PassThroughRpcFilter` as the microservice's global filter (see `connectReliableTransport`):
 * Nest's default filter turns every error into a generic one, which would make poison and
 * outages look alike.
 */
export class ReliableTransport extends Server implements CustomTransportStrategy {
  private running: Running[] = [];
  private stopping: Promise<void> | undefined;
  private readonly naming: QueueNaming;
  private readonly log: LoggerLike;
  private listening!: () => void;
  private readonly listened = new Promise<void>((resolve) => (this.listening = resolve));

  constructor(
    private readonly consumers: ConsumerFactory,
    private readonly options: ReliableTransportOptions = {},
  ) {
    super();
    this.naming = options.naming ?? SHOP_QUEUE_NAMING;
    this.log = options.logger ?? defaultLogger('ReliableTransport');
  }

  /** Called by Nest for every `@EventPattern`; refuses what this transport cannot serve. */
  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler = false,
    extras: Record<string, unknown> = {},
  ): void {
    const route = this.normalizePattern(pattern as string);
    if (!isEventHandler) {
      throw new MessagingError(
        `${route}: @MessagePattern is not served by ReliableTransport (no replies); use @EventPattern`,
      );
    }
    if (this.messageHandlers.has(route)) {
      throw new MessagingError(
        `${route}: a second handler for the pattern; one handler per pattern (each has its own queue)`,
      );
    }
    const consumer = patternOf(route, extras);
    for (const [other, handler] of this.messageHandlers) {
      if (patternOf(other, handler.extras ?? {}).queue === consumer.queue) {
        throw new MessagingError(`${route}: queue ${consumer.queue} is already ${other}'s`);
      }
    }
    super.addHandler(route, callback, true, extras);
  }

  /** Starts one consumer per selected pattern; they connect (and reconnect) on their own. */
  listen(callback: (error?: unknown) => void): void {
    try {
      this.start();
    } catch (error) {
      callback(error);
      return;
    }
    callback();
  }

  /** Resolves once `listen` ran and every consumer is subscribed. */
  async ready(timeoutMs = 10_000): Promise<void> {
    if (!(await settleWithin(this.listened, timeoutMs))) {
      throw new MessagingError(`the transport was not started within ${timeoutMs} ms`);
    }
    await Promise.all(this.running.map(({ consumer }) => consumer.ready(timeoutMs)));
  }

  /** The consumers this process runs (empty before `listen`). */
  consumerStatus(): ConsumerStatus[] {
    return this.running.map(({ pattern, queue, consumer }) => ({
      pattern,
      queue,
      consuming: consumer.isConsuming(),
      stats: consumer.stats(),
    }));
  }

  /** The queues this process consumes. */
  queues(): string[] {
    return this.running.map(({ queue }) => queue);
  }

  /** Resolves while every consumer is subscribed; rejects naming the idle queues. */
  assertConsuming(): Promise<void> {
    const idle = this.consumerStatus().filter((consumer) => !consumer.consuming);
    return idle.length === 0
      ? Promise.resolve()
      : Promise.reject(
          new MessagingError(`not consuming: ${idle.map((consumer) => consumer.queue).join(', ')}`),
        );
  }

  /**
   * Graceful stop: every subscription is cancelled first (no new deliveries), then the batches
   * in flight are handled and acked, then the channels close. What is not done by the deadline
   * stays unacked and the broker hands it to another consumer. Idempotent.
   */
  stop(timeoutMs = 30_000): Promise<void> {
    this.stopping ??= (async () => {
      this._status$.next('closing');
      const running = this.running;
      await Promise.all(running.map(({ consumer }) => consumer.stop(timeoutMs)));
      for (const { pattern, consumer } of running) {
        const stats = consumer.stats();
        this.log.log(
          `consumer ${pattern} stopped: ${stats.processed} processed, ${stats.retried} retried, ` +
            `${stats.deadLettered} dead-lettered`,
        );
      }
      this._status$.next('closed');
    })();
    return this.stopping;
  }

  close(): Promise<void> {
    return this.stop();
  }

  /** No transport events to subscribe to: the consumers report through their logger and metrics. */
  on(): void {
    throw new MessagingError('ReliableTransport has no events; see status() and the metrics');
  }

  unwrap<T>(): T {
    return this.running.map(({ consumer }) => consumer) as T;
  }

  private start(): void {
    if (this.running.length > 0 || this.stopping) return;
    const known = [...this.messageHandlers.keys()];
    const unknown = (this.options.only ?? []).filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      throw new MessagingError(
        `no handler for ${unknown.join(', ')} (handlers: ${known.join(', ') || 'none'})`,
      );
    }
    const selected = this.options.only ? new Set(this.options.only) : undefined;
    for (const [pattern, handler] of this.messageHandlers) {
      if (selected && !selected.has(pattern)) continue;
      this.running.push(this.consume(pattern, handler));
    }
    this._status$.next('listening');
    this.listening();
  }

  private consume(pattern: string, handler: MessageHandler): Running {
    const spec = patternOf(pattern, handler.extras ?? {});
    const queue = this.naming.queue(spec.queue);
    const batch = spec.batch ?? { maxSize: 1, maxWaitMs: 0 };
    const prefetch = Math.max(this.consumers.defaults.prefetch, spec.prefetch ?? 2 * batch.maxSize);
    const consumer = this.consumers.consume<unknown>({
      queue,
      bindings: spec.bindings.map((binding) => ({
        exchange: this.naming.exchange(binding.exchange),
        routingKey: binding.routingKey,
      })),
      parse: spec.parse,
      batch,
      prefetch,
      maxAttempts: spec.maxAttempts,
      retryDelaysMs: spec.retryDelaysMs,
      splitFailedBatches: spec.splitFailedBatches,
      metrics: this.options.metrics,
      handle: (messages) => this.dispatch(pattern, handler, messages),
    });
    this.log.log(
      `consumer ${pattern} on ${queue} (prefetch ${prefetch}, ` +
        `batches of up to ${batch.maxSize} / ${batch.maxWaitMs} ms)`,
    );
    return { pattern, queue, consumer };
  }

  /** Calls the handler through Nest (pipes, interceptors, filters) and waits for its outcome. */
  private async dispatch(
    pattern: string,
    handler: MessageHandler,
    messages: ConsumedMessage<unknown>[],
  ): Promise<void> {
    const started = Date.now();
    const context = new AmqpBatchContext<unknown>([messages, pattern]);
    const report = (outcome: 'ok' | 'error'): void => {
      const correlationIds = messages.flatMap((message) =>
        message.correlationId ? [message.correlationId] : [],
      );
      this.options.observer?.batch(
        pattern,
        messages.length,
        Date.now() - started,
        outcome,
        correlationIds,
      );
    };
    try {
      // Nest's proxy returns the method's value, or an Observable (the method's own, or the
      // exception filter's error): either way the batch is done only when it completes.
      const result: unknown = await handler(
        messages.map((message) => message.body),
        context,
      );
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    } catch (error) {
      report('error');
      throw error;
    }
    report('ok');
  }
}

/**
 * The microservice's global filter: hands a handler's error to the transport as thrown. Nest's
 * default RPC filter replaces anything but an `RpcException` with `{ status: 'error', message:
 * 'Internal server error' }`, and the transport could no longer tell poison from an outage.
 */
@Catch()
export class PassThroughRpcFilter implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/** The consumer settings in a handler's extras, checked (a decorator's argument is untyped). */
function patternOf(route: string, extras: Record<string, unknown>): ConsumerPattern<unknown> {
  const { queue, bindings, parse } = extras;
  if (typeof queue !== 'string' || queue === '') {
    throw new MessagingError(`${route}: its @EventPattern extras name no queue`);
  }
  if (!Array.isArray(bindings)) {
    throw new MessagingError(`${route}: its @EventPattern extras have no bindings`);
  }
  if (typeof parse !== 'function') {
    throw new MessagingError(`${route}: its @EventPattern extras have no parse function`);
  }
  return extras as unknown as ConsumerPattern<unknown>;
}

/**
 * Connects `transport` to an HTTP app as its microservice (a hybrid app: health and metrics over
 * HTTP, consumers over AMQP), with `PassThroughRpcFilter` and none of the HTTP app's global
 * filters or pipes. Start it with `app.startAllMicroservices()`.
 */
export function connectReliableTransport(
  app: INestApplication,
  transport: ReliableTransport,
): INestMicroservice {
  const microservice = app.connectMicroservice<MicroserviceOptions>(
    { strategy: transport },
    { inheritAppConfig: false },
  );
  microservice.useGlobalFilters(new PassThroughRpcFilter());
  return microservice;
}
