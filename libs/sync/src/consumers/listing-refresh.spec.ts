import { FakePurger } from '../testing/fakes';
import { ListingRefresh } from './listing-refresh';

describe('ListingRefresh', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('lets the first ask go with its batch, holds the rest of the window and sends them once', async () => {
    const log: string[] = [];
    const refresh = new ListingRefresh(new FakePurger(log), 1000);
    expect(refresh.ask()).toBe(true);
    expect(refresh.ask()).toBe(false);
    expect(refresh.ask()).toBe(false);
    expect(refresh.pending).toBe(true);
    await jest.advanceTimersByTimeAsync(999);
    expect(log).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['purge hard= soft=listing']);
    expect(refresh.pending).toBe(false);
    // That purge opened the next window.
    expect(refresh.ask()).toBe(false);
    await jest.advanceTimersByTimeAsync(1000);
    expect(log).toEqual(['purge hard= soft=listing', 'purge hard= soft=listing']);
  });

  it('sends nothing at the end of a window nobody asked in, and then asks go out at once', async () => {
    const log: string[] = [];
    const refresh = new ListingRefresh(new FakePurger(log), 1000);
    expect(refresh.ask()).toBe(true);
    await jest.advanceTimersByTimeAsync(5000);
    expect(log).toEqual([]);
    expect(refresh.ask()).toBe(true);
  });

  it('counts a purge of listing sent for another reason: it answers what was held', async () => {
    const log: string[] = [];
    const refresh = new ListingRefresh(new FakePurger(log), 1000);
    refresh.sent();
    expect(refresh.ask()).toBe(false);
    refresh.sent();
    expect(refresh.pending).toBe(false);
    await jest.advanceTimersByTimeAsync(1000);
    expect(log).toEqual([]);
  });

  it('sends a held refresh on close, and logs one that fails', async () => {
    const log: string[] = [];
    const warnings: string[] = [];
    const purger = new FakePurger(log);
    purger.failures = 1;
    const refresh = new ListingRefresh(purger, 1000, { warn: (line) => warnings.push(line) });
    refresh.ask();
    refresh.ask();
    await refresh.close();
    expect(log).toEqual(['purge hard= soft=listing']);
    expect(warnings).toEqual([
      'listing refresh for new badge words failed: Varnish PURGE failed on http://varnish: ECONNREFUSED',
    ]);
    await refresh.close();
    expect(log).toHaveLength(1);
  });
});
