import type { ConsumerStats } from '@shop/messaging';
import { SILENT_LOGGER, type LoggerLike } from '@shop/common';
import type {
  ConsumerExtras,
  ConsumerFactory,
  RunningConsumer,
  SyncConsumerSpec,
} from './sync-consumers';
import type { SyncConsumerName } from './sync-roles';

export interface SyncConsumerStatus {
  readonly name: SyncConsumerName;
  readonly queue: string;
  readonly consuming: boolean;
  readonly stats: ConsumerStats;
}

/**
 * Starts the selected consumers of one worker process and stops them gracefully: stop() cancels
 * every subscription first (no new deliveries), then waits for the batches in flight to be
 * handled and acked, then closes the channels. What is not done by the deadline is left unacked,
 * and the broker hands it to another worker.
 */
export class SyncConsumerRunner {
  private running: { spec: SyncConsumerSpec; consumer: RunningConsumer }[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly factory: ConsumerFactory,
    readonly specs: readonly SyncConsumerSpec[],
    private readonly extras: ConsumerExtras = {},
    private readonly logger: LoggerLike = SILENT_LOGGER,
  ) {}

  /** Idempotent. Consumers connect (and reconnect) on their own; see `ready`. */
  start(): void {
    if (this.running.length > 0 || this.stopping) return;
    this.running = this.specs.map((spec) => ({
      spec,
      consumer: spec.start(this.factory, this.extras),
    }));
    for (const { spec } of this.running) {
      this.logger.log(
        `consumer ${spec.name} on ${spec.queue} (prefetch ${spec.prefetch}, ` +
          `batches of up to ${spec.batch.maxSize} / ${spec.batch.maxWaitMs} ms)`,
      );
    }
  }

  /** Resolves once every consumer is subscribed. */
  async ready(timeoutMs = 10_000): Promise<void> {
    await Promise.all(this.running.map(({ consumer }) => consumer.ready(timeoutMs)));
  }

  status(): SyncConsumerStatus[] {
    return this.running.map(({ spec, consumer }) => ({
      name: spec.name,
      queue: spec.queue,
      consuming: consumer.isConsuming(),
      stats: consumer.stats(),
    }));
  }

  /** All running consumers are subscribed (true when none are selected). */
  allConsuming(): boolean {
    return this.running.every(({ consumer }) => consumer.isConsuming());
  }

  /** Resolves while every consumer is subscribed; rejects naming the idle queues. */
  assertConsuming(): Promise<void> {
    const idle = this.status().filter((consumer) => !consumer.consuming);
    return idle.length === 0
      ? Promise.resolve()
      : Promise.reject(
          new Error(`not consuming: ${idle.map((consumer) => consumer.queue).join(', ')}`),
        );
  }

  stop(timeoutMs = 30_000): Promise<void> {
    this.stopping ??= (async () => {
      const running = this.running;
      await Promise.all(running.map(({ consumer }) => consumer.stop(timeoutMs)));
      for (const { spec, consumer } of running) {
        const stats = consumer.stats();
        this.logger.log(
          `consumer ${spec.name} stopped: ${stats.processed} processed, ${stats.retried} retried, ` +
            `${stats.deadLettered} dead-lettered`,
        );
      }
    })();
    return this.stopping;
  }
}
