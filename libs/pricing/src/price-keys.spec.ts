import { redisSlot } from '@shop/redis';
import { PriceKeys, type PriceShardKeys } from './price-keys';

/** KEYS of the apply, transition and adopt scripts, and the scheduler's lease of shard 0. */
function touched(keys: PriceShardKeys): string[] {
  return [
    keys.price(1),
    keys.price(4_000_000),
    keys.knownIds,
    keys.ready,
    keys.outbox,
    keys.schedule,
  ];
}

describe('PriceKeys', () => {
  it('names the price keys under the ledger prefix and the shop hash tag', () => {
    const keys = new PriceKeys();
    const [shard] = keys.shards;
    expect(keys.price(9)).toBe('stock:{shop}:price:9');
    expect(shard.priceId('stock:{shop}:price:9')).toBe(9);
    expect(shard.priceId(shard.schedule)).toBeNull();
    expect(shard.priceId(keys.schedulerLease)).toBeNull();
  });

  it('puts every key a price script touches in one Redis Cluster slot', () => {
    const keys = new PriceKeys('t-2:');
    const slot = redisSlot(keys.shards[0].outbox);
    for (const key of [...touched(keys.shards[0]), keys.schedulerLease]) {
      expect([key, redisSlot(key)]).toEqual([key, slot]);
    }
  });

  it("keeps a product's price in its stock shard, with that shard's outbox and schedule", () => {
    const keys = new PriceKeys('stock:', 4);
    const tag = keys.stock.shards[2].tagged;
    expect(keys.price(6)).toBe(`${tag}price:6`);
    expect(keys.forProduct(6).schedule).toBe(`${tag}price:schedule`);
    for (const shard of keys.shards) {
      const slot = redisSlot(shard.outbox);
      for (const key of touched(shard)) expect([key, redisSlot(key)]).toEqual([key, slot]);
    }
    for (let id = 1; id <= 100; id += 1) {
      expect(redisSlot(keys.price(id))).toBe(redisSlot(keys.stock.level(id)));
    }
  });
});
