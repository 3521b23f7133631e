import type { ChannelModel, ConfirmChannel } from 'amqplib';
import {
  backoffDelay,
  errorMessage,
  settleWithin,
  withTimeout,
  type LoggerLike,
} from '@shop/common';
import { MessagingError } from './errors';

export interface ManagedChannelOptions {
  /** For logs. */
  readonly name: string;
  /** Runs on every fresh channel before it is handed out (declare topology, prefetch, consume). */
  readonly setup?: (channel: ConfirmChannel) => Promise<void>;
  /** First delay before reopening a lost channel; doubles on consecutive failures, up to 30 s. */
  readonly reopenDelayMs?: number;
}

/** What a `ManagedChannel` needs from the connection; `AmqpConnection` provides it. */
export interface ChannelModelSource {
  currentModel(): ChannelModel | undefined;
  onConnect(listener: () => void): () => void;
}

/** A confirm channel that reopens itself; the seam the publisher and consumer are built on. */
export interface ConfirmChannelHandle {
  /** The open, set-up channel, or undefined while there is none. */
  readonly channel: ConfirmChannel | undefined;
  /** Bumped on every new channel: delivery tags of an older generation are void. */
  readonly generation: number;
  start(): void;
  ready(timeoutMs?: number): Promise<ConfirmChannel>;
  onOpen(listener: (channel: ConfirmChannel, generation: number) => void): () => void;
  onLost(listener: (generation: number) => void): () => void;
  /** Closes the current channel so that a fresh one is opened and set up again. */
  recycle(reason: string): void;
  close(): Promise<void>;
}

const MAX_REOPEN_DELAY_MS = 30_000;
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * amqp-connection-manager's own ChannelWrapper is not used: it never reopens a channel the broker
 * closed while the connection stayed up (one publish to a missing exchange leaves it dead until
 * the next reconnect: jwalton/node-amqp-connection-manager#347), and it buffers publishes in
 * memory without bound while disconnected. This class keeps the manager's reconnecting
 * connection and owns the channel: reopened after any close, setup rerun every time.
 */
export class ManagedChannel implements ConfirmChannelHandle {
  private current: ConfirmChannel | undefined;
  private generationCounter = 0;
  private opening = false;
  private closed = false;
  private started = false;
  private failures = 0;
  private reopenTimer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribeConnect: (() => void) | undefined;
  private readonly openListeners = new Set<(channel: ConfirmChannel, generation: number) => void>();
  private readonly lostListeners = new Set<(generation: number) => void>();

  constructor(
    private readonly source: ChannelModelSource,
    private readonly options: ManagedChannelOptions,
    private readonly logger: LoggerLike,
  ) {}

  get channel(): ConfirmChannel | undefined {
    return this.current;
  }

  get generation(): number {
    return this.generationCounter;
  }

  start(): void {
    if (this.started || this.closed) {
      return;
    }
    this.started = true;
    this.unsubscribeConnect = this.source.onConnect(() => void this.open());
    void this.open();
  }

  onOpen(listener: (channel: ConfirmChannel, generation: number) => void): () => void {
    this.openListeners.add(listener);
    return () => this.openListeners.delete(listener);
  }

  onLost(listener: (generation: number) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  ready(timeoutMs = 10_000): Promise<ConfirmChannel> {
    if (this.current) {
      return Promise.resolve(this.current);
    }
    if (this.closed) {
      return Promise.reject(new MessagingError(`channel ${this.options.name} is closed`));
    }
    let unsubscribe = (): void => undefined;
    const opened = new Promise<ConfirmChannel>((resolve) => {
      unsubscribe = this.onOpen(resolve);
    });
    return withTimeout(
      opened,
      timeoutMs,
      () => new MessagingError(`channel ${this.options.name} not open within ${timeoutMs} ms`),
    ).finally(unsubscribe);
  }

  recycle(reason: string): void {
    const channel = this.current;
    if (!channel) {
      return;
    }
    this.logger.warn(`channel ${this.options.name}: reopening (${reason})`);
    channel.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.unsubscribeConnect?.();
    if (this.reopenTimer) {
      clearTimeout(this.reopenTimer);
      this.reopenTimer = undefined;
    }
    const channel = this.current;
    if (channel) {
      this.markLost(channel);
      // On a dead socket the close-ok never comes; do not hang a shutdown on it.
      await settleWithin(channel.close(), CLOSE_TIMEOUT_MS);
    }
  }

  private async open(): Promise<void> {
    if (this.closed || this.opening || this.current) {
      return;
    }
    const model = this.source.currentModel();
    if (!model) {
      return; // the connection's next 'connect' calls us again
    }
    this.opening = true;
    let channel: ConfirmChannel | undefined;
    let open = true;
    try {
      channel = await model.createConfirmChannel();
      const created = channel;
      created.on('error', (error: Error) =>
        this.logger.warn(`channel ${this.options.name}: ${error.message}`),
      );
      created.on('close', () => {
        open = false;
        this.onClose(created);
      });
      if (this.options.setup) {
        await this.options.setup(created);
      }
      if (!open) {
        throw new MessagingError('channel closed during setup');
      }
      if (this.closed) {
        await created.close().catch(() => undefined);
        return;
      }
      this.current = created;
      this.generationCounter += 1;
      this.failures = 0;
      this.logger.debug?.(`channel ${this.options.name}: open (#${this.generationCounter})`);
      for (const listener of [...this.openListeners]) {
        listener(created, this.generationCounter);
      }
    } catch (error) {
      this.failures += 1;
      this.logger.error(`channel ${this.options.name}: setup failed: ${errorMessage(error)}`);
      if (channel && open) {
        await channel.close().catch(() => undefined);
      }
      this.scheduleReopen();
    } finally {
      this.opening = false;
    }
  }

  private onClose(channel: ConfirmChannel): void {
    if (this.current === channel) {
      this.markLost(channel);
      if (!this.closed) {
        this.logger.warn(`channel ${this.options.name}: closed, will reopen`);
      }
    }
    this.scheduleReopen();
  }

  private markLost(channel: ConfirmChannel): void {
    if (this.current !== channel) {
      return;
    }
    this.current = undefined;
    for (const listener of [...this.lostListeners]) {
      listener(this.generationCounter);
    }
  }

  private scheduleReopen(): void {
    if (this.closed || this.reopenTimer) {
      return;
    }
    const delay = backoffDelay(this.failures, {
      initialMs: this.options.reopenDelayMs ?? 1_000,
      maxMs: MAX_REOPEN_DELAY_MS,
    });
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      void this.open();
    }, delay);
  }
}
