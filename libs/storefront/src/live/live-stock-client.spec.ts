import { NewestVersions, type LiveFigure } from './live-badge';
import { LiveStockClient, type LiveSocket } from './live-stock-client';

class FakeSocket implements LiveSocket {
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  readonly sent: string[] = [];
  closed = false;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(data);
  }

  close(): void {
    this.closed = true;
    this.onclose?.();
  }

  figure(id: number, stock: number, version: number): void {
    this.onmessage?.({
      data: JSON.stringify({ type: 'stock', id, stock, version, at: '2026-01-01T00:00:00Z' }),
    });
  }
}

function setup(productIds: number[], versions = new NewestVersions()) {
  const sockets: FakeSocket[] = [];
  const figures: LiveFigure[] = [];
  const scheduled: { run: () => void; delayMs: number }[] = [];
  const client = new LiveStockClient({
    url: 'ws://shop.test/live',
    productIds,
    versions,
    openSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    onFigure: (figure) => figures.push(figure),
    schedule: (run, delayMs) => scheduled.push({ run, delayMs }),
    backoff: { initialMs: 100, maxMs: 1000 },
    random: () => 1,
  });
  return { client, sockets, figures, scheduled };
}

describe('LiveStockClient', () => {
  it('subscribes to the page products once the socket opens', () => {
    const { client, sockets } = setup([1119, 1120]);
    client.start();
    expect(sockets).toHaveLength(1);
    expect(sockets[0].url).toBe('ws://shop.test/live');
    expect(sockets[0].sent).toEqual([]);
    sockets[0].onopen?.();
    expect(sockets[0].sent).toEqual(['{"type":"subscribe","products":[1119,1120]}']);
  });

  it('opens nothing on a page without badges', () => {
    const { client, sockets } = setup([]);
    client.start();
    expect(sockets).toHaveLength(0);
  });

  it('passes on only figures newer than the page and every figure before', () => {
    const versions = new NewestVersions();
    versions.accept(1, 10); // the server-rendered badge's version
    const { client, sockets, figures } = setup([1, 2], versions);
    client.start();
    sockets[0].onopen?.();
    sockets[0].figure(1, 5, 10); // the subscribe answer: what the page already shows
    sockets[0].figure(1, 4, 11);
    sockets[0].figure(2, 0, 3);
    sockets[0].figure(1, 9, 9); // late and older
    sockets[0].onmessage?.({ data: '{"type":"error","message":"x"}' });
    expect(figures).toEqual([
      { id: 1, stock: 4, version: 11 },
      { id: 2, stock: 0, version: 3 },
    ]);
  });

  it('reconnects with growing delays, subscribes again and converges on the newest figure', () => {
    const { client, sockets, figures, scheduled } = setup([1]);
    client.start();
    sockets[0].onopen?.();
    sockets[0].figure(1, 8, 20);

    sockets[0].onclose?.();
    expect(scheduled.map((entry) => entry.delayMs)).toEqual([100]);
    scheduled[0].run();
    // The gateway is down: the new socket fails at once, and the next wait is longer.
    sockets[1].onerror?.();
    sockets[1].onclose?.();
    expect(scheduled.map((entry) => entry.delayMs)).toEqual([100, 200]);
    scheduled[1].run();
    sockets[2].onopen?.();
    expect(sockets[2].sent).toEqual(['{"type":"subscribe","products":[1]}']);
    // Another gateway answers with the current figure: newer than what we had, so it shows.
    sockets[2].figure(1, 6, 22);
    // A message resets the backoff.
    sockets[2].onclose?.();
    expect(scheduled.at(-1)?.delayMs).toBe(100);
    expect(figures.map((figure) => figure.version)).toEqual([20, 22]);
  });

  it('caps the delay and stops for good on stop()', () => {
    const { client, sockets, scheduled } = setup([1]);
    client.start();
    for (let attempt = 0; attempt < 6; attempt += 1) {
      sockets.at(-1)?.onclose?.();
      scheduled.at(-1)?.run();
    }
    expect(scheduled.map((entry) => entry.delayMs)).toEqual([100, 200, 400, 800, 1000, 1000]);
    const count = sockets.length;
    client.stop();
    expect(sockets.at(-1)?.closed).toBe(true);
    expect(scheduled).toHaveLength(6);
    expect(sockets).toHaveLength(count);
  });
});
