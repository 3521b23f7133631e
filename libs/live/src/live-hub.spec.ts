import type { StockLevel } from '@shop/contracts';
import { SILENT_LOGGER } from '@shop/common';
import { LiveConnection, type LiveSocket } from './live-connection';
import { LiveHub } from './live-hub';
import type { LiveServerMessage, LiveStockMessage } from './live-protocol';

class FakeSocket implements LiveSocket {
  readonly sent: LiveServerMessage[] = [];
  bufferedAmount = 0;
  terminated = false;
  send(text: string): void {
    this.sent.push(JSON.parse(text) as LiveServerMessage);
  }
  terminate(): void {
    this.terminated = true;
  }
  stock(id?: number): LiveStockMessage[] {
    return this.sent.filter(
      (m): m is LiveStockMessage => m.type === 'stock' && (id === undefined || m.id === id),
    );
  }
}

const level = (id: number, stock: number, version: number): StockLevel => ({
  id,
  stock,
  version,
  updatedAt: '2026-12-01T05:00:00.000Z',
});

const change = (id: number, stock: number, version: number): LiveStockMessage => ({
  type: 'stock',
  id,
  stock,
  version,
  at: '2026-12-01T05:00:01.000Z',
});

describe('LiveHub', () => {
  let levels: Map<number, StockLevel>;
  let hub: LiveHub;
  let readError: Error | undefined;

  beforeEach(() => {
    jest.useFakeTimers();
    readError = undefined;
    levels = new Map([
      [1, level(1, 10, 3)],
      [2, level(2, 0, 8)],
    ]);
    hub = new LiveHub({
      readLevels: (ids) =>
        readError
          ? Promise.reject(readError)
          : Promise.resolve(ids.map((id) => levels.get(id) ?? null)),
      logger: SILENT_LOGGER,
    });
  });

  afterEach(() => {
    hub.close();
    jest.useRealTimers();
  });

  const connect = (): [LiveConnection, FakeSocket] => {
    const socket = new FakeSocket();
    return [new LiveConnection(socket), socket];
  };

  it('answers a subscribe with the current figures, then sends changes', async () => {
    const [connection, socket] = connect();
    await hub.handleText(connection, '{"type":"subscribe","products":[1,2]}');
    expect(socket.sent).toEqual([
      { type: 'stock', id: 1, stock: 10, version: 3, at: '2026-12-01T05:00:00.000Z' },
      { type: 'stock', id: 2, stock: 0, version: 8, at: '2026-12-01T05:00:00.000Z' },
    ]);
    hub.receive(change(1, 9, 4));
    expect(socket.stock(1).at(-1)).toEqual(change(1, 9, 4));
  });

  it('sends one coalesced stream to every client of a product', async () => {
    const [a, socketA] = connect();
    const [b, socketB] = connect();
    await hub.handleText(a, '{"type":"subscribe","products":[1]}');
    await hub.handleText(b, '{"type":"subscribe","products":[1]}');
    for (let version = 4; version <= 9; version += 1) hub.receive(change(1, version, version));
    jest.advanceTimersByTime(250);
    for (const socket of [socketA, socketB]) {
      expect(socket.stock(1).map((m) => m.version)).toEqual([3, 4, 9]);
    }
  });

  it('never sends a client an older version than it has (a read and a change crossing)', async () => {
    const [connection, socket] = connect();
    await hub.handleText(connection, '{"type":"subscribe","products":[1]}');
    hub.receive(change(1, 9, 2));
    hub.receive(change(1, 9, 3));
    expect(socket.stock(1).map((m) => m.version)).toEqual([3]);
  });

  it('answers bad input with an error and keeps the client', async () => {
    const [connection, socket] = connect();
    await hub.handleText(connection, '{"type":"subscribe","products":["x"]}');
    expect(socket.sent).toEqual([
      { type: 'error', message: expect.stringMatching(/products\[0\]/) },
    ]);
    expect(socket.terminated).toBe(false);
    await hub.handleText(connection, '{"type":"subscribe","products":[2]}');
    expect(socket.stock(2)).toHaveLength(1);
  });

  it('names unknown products in an error and does not watch them', async () => {
    const [connection, socket] = connect();
    await hub.handleText(connection, '{"type":"subscribe","products":[1,77,78]}');
    expect(socket.stock().map((m) => m.id)).toEqual([1]);
    expect(socket.sent.at(-1)).toEqual({ type: 'error', message: 'unknown products: 77, 78' });
    expect(hub.subscriptions.productsOf(connection)).toEqual([1]);
  });

  it('keeps the subscription when the figures cannot be read, and says so', async () => {
    const [connection, socket] = connect();
    readError = new Error('Redis away');
    await hub.handleText(connection, '{"type":"subscribe","products":[1]}');
    expect(socket.sent).toEqual([{ type: 'error', message: expect.stringMatching(/unavailable/) }]);
    hub.receive(change(1, 4, 4));
    expect(socket.stock(1).map((m) => m.version)).toEqual([4]);
  });

  it('stops sending after unsubscribe and after disconnect', async () => {
    const [a, socketA] = connect();
    const [b, socketB] = connect();
    await hub.handleText(a, '{"type":"subscribe","products":[1,2]}');
    await hub.handleText(b, '{"type":"subscribe","products":[2]}');
    await hub.handleText(a, '{"type":"unsubscribe","products":[1]}');
    hub.disconnect(b);
    hub.receive(change(1, 1, 10));
    hub.receive(change(2, 1, 10));
    expect(socketA.stock(1).map((m) => m.version)).toEqual([3]);
    expect(socketA.stock(2).map((m) => m.version)).toEqual([8, 10]);
    expect(socketB.stock(2).map((m) => m.version)).toEqual([8]);
  });

  it('refreshAll sends each watched figure that moved while changes were not arriving', async () => {
    const [connection, socket] = connect();
    await hub.handleText(connection, '{"type":"subscribe","products":[1,2]}');
    levels.set(1, level(1, 4, 7));
    await hub.refreshAll();
    expect(socket.stock(1).map((m) => m.version)).toEqual([3, 7]);
    expect(socket.stock(2).map((m) => m.version)).toEqual([8]);
  });

  it('cuts off a client that does not read instead of buffering for it', async () => {
    const [connection, socket] = connect();
    await hub.handleText(connection, '{"type":"subscribe","products":[1]}');
    socket.bufferedAmount = 2 * 1024 * 1024;
    hub.receive(change(1, 1, 10));
    expect(socket.terminated).toBe(true);
    expect(socket.stock(1).map((m) => m.version)).toEqual([3]);
  });
});
