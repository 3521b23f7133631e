import { PoisonMessageError } from '@shop/messaging';
import { stockBadgeFor } from '@shop/storefront';
import {
  changesBadgeLabel,
  crossesZero,
  parseCatalogChange,
  parseStockChangedEvent,
  parseStockMessage,
} from './events';

const event = {
  id: 7,
  stock: 3,
  delta: -1,
  version: 12,
  reason: 'decrement',
  occurredAt: '2025-01-01T00:00:00.000Z',
};

describe('parseStockChangedEvent', () => {
  it('accepts the stock exchange body and drops unknown fields', () => {
    expect(parseStockChangedEvent({ ...event, extra: true })).toEqual(event);
  });

  it.each([
    ['the original demo shape without a version', { id: 7, stock: 3 }],
    ['a negative stock', { ...event, stock: -1 }],
    ['a fractional id', { ...event, id: 1.5 }],
    ['a bad instant', { ...event, occurredAt: 'yesterday' }],
    ['a string', 'hello'],
    ['null', null],
  ])('calls %s poison', (_label, raw) => {
    expect(() => parseStockChangedEvent(raw)).toThrow(PoisonMessageError);
  });

  it('names the field that is wrong', () => {
    expect(() => parseStockChangedEvent({ ...event, version: 'x' })).toThrow(/version/);
  });
});

describe('crossesZero', () => {
  it.each([
    [{ stock: 0, delta: -2 }, true], // 2 -> 0
    [{ stock: 5, delta: 5 }, true], // 0 -> 5
    [{ stock: 3, delta: -1 }, false], // 4 -> 3
    [{ stock: 0, delta: 0 }, false], // 0 -> 0
    [{ stock: 4, delta: 0 }, false], // set to the same figure
  ])('%j -> %s', (change, expected) => {
    expect(crossesZero(change)).toBe(expected);
  });
});

describe('changesBadgeLabel', () => {
  it('says whether the storefront badge reads differently, for every pair of figures around the threshold', () => {
    const lowStockBelow = 5;
    for (let before = 0; before <= 8; before += 1) {
      for (let after = 0; after <= 8; after += 1) {
        const reads = (stock: number): string => stockBadgeFor(stock, lowStockBelow).label;
        expect({
          before,
          after,
          changed: changesBadgeLabel({ stock: after, delta: after - before }, lowStockBelow),
        }).toEqual({
          before,
          after,
          changed: reads(before) !== reads(after),
        });
      }
    }
  });
});

describe('parseCatalogChange', () => {
  const occurredAt = '2025-01-01T00:00:00.000Z';

  it('reads product.upserted', () => {
    expect(
      parseCatalogChange({
        product: { id: 4, sku: 'A', categories: ['shoes', 'sale'] },
        version: 3,
        occurredAt,
      }),
    ).toEqual({ kind: 'upserted', id: 4, version: 3, categories: ['shoes', 'sale'] });
  });

  it('reads product.deleted', () => {
    expect(parseCatalogChange({ id: 4, version: 5, occurredAt })).toEqual({
      kind: 'deleted',
      id: 4,
      version: 5,
    });
  });

  it('calls anything else poison', () => {
    expect(() => parseCatalogChange({ product: { sku: 'A' }, version: 1, occurredAt })).toThrow(
      PoisonMessageError,
    );
    expect(() => parseCatalogChange({ hello: 'world' })).toThrow(PoisonMessageError);
  });
});

describe('parseStockMessage', () => {
  it('reads a barrier and a stock event apart', () => {
    const barrier = { barrier: 'b-1', requestedAt: '2025-01-01T00:00:00.000Z' };
    expect(parseStockMessage(barrier)).toEqual(barrier);
    const event = {
      id: 1,
      stock: 2,
      delta: -1,
      version: 3,
      reason: 'decrement',
      occurredAt: '2025-01-01T00:00:00.000Z',
    };
    expect(parseStockMessage(event)).toEqual(event);
  });

  it('takes a malformed barrier for poison', () => {
    expect(() => parseStockMessage({ barrier: '', requestedAt: 'soon' })).toThrow(
      PoisonMessageError,
    );
  });
});
