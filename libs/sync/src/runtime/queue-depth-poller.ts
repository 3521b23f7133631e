import {
  DEFAULT_RETRY_DELAYS_MS,
  deadLetterQueueName,
  normalizeRetryDelays,
  retryQueueName,
} from '@shop/messaging';
import type { Channel, ChannelModel } from 'amqplib';
import { errorMessage, SILENT_LOGGER, type LoggerLike } from '@shop/common';

/** One consuming queue's backlog as the broker reports it. */
export interface QueueDepth {
  readonly queue: string;
  /** Ready in the main queue: the consumers' lag. */
  readonly ready: number;
  /** Waiting in the retry queues. */
  readonly retrying: number;
  /** In `<queue>.dead`. */
  readonly dead: number;
  /** Subscribed consumers, over every worker process. */
  readonly consumers: number;
}

export interface QueueDepthPollerOptions {
  readonly intervalMs?: number;
  /** The retry delays the consumers were declared with (their retry queue names). */
  readonly retryDelaysMs?: readonly number[];
  readonly logger?: LoggerLike;
}

/**
 * Polls the broker (passive `checkQueue`) for each queue's backlog, for the lag gauges. Uses a
 * channel of its own: asking about a queue that does not exist yet closes the channel, which must
 * not hurt a consumer.
 */
export class QueueDepthPoller {
  private timer: ReturnType<typeof setInterval> | undefined;
  private channel: Channel | undefined;
  private polling: Promise<void> | undefined;
  private readonly intervalMs: number;
  private readonly retryDelaysMs: number[];
  private readonly logger: LoggerLike;

  constructor(
    private readonly connection: { currentModel(): ChannelModel | undefined },
    private readonly queues: readonly string[],
    private readonly onDepth: (depth: QueueDepth) => void,
    options: QueueDepthPollerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5000;
    this.retryDelaysMs = normalizeRetryDelays(options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS);
    this.logger = options.logger ?? SILENT_LOGGER;
  }

  start(): void {
    if (this.timer || this.queues.length === 0) return;
    this.timer = setInterval(() => void this.pollOnce(), this.intervalMs);
    this.timer.unref?.();
    void this.pollOnce();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    await this.channel?.close().catch(() => undefined);
    this.channel = undefined;
  }

  /** Reads every queue's depth once and reports it; queues that do not exist are skipped. */
  pollOnce(): Promise<void> {
    this.polling ??= this.poll().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async poll(): Promise<void> {
    for (const queue of this.queues) {
      const main = await this.check(queue);
      if (!main) continue;
      let retrying = 0;
      for (const delay of this.retryDelaysMs) {
        retrying += (await this.check(retryQueueName(queue, delay)))?.messageCount ?? 0;
      }
      const dead = (await this.check(deadLetterQueueName(queue)))?.messageCount ?? 0;
      this.onDepth({
        queue,
        ready: main.messageCount,
        retrying,
        dead,
        consumers: main.consumerCount,
      });
    }
  }

  private async check(
    queue: string,
  ): Promise<{ messageCount: number; consumerCount: number } | undefined> {
    try {
      const channel = await this.openChannel();
      if (!channel) return undefined;
      return await channel.checkQueue(queue);
    } catch (error) {
      // A missing queue closes the channel: open a new one for the next question.
      this.channel = undefined;
      this.logger.debug?.(`cannot read the depth of ${queue}: ${errorMessage(error)}`);
      return undefined;
    }
  }

  private async openChannel(): Promise<Channel | undefined> {
    if (this.channel) return this.channel;
    const model = this.connection.currentModel();
    if (!model) return undefined;
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
    });
    this.channel = channel;
    return channel;
  }
}
