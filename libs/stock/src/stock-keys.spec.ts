import { StockKeys } from './stock-keys';

describe('StockKeys', () => {
  it('names every key under the default prefix', () => {
    const keys = new StockKeys();
    expect(keys.level(42)).toBe('stock:level:42');
    expect(keys.knownIds).toBe('stock:known-ids');
    expect(keys.ready).toBe('stock:ready');
    expect(keys.outbox).toBe('stock:outbox');
    expect(keys.idempotency('abc')).toBe('stock:idem:abc');
    expect(keys.everything).toBe('stock:*');
  });

  it('takes a custom prefix and refuses one that breaks SCAN patterns', () => {
    expect(new StockKeys('t-1:').outbox).toBe('t-1:outbox');
    expect(() => new StockKeys('')).toThrow();
    expect(() => new StockKeys('a*:')).toThrow();
  });
});
