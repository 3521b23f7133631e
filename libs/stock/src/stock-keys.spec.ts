import { redisSlot } from '@shop/redis';
import { shardHashTag, StockKeys, type StockShardKeys } from './stock-keys';

/** Every key of one shard a script, MULTI or pipeline may name together. */
function everyShardKey(keys: StockShardKeys): string[] {
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
  it('names every key under the default prefix and the shop hash tag (one shard)', () => {
    const keys = new StockKeys();
    const [shard] = keys.shards;
    expect(keys.shards).toHaveLength(1);
    expect(keys.level(42)).toBe('stock:{shop}:level:42');
    expect(shard.knownIds).toBe('stock:{shop}:known-ids');
    expect(shard.ready).toBe('stock:{shop}:ready');
    expect(shard.outbox).toBe('stock:{shop}:outbox');
    expect(shard.idempotency('abc')).toBe('stock:{shop}:idem:abc');
    expect(keys.everything).toBe('stock:*');
    expect(shard.levels).toBe('stock:{shop}:level:*');
    expect(shard.levelId('stock:{shop}:level:42')).toBe(42);
    expect(shard.levelId('stock:level:42')).toBeNull();
  });

  it('takes a custom prefix and refuses one that breaks SCAN patterns or the hash tag', () => {
    expect(new StockKeys('t-1:').shards[0].outbox).toBe('t-1:{shop}:outbox');
    expect(() => new StockKeys('')).toThrow();
    expect(() => new StockKeys('a*:')).toThrow();
    expect(() => new StockKeys('{a}:')).toThrow();
    expect(() => new StockKeys('a}')).toThrow();
  });

  it('refuses a shard count outside 1 to 64', () => {
    for (const count of [0, -1, 1.5, 65, Number.NaN]) {
      expect(() => new StockKeys('stock:', count)).toThrow(/Stock shards must be 1 to 64/);
    }
    expect(new StockKeys('stock:', 64).shards).toHaveLength(64);
  });

  it('puts every key of the ledger in one Redis Cluster slot, whatever the prefix', () => {
    // The scripts take a level, the known ids, the ready marker, the outbox and an idempotency
    // record at once (CROSSSLOT otherwise); the relay's MULTI takes both outbox streams.
    const slot = redisSlot('shop');
    for (const prefix of ['stock:', 't-1:', 'stock-test-0a1b2c:']) {
      for (const key of everyShardKey(new StockKeys(prefix).shards[0])) {
        expect([key, redisSlot(key)]).toEqual([key, slot]);
      }
    }
  });

  describe('with several shards', () => {
    const keys = new StockKeys('stock:', 6);

    it('sends consecutive product ids to consecutive shards, each under its own tag', () => {
      expect([1, 2, 6, 7, 12, 13].map((id) => keys.shardOf(id))).toEqual([1, 2, 0, 1, 0, 1]);
      expect(keys.level(7)).toBe(`stock:${shardHashTag(1, 6)}:level:7`);
      expect(keys.forProduct(7).outbox).toBe(`stock:${shardHashTag(1, 6)}:outbox`);
      expect(keys.shards.map((shard) => shard.index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(shardHashTag(0, 1)).toBe('{shop}');
      expect(shardHashTag(5, 6)).toMatch(/^\{shop-5(-[1-9][0-9]*)?\}$/);
    });

    it('groups positions of ids by shard, in the order given', () => {
      expect([...keys.positionsByShard([7, 1, 12, 13, 6])]).toEqual([
        [1, [0, 1, 3]],
        [0, [2, 4]],
      ]);
      expect([...new StockKeys().positionsByShard([5, 9])]).toEqual([[0, [0, 1]]]);
    });

    it("keeps each shard's keys in one slot, and its products' levels with them", () => {
      for (const shard of keys.shards) {
        const slot = redisSlot(shard.outbox);
        for (const key of everyShardKey(shard)) expect([key, redisSlot(key)]).toEqual([key, slot]);
      }
      for (let id = 1; id <= 500; id += 1) {
        expect(redisSlot(keys.level(id))).toBe(redisSlot(keys.forProduct(id).outbox));
      }
    });

    it("puts each shard in its own sixth of the slots: one cluster's three masters get two each", () => {
      // The runs `redis-cli --cluster create` gives three masters (0-5460, 5461-10922, 10923-).
      const master = (slot: number): number => (slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2);
      const slots = keys.shards.map((shard) => redisSlot(shard.outbox));
      slots.forEach((slot, index) => {
        expect(slot).toBeGreaterThan((index * 16384) / 6);
        expect(slot).toBeLessThan(((index + 1) * 16384) / 6);
      });
      expect(slots.map(master)).toEqual([0, 0, 1, 1, 2, 2]);
    });

    it('finds a tag in its band for every shard count up to 64', () => {
      for (const count of [2, 3, 5, 16, 64]) {
        const tags = new StockKeys('stock:', count).shards.map((shard) => shard.tagged);
        expect(new Set(tags).size).toBe(count);
      }
    });
  });
});
