import { Batcher } from './batcher';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    await Promise.resolve();
  }
}

describe('Batcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('flushes as soon as a batch is full', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>({ maxSize: 3, maxWaitMs: 1000 }, async (items) => {
      batches.push(items);
    });
    [1, 2, 3, 4].forEach((n) => batcher.add(n));
    await settle();
    expect(batches).toEqual([[1, 2, 3]]);
    expect(batcher.buffered).toBe(1);
  });

  it('flushes a partial batch after maxWaitMs', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>({ maxSize: 10, maxWaitMs: 50 }, async (items) => {
      batches.push(items);
    });
    batcher.add(1);
    batcher.add(2);
    await settle();
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(49);
    await settle();
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(1);
    await settle();
    expect(batches).toEqual([[1, 2]]);
  });

  it('never runs two flushes at once and gathers what arrives meanwhile', async () => {
    const gate = deferred();
    const batches: number[][] = [];
    let running = 0;
    let maxRunning = 0;
    const batcher = new Batcher<number>({ maxSize: 2, maxWaitMs: 10 }, async (items) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      batches.push(items);
      if (batches.length === 1) {
        await gate.promise;
      }
      running -= 1;
    });
    [1, 2, 3, 4, 5].forEach((n) => batcher.add(n));
    await settle();
    jest.advanceTimersByTime(100);
    await settle();
    expect(batches).toEqual([[1, 2]]);
    gate.resolve();
    await settle();
    jest.advanceTimersByTime(10);
    await settle();
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
    expect(maxRunning).toBe(1);
  });

  it('hands items one by one in order with maxSize 1 and no wait', async () => {
    const seen: number[] = [];
    const batcher = new Batcher<number>({ maxSize: 1, maxWaitMs: 0 }, async (items) => {
      seen.push(...items);
    });
    [1, 2, 3].forEach((n) => batcher.add(n));
    await settle();
    expect(seen).toEqual([1, 2, 3]);
  });

  it('drain flushes the rest without waiting and waits for the running flush', async () => {
    const gate = deferred();
    const batches: number[][] = [];
    const batcher = new Batcher<number>({ maxSize: 2, maxWaitMs: 60_000 }, async (items) => {
      batches.push(items);
      if (batches.length === 1) {
        await gate.promise;
      }
    });
    [1, 2, 3].forEach((n) => batcher.add(n));
    let drained = false;
    const draining = batcher.drain().then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    gate.resolve();
    await draining;
    expect(batches).toEqual([[1, 2], [3]]);
    expect(batcher.buffered).toBe(0);
    expect(batcher.busy).toBe(false);
  });

  it('discards buffered items on request', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>({ maxSize: 10, maxWaitMs: 50 }, async (items) => {
      batches.push(items);
    });
    [1, 2, 3, 4].forEach((n) => batcher.add(n));
    expect(batcher.discard((n) => n % 2 === 0)).toEqual([2, 4]);
    jest.advanceTimersByTime(50);
    await settle();
    expect(batches).toEqual([[1, 3]]);
  });

  it('keeps going after a flush throws', async () => {
    const errors: unknown[] = [];
    const batches: number[][] = [];
    const batcher = new Batcher<number>(
      { maxSize: 1, maxWaitMs: 0 },
      async (items) => {
        batches.push(items);
        if (items[0] === 1) {
          throw new Error('boom');
        }
      },
      (error) => errors.push(error),
    );
    batcher.add(1);
    batcher.add(2);
    await settle();
    expect(batches).toEqual([[1], [2]]);
    expect(errors).toHaveLength(1);
  });

  it('rejects nonsense sizes', () => {
    expect(() => new Batcher({ maxSize: 0, maxWaitMs: 0 }, async () => undefined)).toThrow(
      RangeError,
    );
    expect(() => new Batcher({ maxSize: 1, maxWaitMs: -1 }, async () => undefined)).toThrow(
      RangeError,
    );
  });
});
