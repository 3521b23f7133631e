import type { ConsumeMessage } from 'amqplib';
import { STOCK_EXCHANGE, StockRoutingKey } from '@shop/contracts';
import type { LoggerLike } from '@shop/common';
import { MessagingError, type AmqpConnection } from '@shop/messaging';
import type { LiveStockMessage } from './live-protocol';
import { parseStockUpdate } from './stock-update';

type FanoutChannel = ReturnType<AmqpConnection['createChannel']>;

export interface StockFanoutOptions {
  /** Every valid change, in delivery order (not necessarily version order). */
  readonly onChange: (message: LiveStockMessage) => void;
  /**
   * Called when the queue is declared again after a lost channel or connection (a broker
   * restart): changes published in between never reached this process, so figures watched here
   * must be read again.
   */
  readonly onResubscribed?: () => void;
  /** A message that is not a stock change was dropped. */
  readonly onInvalid?: () => void;
  /** Default `stock`; tests pass a throwaway exchange. */
  readonly exchange?: string;
  readonly logger: LoggerLike;
}

/**
 * Every stock change, to every gateway process. Unlike the sync workers, which compete on their
 * durable queues, each gateway declares its own exclusive, auto-delete, server-named queue bound
 * to `stock` with key `info` (the one-queue-per-node fan-out of cloudstagram's thumper.js): the
 * broker copies each change to every process, and the queue disappears with the process. No
 * acks, retries or dead letters: a lost change is healed by the next version, and by reading the
 * figures again when the queue is declared anew (`onResubscribed`) and when a browser subscribes.
 * The channel is an AmqpConnection one, so after a broker restart it reconnects and declares the
 * queue again by itself.
 */
export class StockFanout {
  private channel: FanoutChannel | undefined;
  private queue: string | undefined;
  private readonly exchange: string;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: StockFanoutOptions,
  ) {
    this.exchange = options.exchange ?? STOCK_EXCHANGE;
  }

  start(): void {
    if (this.channel) return;
    const channel = this.connection.createChannel({
      name: 'live-stock-fanout',
      setup: async (ch) => {
        // The exchange as every publisher declares it (direct, durable), so the gateway may start
        // before anything was ever published.
        await ch.assertExchange(this.exchange, 'direct', { durable: true });
        const { queue } = await ch.assertQueue('', {
          exclusive: true,
          autoDelete: true,
          durable: false,
        });
        await ch.bindQueue(queue, this.exchange, StockRoutingKey.Info);
        await ch.consume(queue, (message) => this.receive(message), { noAck: true });
        this.queue = queue;
      },
    });
    channel.onOpen((_ch, generation) => {
      this.options.logger.log(
        `consuming ${this.exchange}/${StockRoutingKey.Info} on ${this.queue}`,
      );
      if (generation > 1) this.options.onResubscribed?.();
    });
    channel.onLost(() => {
      this.queue = undefined;
    });
    this.channel = channel;
    channel.start();
  }

  /** The server-named queue consumed now; undefined while there is none. */
  get queueName(): string | undefined {
    return this.channel?.channel ? this.queue : undefined;
  }

  isConsuming(): boolean {
    return this.queueName !== undefined;
  }

  /** For health checks: rejects with a MessagingError while no queue is consumed. */
  assertConsuming(): Promise<void> {
    return this.isConsuming()
      ? Promise.resolve()
      : Promise.reject(new MessagingError('no stock queue consumed (broker away?)'));
  }

  /** Resolves once the queue is bound and consumed. */
  async ready(timeoutMs = 10_000): Promise<void> {
    if (!this.channel) throw new Error('StockFanout.start() was not called');
    await this.channel.ready(timeoutMs);
  }

  async stop(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close();
  }

  private receive(message: ConsumeMessage | null): void {
    if (!message) {
      // The broker cancelled the consumer (its queue was deleted): a fresh channel declares a
      // new queue.
      this.channel?.recycle('consumer cancelled by the broker');
      return;
    }
    const update = parseStockUpdate(message.content);
    if (!update) {
      this.options.onInvalid?.();
      return;
    }
    this.options.onChange(update);
  }
}
