import type { StockLevel } from '@shop/contracts';
import { errorMessage, type LoggerLike } from '@shop/common';
import { LiveConnection } from './live-connection';
import {
  LiveProtocolError,
  parseLiveClientMessage,
  stockMessageOf,
  type LiveStockMessage,
} from './live-protocol';
import { LiveSubscriptions } from './live-subscriptions';
import { DEFAULT_COALESCE_WINDOW_MS, StockCoalescer } from './stock-coalescer';

/** Reads current figures, aligned with `ids` (null: no such product); e.g. StockLedger.getMany. */
export type StockLevelReader = (ids: readonly number[]) => Promise<(StockLevel | null)[]>;

/** Most ids in one read of the reader (the ledger takes up to 1,000). */
const READ_CHUNK = 1000;

export interface LiveHubOptions {
  readonly readLevels: StockLevelReader;
  readonly logger: LoggerLike;
  readonly coalesceWindowMs?: number;
  /** Called with every stock message sent to a client (for metrics). */
  readonly onSent?: (count: number) => void;
}

/**
 * The gateway's logic without sockets or Nest: client messages in, stock figures out.
 * Subscribing answers with each product's current figure (read now), then changes from the
 * exchange follow, coalesced per product (StockCoalescer) once for all clients of the process.
 */
export class LiveHub {
  readonly subscriptions = new LiveSubscriptions<LiveConnection>();
  private readonly coalescer: StockCoalescer;

  constructor(private readonly options: LiveHubOptions) {
    this.coalescer = new StockCoalescer(
      (message) => this.deliver(message),
      options.coalesceWindowMs ?? DEFAULT_COALESCE_WINDOW_MS,
    );
  }

  /** A change from the exchange. */
  receive(change: LiveStockMessage): void {
    // Nobody here watches it: no window, no memory.
    if (this.subscriptions.clientsOf(change.id).size === 0) return;
    this.coalescer.push(change);
  }

  /** One text frame from a client; answers on the same connection, never throws. */
  async handleText(connection: LiveConnection, text: string): Promise<void> {
    try {
      const message = parseLiveClientMessage(text);
      if (message.type === 'subscribe') {
        const ids = this.subscriptions.subscribe(connection, message.products);
        await this.sendCurrent(connection, ids);
      } else {
        this.unsubscribe(connection, message.products);
      }
    } catch (error) {
      if (!(error instanceof LiveProtocolError)) {
        this.options.logger.warn(`live: ${errorMessage(error)}`);
      }
      const message =
        error instanceof LiveProtocolError
          ? error.message
          : 'current stock figures are unavailable right now; changes will still be sent';
      connection.send({ type: 'error', message });
    }
  }

  disconnect(connection: LiveConnection): void {
    connection.markClosed();
    for (const id of this.subscriptions.remove(connection)) this.coalescer.forget(id);
  }

  /**
   * Reads every watched product again and sends what is newer than what each client has: after
   * the exchange queue was declared anew, changes made in between reached no one.
   */
  async refreshAll(): Promise<void> {
    const ids = this.subscriptions.watchedProducts();
    for (let start = 0; start < ids.length; start += READ_CHUNK) {
      const levels = await this.options.readLevels(ids.slice(start, start + READ_CHUNK));
      for (const level of levels) {
        if (level) this.deliver(stockMessageOf(level));
      }
    }
  }

  close(): void {
    this.coalescer.close();
  }

  private unsubscribe(connection: LiveConnection, ids: readonly number[]): void {
    connection.forget(ids);
    for (const id of this.subscriptions.unsubscribe(connection, ids)) this.coalescer.forget(id);
  }

  private async sendCurrent(connection: LiveConnection, ids: readonly number[]): Promise<void> {
    const levels = await this.options.readLevels(ids);
    const unknown: number[] = [];
    let sent = 0;
    levels.forEach((level, index) => {
      if (level) {
        if (connection.offer(stockMessageOf(level))) sent += 1;
      } else {
        unknown.push(ids[index]);
      }
    });
    this.options.onSent?.(sent);
    if (unknown.length > 0) {
      // Not watched: a product that does not exist never changes, and would hold a slot.
      this.unsubscribe(connection, unknown);
      connection.send({ type: 'error', message: `unknown products: ${unknown.join(', ')}` });
    }
  }

  private deliver(message: LiveStockMessage): void {
    let sent = 0;
    for (const connection of this.subscriptions.clientsOf(message.id)) {
      if (connection.offer(message)) sent += 1;
    }
    if (sent > 0) this.options.onSent?.(sent);
  }
}
