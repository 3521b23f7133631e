import type { OnApplicationShutdown } from '@nestjs/common';
import { connect, type AmqpConnectionManager } from 'amqp-connection-manager';
import type { ChannelModel } from 'amqplib';
import { errorMessage, settleWithin, withTimeout, type LoggerLike } from '@shop/common';
import { MessagingError } from './errors';
import { defaultLogger } from './logger';
import {
  ManagedChannel,
  type ChannelModelSource,
  type ManagedChannelOptions,
} from './managed-channel';
import { SHOP_TOPOLOGY, type MessagingTopology } from './topology';

export interface AmqpConnectionOptions {
  /**
   * `amqp://user:pass@host:port/vhost`, or the nodes of a RabbitMQ cluster (`ShopConfig.AMQP_URL`):
   * the first that answers is used, and after a lost connection the next one in turn.
   */
  readonly url: string | readonly string[];
  /** Shown as the connection name in RabbitMQ (`rabbitmqctl list_connections name client_properties`). */
  readonly name?: string;
  /** Default 10. A dead broker is noticed after about twice this. */
  readonly heartbeatSeconds?: number;
  /** Pause between reconnect attempts. Default 2. */
  readonly reconnectSeconds?: number;
  /** TCP connect timeout. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** Exchange names; tests pass `prefixedTopology(...)`. Default `SHOP_TOPOLOGY`. */
  readonly topology?: MessagingTopology;
  readonly logger?: LoggerLike;
}

/**
 * The one AMQP connection of a process. amqp-connection-manager keeps it up (reconnects forever,
 * with heartbeats); channels are opened on it by `ManagedChannel`, which reopens them after a
 * reconnect or a channel error.
 */
export class AmqpConnection implements ChannelModelSource, OnApplicationShutdown {
  readonly topology: MessagingTopology;
  readonly manager: AmqpConnectionManager;
  private readonly logger: LoggerLike;
  private closing: Promise<void> | undefined;
  private blocked = false;
  private failedAttempts = 0;
  private readonly channels = new Set<ManagedChannel>();
  private readonly connectListeners = new Set<() => void>();

  constructor(options: AmqpConnectionOptions) {
    this.topology = options.topology ?? SHOP_TOPOLOGY;
    this.logger = options.logger ?? defaultLogger('AmqpConnection');
    const name = options.name ?? 'shop';
    const urls = typeof options.url === 'string' ? [options.url] : [...options.url];
    if (urls.length === 0) throw new MessagingError('no AMQP URL to connect to');
    const target = urls.map(redact).join(', ');
    this.manager = connect(
      urls.map((url) => ({
        url,
        connectionOptions: {
          timeout: options.connectTimeoutMs ?? 5_000,
          clientProperties: { connection_name: name },
        },
      })),
      {
        heartbeatIntervalInSeconds: options.heartbeatSeconds ?? 10,
        reconnectTimeInSeconds: options.reconnectSeconds ?? 2,
      },
    );
    // The node an event is about (amqp-connection-manager names the URL it tried).
    const nodeOf = (url: unknown): string => (typeof url === 'string' ? redact(url) : target);
    let connectedTo = target;
    this.manager.on('connect', ({ url }: { url: unknown }) => {
      this.failedAttempts = 0;
      this.blocked = false;
      connectedTo = nodeOf(url);
      this.logger.log(`connected to ${connectedTo} as "${name}"`);
      for (const listener of [...this.connectListeners]) {
        listener();
      }
    });
    this.manager.on('disconnect', ({ err }: { err?: Error }) => {
      this.logger.warn(`disconnected from ${connectedTo}: ${err ? errorMessage(err) : 'closed'}`);
    });
    this.manager.on('connectFailed', ({ err, url }: { err: Error; url: unknown }) => {
      this.failedAttempts += 1;
      // Loud once, then quiet while the broker stays down.
      const message = `cannot connect to ${nodeOf(url)} (attempt ${this.failedAttempts}): ${errorMessage(err)}`;
      if (this.failedAttempts === 1 || this.failedAttempts % 30 === 0) {
        this.logger.warn(message);
      } else {
        this.logger.debug?.(message);
      }
    });
    this.manager.on('blocked', ({ reason }: { reason: string }) => {
      this.blocked = true;
      this.logger.warn(`broker blocked the connection: ${reason}`);
    });
    this.manager.on('unblocked', () => {
      this.blocked = false;
      this.logger.log('broker unblocked the connection');
    });
  }

  /** For health checks: a live connection to the broker right now. */
  isConnected(): boolean {
    return !this.closing && this.manager.isConnected();
  }

  /** The broker refuses publishes (memory or disk alarm); publishing now would hang. */
  isBlocked(): boolean {
    return this.blocked;
  }

  currentModel(): ChannelModel | undefined {
    return this.closing ? undefined : this.manager.connection;
  }

  onConnect(listener: () => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  /** Resolves once connected; rejects after `timeoutMs` (the connection keeps trying). */
  async waitForConnect(timeoutMs = 10_000): Promise<void> {
    if (this.isConnected()) {
      return;
    }
    if (this.closing) {
      throw new MessagingError('connection is closed');
    }
    let unsubscribe = (): void => undefined;
    const connected = new Promise<void>((resolve) => {
      unsubscribe = this.onConnect(() => resolve());
    });
    try {
      await withTimeout(
        connected,
        timeoutMs,
        () => new MessagingError(`no connection to the broker within ${timeoutMs} ms`),
      );
    } finally {
      unsubscribe();
    }
  }

  /** A confirm channel on this connection that reopens itself; call `start()` on it. */
  createChannel(options: ManagedChannelOptions): ManagedChannel {
    if (this.closing) {
      throw new MessagingError('connection is closed');
    }
    const channel = new ManagedChannel(this, options, this.logger);
    this.channels.add(channel);
    return channel;
  }

  /** Closes every channel opened through `createChannel`, then the connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.channels].map((channel) => channel.close()));
      this.channels.clear();
      const closed = this.manager.close().catch((error: unknown) => {
        this.logger.warn(`closing the connection: ${errorMessage(error)}`);
      });
      // A connection whose socket died unnoticed never answers close-ok: bounded wait.
      if (!(await settleWithin(closed, 5_000))) {
        this.logger.warn('connection did not close cleanly within 5 s; abandoning it');
      }
      this.connectListeners.clear();
      this.logger.log('connection closed');
    })();
    return this.closing;
  }

  /**
   * After every module's onModuleDestroy (consumers drain there) and beforeApplicationShutdown
   * (the publisher closes there), so nothing in flight loses its channel early.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      parsed.password = '***';
    }
    return parsed.toString();
  } catch {
    return '<invalid AMQP URL>';
  }
}
