// Relative imports with `.js`: this file is also compiled as an ES module for the browser
// (tsconfig.assets.json), where neither the `@shop/*` paths nor extensionless specifiers resolve.
import { backoffDelay } from '../../../common/src/backoff.js';
import { type LiveFigure, NewestVersions, parseLiveFigure, subscribeFrames } from './live-badge.js';

/** The part of a browser WebSocket the client uses (so that tests can hand it a fake). */
export interface LiveSocket {
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: (() => void) | null;
  onerror: (() => void) | null;
  send(data: string): void;
  close(): void;
}

export interface LiveStockClientOptions {
  /** `ws(s)://<same origin>/live`. */
  url: string;
  productIds: readonly number[];
  /** Versions the page was rendered with: figures at or below them are not news. */
  versions: NewestVersions;
  openSocket: (url: string) => LiveSocket;
  /** Called once per figure newer than every one before it. */
  onFigure: (figure: LiveFigure) => void;
  schedule: (run: () => void, delayMs: number) => void;
  /** Reconnect delays: doubling from initialMs up to maxMs, half of each random. */
  backoff?: { initialMs: number; maxMs: number };
  random?: () => number;
}

const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 30_000 };

/**
 * Keeps one socket to the live gateway open for the page's products: subscribes on every open,
 * reconnects with backoff when the socket closes (a gateway restart, Varnish's pipe timeout, a
 * network change) and passes on only figures newer than what the page shows.
 */
export class LiveStockClient {
  private socket: LiveSocket | null = null;
  /** Reconnects since the last socket that delivered something. */
  private failures = 0;
  private stopped = false;
  connections = 0;

  constructor(private readonly options: LiveStockClientOptions) {}

  start(): void {
    if (this.options.productIds.length === 0) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.socket?.close();
    this.socket = null;
  }

  private connect(): void {
    const socket = this.options.openSocket(this.options.url);
    this.socket = socket;
    socket.onopen = () => {
      this.connections += 1;
      for (const frame of subscribeFrames(this.options.productIds)) socket.send(frame);
    };
    socket.onmessage = (event) => {
      // Reset only once the gateway answered: a socket that opens and drops at once (a gateway
      // refusing everyone) must keep backing off instead of reconnecting in a tight loop.
      this.failures = 0;
      const figure = parseLiveFigure(event.data);
      if (figure && this.options.versions.accept(figure.id, figure.version)) {
        this.options.onFigure(figure);
      }
    };
    // A failed socket also closes; the close handler alone reconnects.
    socket.onerror = () => undefined;
    socket.onclose = () => {
      if (this.stopped || this.socket !== socket) return;
      this.socket = null;
      this.failures += 1;
      const delay = backoffDelay(this.failures, {
        ...(this.options.backoff ?? DEFAULT_BACKOFF),
        jitter: 'equal',
        ...(this.options.random ? { random: this.options.random } : {}),
      });
      this.options.schedule(() => {
        if (!this.stopped) this.connect();
      }, delay);
    };
  }
}
