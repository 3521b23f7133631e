import { redisSlot } from '@shop/redis';
import { PriceKeys } from './price-keys';

describe('PriceKeys', () => {
  it('names the price keys under the ledger prefix and the shop hash tag', () => {
    const keys = new PriceKeys();
    expect(keys.price(9)).toBe('stock:{shop}:price:9');
    expect(keys.priceId('stock:{shop}:price:9')).toBe(9);
    expect(keys.priceId(keys.schedule)).toBeNull();
  });

  it('puts every key a price script touches in one Redis Cluster slot', () => {
    // KEYS of the apply, transition and adopt scripts: price hash, known ids, ready marker,
    // outbox, schedule; the scheduler's lease is used alone.
    const keys = new PriceKeys('t-2:');
    const touched = [
      keys.price(1),
      keys.price(4_000_000),
      keys.knownIds,
      keys.ready,
      keys.outbox,
      keys.schedule,
      keys.schedulerLease,
    ];
    const slot = redisSlot(keys.outbox);
    for (const key of touched) expect([key, redisSlot(key)]).toEqual([key, slot]);
  });
});
