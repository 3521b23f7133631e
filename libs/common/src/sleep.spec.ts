import { sleep } from './sleep';

describe('sleep', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('resolves after the time it was given, not before', async () => {
    let woke = false;
    const sleeping = sleep(1000).then(() => (woke = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(woke).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await sleeping;
    expect(woke).toBe(true);
  });

  it('resolves at once when its signal aborts, and leaves no timer behind', async () => {
    const stop = new AbortController();
    let woke = false;
    const sleeping = sleep(60_000, stop.signal).then(() => (woke = true));
    await jest.advanceTimersByTimeAsync(10);
    expect(woke).toBe(false);
    stop.abort();
    await sleeping;
    expect(woke).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not wait at all when the signal has already aborted', async () => {
    const stop = new AbortController();
    stop.abort();
    await sleep(60_000, stop.signal);
    expect(jest.getTimerCount()).toBe(0);
  });
});
