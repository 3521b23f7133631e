import { redisSlot } from '@shop/redis';
import { StockKeys } from '@shop/stock';
import { CartKeys } from './cart-keys';

describe('CartKeys', () => {
  it('names every key under the prefix and the shop hash tag', () => {
    const keys = new CartKeys();
    expect(keys.cart('c1')).toBe('shop:{shop}:cart:c1');
    expect(keys.lines('c1')).toBe('shop:{shop}:cart:c1:lines');
    expect(keys.deadlines).toBe('shop:{shop}:cart-deadlines');
    expect(() => new CartKeys('{x}')).toThrow(/Invalid cart key prefix/);
  });

  it("puts a cart's keys and the ledger keys its scripts touch in one Redis Cluster slot", () => {
    // A hold, a release, a checkout: the cart's hashes, the deadlines, an idempotency record and
    // a pending order, with the levels of its lines, the ready marker, known ids and the outbox
    // (the scripts name these from the ledger's tagged prefix, as StockKeys does).
    const cart = new CartKeys('shop:');
    const [ledger] = new StockKeys('stock:').shards;
    const cartId = 'Zm9vYmFyYmF6cXV4cXV1eA';
    const keys = [
      cart.cart(cartId),
      cart.lines(cartId),
      cart.info(cartId),
      cart.deadlines,
      cart.checkout('key-1'),
      cart.order('order-1'),
      ledger.ready,
      ledger.knownIds,
      ledger.outbox,
      `${ledger.tagged}level:7`,
      ledger.level(123_456),
    ];
    const slot = redisSlot(ledger.outbox);
    for (const key of keys) expect([key, redisSlot(key)]).toEqual([key, slot]);
  });
});
