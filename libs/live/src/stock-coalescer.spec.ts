import type { LiveStockMessage } from './live-protocol';
import { StockCoalescer } from './stock-coalescer';

const change = (id: number, version: number, stock = version): LiveStockMessage => ({
  type: 'stock',
  id,
  stock,
  version,
  at: new Date(version * 1000).toISOString(),
});

describe('StockCoalescer', () => {
  let emitted: LiveStockMessage[];
  let coalescer: StockCoalescer;

  beforeEach(() => {
    jest.useFakeTimers();
    emitted = [];
    coalescer = new StockCoalescer((message) => emitted.push(message), 250);
  });

  afterEach(() => {
    coalescer.close();
    jest.useRealTimers();
  });

  it('sends a lone change at once', () => {
    coalescer.push(change(1, 1));
    expect(emitted).toEqual([change(1, 1)]);
  });

  it('sends a burst within the window as its first change, then the newest only', () => {
    for (let version = 1; version <= 10; version += 1) coalescer.push(change(1, version));
    expect(emitted.map((m) => m.version)).toEqual([1]);
    jest.advanceTimersByTime(249);
    expect(emitted.map((m) => m.version)).toEqual([1]);
    jest.advanceTimersByTime(1);
    expect(emitted.map((m) => m.version)).toEqual([1, 10]);
    // The held change opened a window of its own, with nothing more in it.
    jest.advanceTimersByTime(1000);
    expect(emitted.map((m) => m.version)).toEqual([1, 10]);
    expect(coalescer.openWindows).toBe(0);
  });

  it('keeps the highest version when changes arrive out of order', () => {
    coalescer.push(change(1, 1));
    coalescer.push(change(1, 4));
    coalescer.push(change(1, 3));
    coalescer.push(change(1, 2));
    jest.advanceTimersByTime(250);
    expect(emitted.map((m) => m.version)).toEqual([1, 4]);
  });

  it('never steps back below a version already sent, also after the window closed', () => {
    coalescer.push(change(1, 5));
    coalescer.push(change(1, 4));
    jest.advanceTimersByTime(250);
    coalescer.push(change(1, 3));
    coalescer.push(change(1, 5));
    expect(emitted.map((m) => m.version)).toEqual([5]);
    coalescer.push(change(1, 6));
    expect(emitted.map((m) => m.version)).toEqual([5, 6]);
  });

  it('coalesces each product on its own', () => {
    coalescer.push(change(1, 1));
    coalescer.push(change(2, 1));
    coalescer.push(change(1, 2));
    coalescer.push(change(2, 2));
    coalescer.push(change(2, 3));
    expect(emitted.map((m) => [m.id, m.version])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    jest.advanceTimersByTime(250);
    expect(emitted.map((m) => [m.id, m.version])).toEqual([
      [1, 1],
      [2, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it('sends at most one message per product per window under a steady stream', () => {
    // 40 changes per second for 2 s: 80 changes, at most 1 + 2000 / 250 messages.
    for (let version = 1; version <= 80; version += 1) {
      coalescer.push(change(1, version));
      jest.advanceTimersByTime(25);
    }
    jest.advanceTimersByTime(250);
    expect(emitted.length).toBeLessThanOrEqual(9);
    expect(emitted.at(-1)?.version).toBe(80);
    const versions = emitted.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });

  it('forgets a product nobody watches, so its old versions are not held against a new subscriber', () => {
    coalescer.push(change(1, 5));
    jest.advanceTimersByTime(250);
    coalescer.forget(1);
    coalescer.push(change(1, 5));
    expect(emitted.map((m) => m.version)).toEqual([5, 5]);
  });
});
