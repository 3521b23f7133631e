import type { OnModuleDestroy } from '@nestjs/common';
import type { LoggerLike } from '@shop/common';
import { defaultLogger } from './logger';
import {
  ReliableConsumer,
  type ConsumeOptions,
  type ConsumerChannelSource,
  type ConsumerDefaults,
} from './reliable-consumer';

/**
 * Creates started `ReliableConsumer`s with the configured defaults (prefetch, attempts) and
 * stops the ones still running when the module is destroyed. Apps that need a precise shutdown
 * order call `consumer.stop()` themselves first (it is idempotent).
 */
export class MessageConsumers implements OnModuleDestroy {
  private readonly running = new Set<{ stop(timeoutMs?: number): Promise<void> }>();

  constructor(
    private readonly source: ConsumerChannelSource,
    readonly defaults: ConsumerDefaults,
    private readonly logger?: LoggerLike,
  ) {}

  consume<T>(options: ConsumeOptions<T>): ReliableConsumer<T> {
    const consumer = new ReliableConsumer<T>(
      this.source,
      options,
      this.defaults,
      this.logger ?? defaultLogger(`Consumer ${options.queue}`),
    );
    this.running.add(consumer);
    return consumer.start();
  }

  async stopAll(timeoutMs?: number): Promise<void> {
    const consumers = [...this.running];
    this.running.clear();
    await Promise.all(consumers.map((consumer) => consumer.stop(timeoutMs)));
  }

  async onModuleDestroy(): Promise<void> {
    await this.stopAll();
  }
}
