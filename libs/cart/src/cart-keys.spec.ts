import { redisSlot } from '@shop/redis';
import { StockKeys } from '@shop/stock';
import { CartKeys, isOpaqueId, newOpaqueId, type CartShardKeys } from './cart-keys';

/** Every key a cart script may name with the ledger keys of the same shard. */
function cartKeysOf(keys: CartShardKeys, cartId: string): string[] {
  return [
    keys.cart(cartId),
    keys.lines(cartId),
    keys.info(cartId),
    keys.shards(cartId),
    keys.part(cartId),
    keys.deadlines,
    keys.checkouts,
    keys.checkout('key-1'),
    keys.order('order-1'),
  ];
}

describe('CartKeys', () => {
  it('names every key under the prefix and the shop hash tag (one shard)', () => {
    const keys = new CartKeys();
    const home = keys.home('c1');
    expect(keys.homeOf('0123456789abcdef0123456789abcdef')).toBe(0);
    expect(home.cart('c1')).toBe('shop:{shop}:cart:c1');
    expect(home.lines('c1')).toBe('shop:{shop}:cart:c1:lines');
    expect(home.deadlines).toBe('shop:{shop}:cart-deadlines');
    expect(() => new CartKeys('{x}')).toThrow(/Invalid cart key prefix/);
    expect(() => new CartKeys('shop:', 0)).toThrow(/Stock shards must be 1 to 64/);
  });

  it("puts a cart's keys and the ledger keys its scripts touch in one Redis Cluster slot", () => {
    // A hold, a release, a checkout: the cart's hashes, the deadlines, an idempotency record and
    // a pending order, with the levels of its lines, the ready marker, known ids and the outbox
    // (the scripts name these from the ledger's tagged prefix, as StockKeys does).
    const [cart] = new CartKeys('shop:').shards;
    const [ledger] = new StockKeys('stock:').shards;
    const keys = [
      ...cartKeysOf(cart, 'Zm9vYmFyYmF6cXV4cXV1eA'),
      ledger.ready,
      ledger.knownIds,
      ledger.outbox,
      `${ledger.tagged}level:7`,
      ledger.level(123_456),
    ];
    const slot = redisSlot(ledger.outbox);
    for (const key of keys) expect([key, redisSlot(key)]).toEqual([key, slot]);
  });

  describe('with several shards', () => {
    const carts = new CartKeys('shop:', 6);
    const ledger = new StockKeys('stock:', 6);

    it("keeps each shard's cart keys in the slot of that shard's ledger keys", () => {
      for (const shard of carts.shards) {
        const stock = ledger.shards[shard.index];
        const slot = redisSlot(stock.outbox);
        for (const key of [...cartKeysOf(shard, 'abc'), stock.level(shard.index + 6)]) {
          expect([key, redisSlot(key)]).toEqual([key, slot]);
        }
      }
    });

    it('gives a cart and an order a home from the last digits of the id', () => {
      const id = '0123456789abcdef0123456789abcdef';
      expect(carts.homeOf(id)).toBe(0x89abcdef % 6);
      expect(carts.home(id)).toBe(carts.shards[carts.homeOf(id)]);
      const homes = new Set(
        Array.from({ length: 60 }, (_, n) => carts.homeOf(n.toString(16).padStart(32, '0'))),
      );
      expect(homes.size).toBe(6);
    });
  });
});

describe('newOpaqueId', () => {
  it('draws distinct 128-bit hex ids, across many refills of its random pool', () => {
    const ids = Array.from({ length: 5000 }, () => newOpaqueId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(isOpaqueId(id)).toBe(true);
    }
  });
});
