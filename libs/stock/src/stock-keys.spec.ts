import { redisSlot } from '@shop/redis';
import { StockKeys } from './stock-keys';

/** Every key of one ledger a script, MULTI or pipeline may name together. */
function everyLedgerKey(keys: StockKeys): string[] {
  return [
    keys.knownIds,
    keys.ready,
    keys.restoring,
    keys.outbox,
    keys.outboxMalformed,
    keys.relayLease,
    keys.level(1),
    keys.level(42),
    keys.level(987_654_321),
    keys.idempotency('a'),
    keys.idempotency('00000000-0000-4000-8000-000000000000'),
  ];
}

describe('StockKeys', () => {
  it('names every key under the default prefix and the shop hash tag', () => {
    const keys = new StockKeys();
    expect(keys.level(42)).toBe('stock:{shop}:level:42');
    expect(keys.knownIds).toBe('stock:{shop}:known-ids');
    expect(keys.ready).toBe('stock:{shop}:ready');
    expect(keys.outbox).toBe('stock:{shop}:outbox');
    expect(keys.idempotency('abc')).toBe('stock:{shop}:idem:abc');
    expect(keys.everything).toBe('stock:*');
    expect(keys.levels).toBe('stock:{shop}:level:*');
    expect(keys.levelId('stock:{shop}:level:42')).toBe(42);
    expect(keys.levelId('stock:level:42')).toBeNull();
  });

  it('takes a custom prefix and refuses one that breaks SCAN patterns or the hash tag', () => {
    expect(new StockKeys('t-1:').outbox).toBe('t-1:{shop}:outbox');
    expect(() => new StockKeys('')).toThrow();
    expect(() => new StockKeys('a*:')).toThrow();
    expect(() => new StockKeys('{a}:')).toThrow();
    expect(() => new StockKeys('a}')).toThrow();
  });

  it('puts every key of the ledger in one Redis Cluster slot, whatever the prefix', () => {
    // The scripts take a level, the known ids, the ready marker, the outbox and an idempotency
    // record at once (CROSSSLOT otherwise); the relay's MULTI takes both outbox streams.
    const slot = redisSlot('shop');
    for (const prefix of ['stock:', 't-1:', 'stock-test-0a1b2c:']) {
      for (const key of everyLedgerKey(new StockKeys(prefix))) {
        expect([key, redisSlot(key)]).toEqual([key, slot]);
      }
    }
  });
});
