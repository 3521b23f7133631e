import WebSocket from 'ws';
import { eventually } from './eventually';

export interface LiveStock {
  type: 'stock';
  id: number;
  stock: number;
  version: number;
  at: string;
}
export interface LiveError {
  type: 'error';
  message: string;
}
export type LiveMessage = LiveStock | LiveError;

/**
 * A browser's side of ws://<front>/live with the plain `ws` package, as the issue describes it: it
 * keeps the highest version per product and ignores older ones, and with `reconnect` it opens a
 * new socket when the one it had closes (to the next of `urls`, round robin) and subscribes again.
 */
export class LiveTestClient {
  /** Every message received, in order, over all sockets. */
  readonly messages: LiveMessage[] = [];
  /** Newest figure per product. */
  readonly figures = new Map<number, LiveStock>();
  /** What the gateway sent that the protocol does not allow. */
  readonly violations: string[] = [];
  private socket: WebSocket | undefined;
  private readonly subscribed = new Set<number>();
  private urlIndex = 0;
  private closing = false;
  connections = 0;

  constructor(
    private readonly urls: readonly string[],
    private readonly options: { reconnect?: boolean } = {},
  ) {}

  async open(): Promise<this> {
    const url = this.urls[this.urlIndex % this.urls.length];
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.on('message', (data, isBinary) => {
      if (isBinary || !Buffer.isBuffer(data)) {
        this.violations.push('a binary frame');
        return;
      }
      const message = JSON.parse(data.toString('utf8')) as LiveMessage;
      this.messages.push(message);
      if (message.type === 'stock') {
        const known = this.figures.get(message.id);
        if (!known || message.version > known.version) this.figures.set(message.id, message);
      }
    });
    socket.on('error', () => undefined); // 'close' follows; the reconnect handles it
    socket.on('close', () => {
      if (this.closing || !this.options.reconnect || this.socket !== socket) return;
      this.urlIndex += 1;
      // A browser would back off; a short pause keeps a test quick without spinning.
      setTimeout(() => void this.reopen(), 100);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    this.connections += 1;
    if (this.subscribed.size > 0)
      this.sendRaw({ type: 'subscribe', products: [...this.subscribed] });
    return this;
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  subscribe(products: number[]): void {
    for (const id of products) this.subscribed.add(id);
    this.sendRaw({ type: 'subscribe', products });
  }

  unsubscribe(products: number[]): void {
    for (const id of products) this.subscribed.delete(id);
    this.sendRaw({ type: 'unsubscribe', products });
  }

  sendRaw(message: unknown): void {
    if (!this.socket) throw new Error('not open');
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  stockMessages(id: number): LiveStock[] {
    return this.messages.filter((m): m is LiveStock => m.type === 'stock' && m.id === id);
  }

  errors(): LiveError[] {
    return this.messages.filter((m): m is LiveError => m.type === 'error');
  }

  /** Waits until the newest figure of `id` has at least `version`. */
  async waitForVersion(id: number, version: number, timeoutMs = 10_000): Promise<LiveStock> {
    return eventually(
      () => {
        const figure = this.figures.get(id);
        return figure && figure.version >= version ? figure : undefined;
      },
      { what: `product ${id} at version ${version} on the live socket`, timeoutMs, intervalMs: 10 },
    );
  }

  async waitForErrors(count: number): Promise<LiveError[]> {
    return eventually(() => (this.errors().length >= count ? this.errors() : undefined), {
      what: `${count} error message(s) on the live socket`,
      timeoutMs: 10_000,
      intervalMs: 10,
    });
  }

  close(): void {
    this.closing = true;
    this.socket?.close();
  }

  private async reopen(): Promise<void> {
    if (this.closing) return;
    try {
      await this.open();
    } catch {
      this.urlIndex += 1;
      setTimeout(() => void this.reopen(), 100);
    }
  }
}
