import {
  NewestVersions,
  notifyResultText,
  parseLiveFigure,
  stockBadgeFor,
  SUBSCRIBE_BATCH,
  subscribeFrames,
} from './live-badge';

describe('stockBadgeFor', () => {
  it('says "In stock" at and above the threshold, without the figure', () => {
    expect(stockBadgeFor(10, 10)).toEqual({
      state: 'in-stock',
      label: 'In stock',
      stock: 10,
      notify: false,
    });
    expect(stockBadgeFor(5000, 10).label).toBe('In stock');
  });

  it('says "Only N left" below the threshold', () => {
    expect(stockBadgeFor(9, 10)).toEqual({
      state: 'low-stock',
      label: 'Only 9 left',
      stock: 9,
      notify: false,
    });
    expect(stockBadgeFor(1, 10).label).toBe('Only 1 left');
    expect(stockBadgeFor(3, 3).label).toBe('In stock');
  });

  it('says "Sold out" at 0 and offers the notify form', () => {
    expect(stockBadgeFor(0, 10)).toEqual({
      state: 'sold-out',
      label: 'Sold out',
      stock: 0,
      notify: true,
    });
  });

  it('shows a product the ledger does not know as sold out, with nothing to be notified of', () => {
    expect(stockBadgeFor(null, 10)).toEqual({
      state: 'sold-out',
      label: 'Sold out',
      stock: 0,
      notify: false,
    });
  });

  it('admits it when the figure could not be read', () => {
    expect(stockBadgeFor(undefined, 10)).toEqual({
      state: 'unknown',
      label: 'Stock unavailable',
      stock: null,
      notify: false,
    });
  });
});

describe('parseLiveFigure', () => {
  it('reads a stock frame of the gateway', () => {
    const frame = JSON.stringify({
      type: 'stock',
      id: 7,
      stock: 3,
      version: 4294967301,
      at: '2026-01-01T00:00:00.000Z',
    });
    expect(parseLiveFigure(frame)).toEqual({ id: 7, stock: 3, version: 4294967301 });
  });

  it('ignores error frames, other types, bad JSON and binary data', () => {
    for (const data of [
      JSON.stringify({ type: 'error', message: 'no' }),
      JSON.stringify({ type: 'stock', id: 0, stock: 1, version: 1 }),
      JSON.stringify({ type: 'stock', id: 1, stock: -1, version: 1 }),
      JSON.stringify({ type: 'stock', id: 1, stock: 1.5, version: 1 }),
      JSON.stringify({ type: 'stock', id: 1, stock: 1 }),
      JSON.stringify({ type: 'stock', id: '1', stock: 1, version: 1 }),
      'null',
      '[1]',
      '{',
      new ArrayBuffer(4),
    ]) {
      expect(parseLiveFigure(data)).toBeNull();
    }
  });
});

describe('NewestVersions', () => {
  it('accepts a figure only when it is newer than every one before it, per product', () => {
    const versions = new NewestVersions();
    expect(versions.accept(1, 5)).toBe(true);
    expect(versions.accept(1, 4)).toBe(false);
    // The same version again (a re-subscribe after a reconnect) is no news either.
    expect(versions.accept(1, 5)).toBe(false);
    expect(versions.accept(1, 6)).toBe(true);
    expect(versions.accept(2, 1)).toBe(true);
    expect(versions.get(1)).toBe(6);
    expect(versions.get(3)).toBeUndefined();
  });

  it('orders versions across a ledger epoch (epoch * 2^32 + sequence)', () => {
    const versions = new NewestVersions();
    expect(versions.accept(1, 2 ** 32 + 900)).toBe(true);
    expect(versions.accept(1, 2 * 2 ** 32 + 1)).toBe(true);
    expect(versions.accept(1, 2 ** 32 + 901)).toBe(false);
  });
});

describe('subscribeFrames', () => {
  it('subscribes in batches the gateway accepts, each id once', () => {
    expect(subscribeFrames([3, 1, 3])).toEqual(['{"type":"subscribe","products":[3,1]}']);
    const ids = Array.from({ length: SUBSCRIBE_BATCH * 2 + 1 }, (_, index) => index + 1);
    const frames = subscribeFrames(ids).map(
      (frame) => (JSON.parse(frame) as { products: number[] }).products,
    );
    expect(frames.map((products) => products.length)).toEqual([200, 200, 1]);
    expect(frames.flat()).toEqual(ids);
    expect(subscribeFrames([])).toEqual([]);
  });
});

describe('notifyResultText', () => {
  it('tells the shopper what the back-in-stock route answered', () => {
    expect(notifyResultText(201, undefined)).toMatch(/email you when it is back/);
    expect(notifyResultText(200, undefined)).toBe(notifyResultText(201, undefined));
    expect(notifyResultText(409, 'in stock')).toMatch(/back in stock/);
    expect(notifyResultText(404, undefined)).toMatch(/no longer sold/);
    expect(notifyResultText(400, 'email must be an email address')).toBe(
      'email must be an email address',
    );
    expect(notifyResultText(400, undefined)).toMatch(/check your email/);
    expect(notifyResultText(503, undefined)).toMatch(/try again/);
    expect(notifyResultText(0, undefined)).toMatch(/try again/);
  });
});
