import type { LiveServerMessage, LiveStockMessage } from './live-protocol';

/** The part of a `ws` WebSocket a connection writes to. */
export interface LiveSocket {
  send(text: string): void;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
  /** Drops the connection at once (the client reconnects and subscribes again). */
  terminate(): void;
}

/** A client this far behind is cut off rather than buffered for without bound. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * One browser connection: sends the server's messages and never a stock figure older than one it
 * already sent for that product (a subscribe's read and a change from the exchange can cross).
 */
export class LiveConnection {
  private readonly sentVersions = new Map<number, number>();
  private closed = false;

  constructor(
    readonly socket: LiveSocket,
    private readonly maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES,
  ) {}

  /** Sends `message` unless this client has its version or a newer one; true when sent. */
  offer(message: LiveStockMessage): boolean {
    const sent = this.sentVersions.get(message.id);
    if (sent !== undefined && message.version <= sent) return false;
    if (!this.send(message)) return false;
    this.sentVersions.set(message.id, message.version);
    return true;
  }

  /** Forget what was sent for `ids`, so a later subscribe answers with the figure again. */
  forget(ids: readonly number[]): void {
    for (const id of ids) this.sentVersions.delete(id);
  }

  send(message: LiveServerMessage): boolean {
    if (this.closed) return false;
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      // A client that does not read (or a link too slow for the rate) would make the gateway
      // hold its backlog in memory; dropped, it reconnects and gets current figures instead.
      this.closed = true;
      this.socket.terminate();
      return false;
    }
    this.socket.send(JSON.stringify(message));
    return true;
  }

  markClosed(): void {
    this.closed = true;
  }
}
