import { MAX_STOCK, ORDERS_EXCHANGE, stockEpochFloor } from '@shop/contracts';
import {
  HeldStockError,
  InsufficientStockError,
  ProductIdRegistry,
  shardHashTag,
  StockKeys,
  StockLedger,
  StockOutboxRelays,
  type OutboxMessageBody,
  type StockOutgoingMessage,
} from '@shop/stock';
import { scanKeys, type RedisClient } from '@shop/redis';
import {
  connectTestRedis,
  deleteKeysWithPrefix,
  randomStockPrefix,
} from '../../stock/src/testing/redis-test-support';
import { eventually } from '../../../test/support/eventually';
import {
  CartClosedError,
  CartLineLimitError,
  CartLineNotFoundError,
  CartNotFoundError,
  CartProductNotFoundError,
  CartStockConflictError,
  CheckoutKeyReusedError,
  InvalidCartRequestError,
} from './cart-errors';
import { CartHoldSweeper } from './cart-hold-sweeper';
import type { CheckoutInput } from './cart-model';
import { Carts, type CartProductCatalog, type CartsOptions } from './carts';

const catalog: CartProductCatalog = {
  find: (id) =>
    Promise.resolve(id >= 900_000 ? null : { name: `Product ${id}`, price: 10 + id / 100 }),
};

const address: CheckoutInput = {
  email: 'ada@example.com',
  shippingAddress: {
    name: 'Ada Lovelace',
    line1: '12 Analytical Row',
    city: 'London',
    postcode: 'N1 9GU',
    country: 'GB',
  },
};

/** Outbox entries of every shard as flat field maps, oldest first. */
async function outbox(
  redis: RedisClient,
  prefix: string,
  shards: number,
): Promise<Record<string, string>[]> {
  const streams = await Promise.all(
    new StockKeys(prefix, shards).shards.map((shard) => redis.xrange(shard.outbox, '-', '+')),
  );
  const streamOrder = (id: string): [number, number] => {
    const [ms, seq] = id.split('-').map(Number);
    return [ms, seq];
  };
  const entries = streams.flat().sort(([a], [b]) => {
    const [aMs, aSeq] = streamOrder(a);
    const [bMs, bSeq] = streamOrder(b);
    return aMs - bMs || aSeq - bSeq;
  });
  return entries.map(([, fields]) => {
    const map: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]] = fields[i + 1];
    return map;
  });
}

/** Every key under the prefix with its dump: "nothing changed" compares two of these. */
async function snapshot(redis: RedisClient, prefix: string): Promise<Map<string, string>> {
  const keys: string[] = [];
  for await (const batch of scanKeys(redis, `${prefix}*`)) keys.push(...batch);
  keys.sort();
  const result = new Map<string, string>();
  for (const key of keys) {
    const type = await redis.type(key);
    const value =
      type === 'hash'
        ? JSON.stringify(Object.entries(await redis.hgetall(key)).sort())
        : type === 'zset'
          ? JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'))
          : type === 'stream'
            ? JSON.stringify(await redis.xrange(key, '-', '+'))
            : type === 'set'
              ? JSON.stringify((await redis.smembers(key)).sort())
              : String(await redis.get(key));
    result.set(key, value);
  }
  return result;
}

/** The TTL in seconds (-1 for none) of every key under `prefix` that names cart `id`. */
async function ttlsOf(redis: RedisClient, prefix: string, id: string): Promise<number[]> {
  const keys: string[] = [];
  for await (const batch of scanKeys(redis, `${prefix}*${id}*`)) keys.push(...batch);
  expect(keys.length).toBeGreaterThan(0);
  return Promise.all(keys.map((key) => redis.ttl(key)));
}

/** Carts on `client` under a test's own prefix (stock keys too) and shard count. */
function cartsUnder(
  prefix: string,
  shards: number,
  client: RedisClient,
  options: Pick<CartsOptions, 'holdSeconds' | 'stalledStepMs'>,
): Carts {
  return new Carts(client, catalog, {
    ...options,
    keyPrefix: prefix,
    stockKeyPrefix: prefix,
    stockShards: shards,
  });
}

function settle<T>(results: PromiseSettledResult<T>[]): { ok: T[]; errors: unknown[] } {
  return {
    ok: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    errors: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])),
  };
}

// Once as one shard (every line in the cart's home), once over four: products 1, 2 and 3 are then
// in three shards, so a cart holding them has parts and goes through the steps across shards.
describe.each([1, 4])('Carts on Redis (holds, expiry, checkout), %i shard(s)', (shards) => {
  let redis: RedisClient;
  let others: RedisClient[];
  let prefix: string;
  let ledger: StockLedger;
  let carts: Carts;

  const cartsOn = (client: RedisClient, holdSeconds = 900): Carts =>
    cartsUnder(prefix, shards, client, { holdSeconds });

  beforeAll(async () => {
    redis = await connectTestRedis();
    others = await Promise.all([connectTestRedis(), connectTestRedis(), connectTestRedis()]);
  });

  beforeEach(async () => {
    prefix = randomStockPrefix();
    ledger = new StockLedger(redis, { keyPrefix: prefix, shards });
    await new ProductIdRegistry(redis, { keyPrefix: prefix, shards }).register([1, 2, 3]);
    await ledger.markReady();
    carts = cartsOn(redis);
  });

  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  afterAll(async () => {
    await Promise.all([redis, ...others].map((client) => client.quit()));
  });

  it('creates empty carts with unguessable ids and an expiry', async () => {
    const before = Date.now();
    const cart = await carts.create();
    expect(cart.id).toMatch(/^[0-9a-f]{32}$/);
    expect(cart).toMatchObject({
      status: 'open',
      items: [],
      totals: { quantity: 0, subtotal: 0, total: 0 },
    });
    expect(Date.parse(cart.expiresAt)).toBeGreaterThanOrEqual(before + 899_000);
    expect((await carts.create()).id).not.toBe(cart.id);
    await expect(carts.get('f'.repeat(32))).rejects.toThrow(CartNotFoundError);
    await expect(carts.get('../etc')).rejects.toThrow(CartNotFoundError);
  });

  it('holds what a line asks for: stock is on hand minus held, and each change is an event', async () => {
    await ledger.apply(1, { action: 'set', amount: 10 });
    const cart = await carts.create();
    const view = await carts.setQuantity(cart.id, 1, 3, { correlationId: 'req-1' });
    expect(view.items).toEqual([
      { productId: 1, name: 'Product 1', unitPrice: 10.01, quantity: 3, lineTotal: 30.03 },
    ]);
    expect(view.totals).toEqual({ quantity: 3, subtotal: 30.03, total: 30.03 });
    expect(await ledger.get(1)).toMatchObject({ stock: 7, onHand: 10, held: 3 });

    await carts.setQuantity(cart.id, 1, 1);
    expect(await ledger.get(1)).toMatchObject({ stock: 9, onHand: 10, held: 1 });
    await carts.removeLine(cart.id, 1);
    expect(await ledger.get(1)).toMatchObject({ stock: 10, onHand: 10, held: 0 });

    const events = await outbox(redis, prefix, shards);
    expect(events.map((e) => [e.reason, e.stock, e.delta, e.onHand, e.held])).toEqual([
      ['set', '10', '10', '10', '0'],
      ['hold', '7', '-3', '10', '3'],
      ['release', '9', '2', '10', '1'],
      ['release', '10', '1', '10', '0'],
    ]);
    expect(events[1].cid).toBe('req-1');
    expect(events.map((e) => Number(e.version))).toEqual([1, 2, 3, 4]);
  });

  it("creates a cart with its first line held in one step, its home the product's shard", async () => {
    await ledger.apply(3, { action: 'set', amount: 5 });
    const cart = await carts.create({ productId: 3, quantity: 2 }, { correlationId: 'req-new' });
    expect(cart).toMatchObject({
      status: 'open',
      items: [{ productId: 3, name: 'Product 3', unitPrice: 10.03, quantity: 2, lineTotal: 20.06 }],
      totals: { quantity: 2, subtotal: 20.06, total: 20.06 },
    });
    expect(await carts.get(cart.id)).toEqual(cart);
    expect(await ledger.get(3)).toMatchObject({ stock: 3, onHand: 5, held: 2 });
    const hold = (await outbox(redis, prefix, shards)).at(-1);
    expect(hold).toMatchObject({ id: '3', reason: 'hold', held: '2', cid: 'req-new' });
    // Every key of the cart is in product 3's shard: no part elsewhere, one-step checkout.
    const keys: string[] = [];
    for await (const batch of scanKeys(redis, `${prefix}*${cart.id}*`)) keys.push(...batch);
    expect(keys.length).toBeGreaterThan(0);
    const tag = shardHashTag(new StockKeys(prefix, shards).shardOf(3), shards);
    for (const key of keys) expect(key).toContain(tag);
    expect(new Set(await ttlsOf(redis, prefix, cart.id))).toEqual(new Set([-1]));
    expect((await carts.checkout(cart.id, address, 'key-new')).replayed).toBe(false);
    expect(await ledger.get(3)).toMatchObject({ stock: 3, onHand: 3, held: 0 });
  });

  it('makes no cart when its first line is refused', async () => {
    await ledger.apply(1, { action: 'set', amount: 2 });
    const before = await snapshot(redis, prefix);
    await expect(carts.create({ productId: 1, quantity: 3 })).rejects.toThrow(
      'Not enough stock: product 1: 2 left, 3 wanted',
    );
    await expect(carts.create({ productId: 4, quantity: 1 })).rejects.toThrow(
      CartProductNotFoundError,
    );
    await expect(carts.create({ productId: 900_001, quantity: 1 })).rejects.toThrow(
      CartProductNotFoundError,
    );
    for (const quantity of [0, 101, 1.5, '1']) {
      await expect(carts.create({ productId: 1, quantity })).rejects.toThrow(
        InvalidCartRequestError,
      );
    }
    await expect(carts.create({ productId: 'x', quantity: 1 })).rejects.toThrow(
      'productId must be a product id',
    );
    expect(await snapshot(redis, prefix)).toEqual(before);
  });

  it('admin changes act on on-hand and never take it below what carts hold', async () => {
    await ledger.apply(1, { action: 'set', amount: 5 });
    const cart = await carts.create();
    await carts.setQuantity(cart.id, 1, 4);
    await expect(ledger.apply(1, { action: 'decrement', amount: 2 })).rejects.toThrow(
      InsufficientStockError,
    );
    await expect(ledger.apply(1, { action: 'set', amount: 3 })).rejects.toThrow(HeldStockError);
    const result = await ledger.apply(1, { action: 'increment', amount: 6 });
    expect(result).toMatchObject({ stock: 7, onHand: 11, held: 4 });
  });

  it('refuses bad lines and changes nothing', async () => {
    await ledger.apply(1, { action: 'set', amount: 5 });
    const cart = await carts.create();
    await carts.setQuantity(cart.id, 1, 2);
    const before = await snapshot(redis, prefix);
    await expect(carts.setQuantity(cart.id, 1, 101)).rejects.toThrow(InvalidCartRequestError);
    await expect(carts.setQuantity(cart.id, 1, 1.5)).rejects.toThrow(InvalidCartRequestError);
    await expect(carts.setQuantity(cart.id, 1, '2')).rejects.toThrow(InvalidCartRequestError);
    await expect(carts.setQuantity(cart.id, 1, -1)).rejects.toThrow(InvalidCartRequestError);
    await expect(carts.setQuantity(cart.id, 4, 1)).rejects.toThrow(CartProductNotFoundError);
    await expect(carts.setQuantity(cart.id, 900_001, 1)).rejects.toThrow(CartProductNotFoundError);
    await expect(carts.setQuantity(cart.id, 1, 6)).rejects.toThrow(
      'Not enough stock: product 1: 5 left, 6 wanted',
    );
    await expect(carts.setQuantity('0'.repeat(32), 1, 1)).rejects.toThrow(CartNotFoundError);
    await expect(carts.removeLine(cart.id, 2)).rejects.toThrow(CartLineNotFoundError);
    expect(await snapshot(redis, prefix)).toEqual(before);
  });

  it('keeps at most 50 lines', async () => {
    const ids = Array.from({ length: 51 }, (_, i) => 100 + i);
    await new ProductIdRegistry(redis, { keyPrefix: prefix, shards }).register(ids);
    for (const id of ids) await ledger.apply(id, { action: 'set', amount: 1 });
    const cart = await carts.create();
    for (const id of ids.slice(0, 50)) await carts.setQuantity(cart.id, id, 1);
    const before = await snapshot(redis, prefix);
    await expect(carts.setQuantity(cart.id, ids[50], 1)).rejects.toThrow(CartLineLimitError);
    expect(await snapshot(redis, prefix)).toEqual(before);
  });

  it('never oversells: 300 concurrent holds of 1 on 100 units, exactly 100 succeed', async () => {
    await ledger.apply(1, { action: 'set', amount: 100 });
    const clients = [redis, ...others].map((client) => cartsOn(client));
    const shoppers = await Promise.all(Array.from({ length: 300 }, () => carts.create()));
    const outcome = settle(
      await Promise.allSettled(
        shoppers.map((cart, i) => clients[i % clients.length].setQuantity(cart.id, 1, 1)),
      ),
    );
    expect(outcome.ok).toHaveLength(100);
    expect(outcome.errors).toHaveLength(200);
    for (const error of outcome.errors) expect(error).toBeInstanceOf(CartStockConflictError);
    expect(await ledger.get(1)).toMatchObject({ stock: 0, onHand: 100, held: 100 });
    const holds = (await outbox(redis, prefix, shards)).filter((e) => e.reason === 'hold');
    expect(holds).toHaveLength(100);
    expect(new Set(holds.map((e) => e.version)).size).toBe(100);
  });

  it('expiry returns every unit exactly once with two sweepers at once', async () => {
    await ledger.apply(1, { action: 'set', amount: 50 });
    const shortCarts = cartsOn(redis, 1);
    const cartIds: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const cart = await shortCarts.create();
      await shortCarts.setQuantity(cart.id, 1, 1);
      cartIds.push(cart.id);
    }
    expect(await ledger.get(1)).toMatchObject({ stock: 30, held: 20 });
    const sweepers = [
      new CartHoldSweeper(cartsOn(others[0], 1)),
      new CartHoldSweeper(cartsOn(others[1], 1)),
    ];
    const released = { carts: 0, units: 0 };
    await eventually(
      async () => {
        const results = await Promise.all(sweepers.map((sweeper) => sweeper.sweepOnce()));
        for (const result of results) {
          released.carts += result.carts;
          released.units += result.units;
        }
        return released.carts === 20;
      },
      { what: 'all 20 carts to expire' },
    );
    // Nothing more to sweep, whoever tries.
    expect(await Promise.all(sweepers.map((sweeper) => sweeper.sweepOnce()))).toEqual([
      { carts: 0, units: 0 },
      { carts: 0, units: 0 },
    ]);
    expect(released.units).toBe(20);
    expect(await ledger.get(1)).toMatchObject({ stock: 50, onHand: 50, held: 0 });
    const releases = (await outbox(redis, prefix, shards)).filter((e) => e.reason === 'release');
    expect(releases).toHaveLength(20);
    expect((await shortCarts.get(cartIds[0])).status).toBe('expired');
    expect(await redis.zcard(shortCarts.keys.home(cartIds[0]).deadlines)).toBe(0);
  });

  it('checks out: holds become a sale, the cart closes, order.placed is in the outbox', async () => {
    await ledger.apply(1, { action: 'set', amount: 10 });
    await ledger.apply(2, { action: 'set', amount: 10 });
    const cart = await carts.create();
    await carts.setQuantity(cart.id, 2, 1);
    await carts.setQuantity(cart.id, 1, 2);
    const result = await carts.checkout(cart.id, address, 'key-1', { correlationId: 'req-9' });
    expect(result.replayed).toBe(false);
    expect(await ledger.get(1)).toMatchObject({ stock: 8, onHand: 8, held: 0 });
    expect(await ledger.get(2)).toMatchObject({ stock: 9, onHand: 9, held: 0 });
    const entries = await outbox(redis, prefix, shards);
    const orders = entries.filter((e) => e.type === 'order.placed');
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ orderId: result.orderId, cid: 'req-9' });
    const body = JSON.parse(orders[0].body) as Record<string, unknown>;
    expect(body).toMatchObject({
      orderId: result.orderId,
      cartId: cart.id,
      email: 'ada@example.com',
      lines: [
        { productId: 1, name: 'Product 1', unitPrice: 10.01, quantity: 2, lineTotal: 20.02 },
        { productId: 2, name: 'Product 2', unitPrice: 10.02, quantity: 1, lineTotal: 10.02 },
      ],
      totals: { quantity: 3, subtotal: 30.04, total: 30.04 },
    });
    // In product order: with several shards, each shard's sale is its own step.
    const sales = entries
      .filter((e) => e.reason === 'order')
      .sort((a, b) => Number(a.id) - Number(b.id));
    expect(sales.map((e) => [e.id, e.stock, e.delta, e.onHand, e.held])).toEqual([
      ['1', '8', '0', '8', '0'],
      ['2', '9', '0', '9', '0'],
    ]);
    expect(await carts.get(cart.id)).toMatchObject({ status: 'ordered', orderId: result.orderId });
    expect(await carts.getOrder(result.orderId)).toMatchObject({
      id: result.orderId,
      status: 'pending',
      totals: { total: 30.04 },
    });
    await expect(carts.setQuantity(cart.id, 1, 1)).rejects.toThrow(CartClosedError);
    await expect(carts.checkout(cart.id, address, 'key-2')).rejects.toThrow(CartClosedError);
    for (const ttl of await ttlsOf(redis, prefix, cart.id)) expect(ttl).toBeGreaterThan(0);
  });

  it('checks out the cart as it is, also when another process changed it after this one saw it', async () => {
    await ledger.apply(1, { action: 'set', amount: 5 });
    await ledger.apply(2, { action: 'set', amount: 5 });
    // This process made the cart (and remembers it); another one changed it since.
    const cart = await carts.create({ productId: 1, quantity: 1 });
    const elsewhere = cartsOn(others[0]);
    await elsewhere.setQuantity(cart.id, 1, 2);
    await elsewhere.setQuantity(cart.id, 2, 1);
    const { orderId } = await carts.checkout(cart.id, address, 'key-stale');
    const order = await carts.getOrder(orderId);
    expect(order.lines.map((line) => [line.productId, line.quantity])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    expect(await ledger.get(1)).toMatchObject({ stock: 3, onHand: 3, held: 0 });
    expect(await ledger.get(2)).toMatchObject({ stock: 4, onHand: 4, held: 0 });

    // A line removed elsewhere is not sold either.
    const second = await carts.create({ productId: 1, quantity: 1 });
    await carts.setQuantity(second.id, 2, 1);
    await elsewhere.removeLine(second.id, 1);
    const again = await carts.getOrder(
      (await carts.checkout(second.id, address, 'key-2nd')).orderId,
    );
    expect(again.lines.map((line) => [line.productId, line.quantity])).toEqual([[2, 1]]);
    expect(await ledger.get(1)).toMatchObject({ stock: 3, onHand: 3, held: 0 });
  });

  it('the same Idempotency-Key 20 times at once places one order', async () => {
    await ledger.apply(1, { action: 'set', amount: 10 });
    const cart = await carts.create();
    await carts.setQuantity(cart.id, 1, 3);
    const clients = [redis, ...others].map((client) => cartsOn(client));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        clients[i % clients.length].checkout(cart.id, address, 'same-key'),
      ),
    );
    expect(new Set(results.map((r) => r.orderId)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(
      (await outbox(redis, prefix, shards)).filter((e) => e.type === 'order.placed'),
    ).toHaveLength(1);
    expect(await ledger.get(1)).toMatchObject({ stock: 7, onHand: 7, held: 0 });
    // The key belongs to that checkout: another body is refused.
    await expect(
      carts.checkout(cart.id, { ...address, email: 'eve@example.com' }, 'same-key'),
    ).rejects.toThrow(CheckoutKeyReusedError);
  });

  it('a cart whose holds expired answers 409 naming the lines gone, and nothing changes', async () => {
    await ledger.apply(1, { action: 'set', amount: 1 });
    await ledger.apply(2, { action: 'set', amount: 5 });
    const shortCarts = cartsOn(redis, 1);
    const late = await shortCarts.create();
    await shortCarts.setQuantity(late.id, 1, 1);
    await shortCarts.setQuantity(late.id, 2, 2);
    const sweeper = new CartHoldSweeper(shortCarts);
    await eventually(async () => (await sweeper.sweepOnce()).carts === 1, {
      what: 'the cart to expire',
    });
    // Someone else buys the last unit of product 1 meanwhile.
    const other = await carts.create();
    await carts.setQuantity(other.id, 1, 1);
    await carts.checkout(other.id, address, 'other-key');

    const before = await snapshot(redis, prefix);
    await expect(shortCarts.checkout(late.id, address, 'late-key')).rejects.toThrow(
      "The cart's holds expired and these lines can no longer be had: product 1: 0 left, 1 wanted",
    );
    expect(await snapshot(redis, prefix)).toEqual(before);
  });

  it('a cart whose holds expired still checks out while the stock is there', async () => {
    await ledger.apply(1, { action: 'set', amount: 3 });
    const shortCarts = cartsOn(redis, 1);
    const cart = await shortCarts.create();
    await shortCarts.setQuantity(cart.id, 1, 2);
    const sweeper = new CartHoldSweeper(shortCarts);
    await eventually(async () => (await sweeper.sweepOnce()).carts === 1, {
      what: 'the cart to expire',
    });
    expect(await ledger.get(1)).toMatchObject({ stock: 3, held: 0 });
    await shortCarts.checkout(cart.id, address, 'k');
    expect(await ledger.get(1)).toMatchObject({ stock: 1, onHand: 1, held: 0 });
  });

  it('an expired cart that gets a quantity holds all its lines again, or none', async () => {
    await ledger.apply(1, { action: 'set', amount: 2 });
    await ledger.apply(2, { action: 'set', amount: 2 });
    const shortCarts = cartsOn(redis, 1);
    const cart = await shortCarts.create();
    await shortCarts.setQuantity(cart.id, 1, 2);
    const sweeper = new CartHoldSweeper(shortCarts);
    await eventually(async () => (await sweeper.sweepOnce()).carts === 1, {
      what: 'the cart to expire',
    });
    await ledger.apply(1, { action: 'decrement', amount: 1 });
    // An expired cart is kept for a while, then goes.
    for (const ttl of await ttlsOf(redis, prefix, cart.id)) expect(ttl).toBeGreaterThan(0);
    const before = await snapshot(redis, prefix);
    await expect(shortCarts.setQuantity(cart.id, 2, 1)).rejects.toThrow(
      'Not enough stock: product 1: 1 left, 2 wanted',
    );
    expect(await snapshot(redis, prefix)).toEqual(before);
    await shortCarts.setQuantity(cart.id, 1, 1);
    expect(await shortCarts.get(cart.id)).toMatchObject({ status: 'open' });
    expect(await ledger.get(1)).toMatchObject({ stock: 0, onHand: 1, held: 1 });
    // Open again: its keys stay until it expires or is ordered (its holds go back by sweeper).
    expect(new Set(await ttlsOf(redis, prefix, cart.id))).toEqual(new Set([-1]));
  });

  it('a rebuild from MySQL brings held units back as sellable, in the new epoch, with a release event', async () => {
    const floor = stockEpochFloor(2);
    const result = await ledger.restore(
      [
        { id: 1, stock: 7, held: 3, version: 40, updatedAt: new Date() },
        { id: 2, stock: 5, held: 0, version: 41, updatedAt: new Date() },
      ],
      { versionFloor: floor },
    );
    expect(result.restoredIds).toEqual([1, 2]);
    expect(await ledger.get(1)).toMatchObject({
      stock: 10,
      onHand: 10,
      held: 0,
      version: floor + 1,
    });
    expect(await ledger.get(2)).toMatchObject({ stock: 5, onHand: 5, held: 0, version: 41 });
    const events = await outbox(redis, prefix, shards);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ id: '1', reason: 'release', stock: '10', delta: '3' });
    expect(MAX_STOCK).toBeGreaterThan(10);
  });

  it('the relay publishes order.placed to the orders exchange with the order id as messageId', async () => {
    await ledger.apply(1, { action: 'set', amount: 1 });
    const cart = await carts.create();
    await carts.setQuantity(cart.id, 1, 1);
    const { orderId } = await carts.checkout(cart.id, address, 'relay-key', { correlationId: 'r' });
    const published: StockOutgoingMessage<OutboxMessageBody>[] = [];
    const relay = new StockOutboxRelays(
      redis,
      {
        publish: (exchange, routingKey, body, options) => {
          published.push({ exchange, routingKey, body, options });
          return Promise.resolve();
        },
      },
      { keyPrefix: prefix, shards },
    );
    const round = await relay.relayOnce();
    expect(round).toMatchObject({ read: 4, published: 4, kept: 0, malformed: 0 });
    const order = published.find((message) => message.exchange === ORDERS_EXCHANGE);
    expect(order).toMatchObject({
      routingKey: 'order.placed',
      body: { orderId, cartId: cart.id },
      options: { messageId: orderId, type: 'order.placed', correlationId: 'r' },
    });
    expect(await ledger.pendingEvents()).toBe(0);
  });
});

describe('Carts across shards: a step its process left half done', () => {
  const shards = 4;
  const stalledStepMs = 300;
  let redis: RedisClient;
  let dying: RedisClient;
  let prefix: string;
  let ledger: StockLedger;

  const cartsOn = (client: RedisClient, holdSeconds = 900): Carts =>
    cartsUnder(prefix, shards, client, { holdSeconds, stalledStepMs });

  /** `dying`'s script `name` runs once, then its process stops (the connection drops). */
  function stopAfterFirst(name: 'shopCartPartSell' | 'shopCartPartRelease'): void {
    const scripts = dying as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const original = scripts[name].bind(dying);
    scripts[name] = async (...args: unknown[]) => {
      await original(...args);
      dying.disconnect();
      throw new Error('the process stopped');
    };
  }

  beforeAll(async () => {
    redis = await connectTestRedis();
  });

  beforeEach(async () => {
    prefix = randomStockPrefix();
    dying = await connectTestRedis();
    ledger = new StockLedger(redis, { keyPrefix: prefix, shards });
    await new ProductIdRegistry(redis, { keyPrefix: prefix, shards }).register([1, 2, 3, 4]);
    await ledger.markReady();
    for (const id of [1, 2, 3, 4]) await ledger.apply(id, { action: 'set', amount: 5 });
  });

  afterEach(async () => {
    if (dying.status !== 'end') await dying.quit();
    await deleteKeysWithPrefix(redis, prefix);
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('finishes a checkout stopped after its first part was sold: one order, every unit sold once', async () => {
    const carts = cartsOn(redis);
    const cart = await carts.create();
    for (const id of [1, 2, 3]) await carts.setQuantity(cart.id, id, 1);
    const stopping = cartsOn(dying);
    stopAfterFirst('shopCartPartSell');
    await expect(stopping.checkout(cart.id, address, 'half-done')).rejects.toThrow();

    // Checking out: still open to a reader, closed to changes, nothing placed yet.
    expect(await carts.get(cart.id)).toMatchObject({ status: 'open' });
    // The home waits for the checkout; a part already sold is closed (either is a 409).
    await expect(carts.setQuantity(cart.id, 1, 2)).rejects.toThrow(
      /being checked out|checked out already/,
    );
    expect(await carts.finishStalledCheckouts(Date.now())).toBe(0);
    expect((await outbox(redis, prefix, shards)).filter((e) => e.type)).toHaveLength(0);

    const sweeper = new CartHoldSweeper(carts);
    await eventually(async () => (await carts.finishStalledCheckouts(Date.now())) === 1, {
      what: 'the stalled checkout to be finished',
    });
    await sweeper.sweepOnce();
    const placed = (await outbox(redis, prefix, shards)).filter((e) => e.type === 'order.placed');
    expect(placed).toHaveLength(1);
    const order = JSON.parse(placed[0].body) as { orderId: string; lines: { productId: number }[] };
    expect(order.lines.map((line) => line.productId)).toEqual([1, 2, 3]);
    expect(await carts.get(cart.id)).toMatchObject({ status: 'ordered', orderId: order.orderId });
    expect(await ledger.getMany([1, 2, 3])).toMatchObject([
      { stock: 4, onHand: 4, held: 0 },
      { stock: 4, onHand: 4, held: 0 },
      { stock: 4, onHand: 4, held: 0 },
    ]);
    const sales = (await outbox(redis, prefix, shards)).filter((e) => e.reason === 'order');
    expect(sales.map((e) => e.id).sort()).toEqual(['1', '2', '3']);
    // The shopper's retry with the same key answers the same order.
    await expect(carts.checkout(cart.id, address, 'half-done')).resolves.toEqual({
      orderId: order.orderId,
      replayed: true,
    });
    expect(await carts.getOrder(order.orderId)).toMatchObject({ status: 'pending' });
  });

  it('finishes an expiry stopped after its first part: every unit back once', async () => {
    const shortCarts = cartsOn(redis, 1);
    const cart = await shortCarts.create();
    for (const id of [1, 2, 3]) await shortCarts.setQuantity(cart.id, id, 2);
    expect(await ledger.getMany([1, 2, 3])).toMatchObject([{ held: 2 }, { held: 2 }, { held: 2 }]);
    const stopping = cartsOn(dying, 1);
    stopAfterFirst('shopCartPartRelease');
    await eventually(async () => (await shortCarts.dueCarts(Date.now(), 10)).includes(cart.id), {
      what: 'the cart to be due',
    });
    await expect(stopping.expire(cart.id)).rejects.toThrow();
    expect(await shortCarts.get(cart.id)).toMatchObject({ status: 'expired' });

    // Another process is on it (for all anyone knows) until the step is stalled.
    const sweeper = new CartHoldSweeper(shortCarts);
    expect(await sweeper.sweepOnce()).toEqual({ carts: 0, units: 0 });
    await eventually(async () => (await sweeper.sweepOnce()).carts === 1, {
      what: 'the stalled expiry to be finished',
    });
    expect(await sweeper.sweepOnce()).toEqual({ carts: 0, units: 0 });
    expect(await ledger.getMany([1, 2, 3])).toMatchObject([
      { stock: 5, held: 0 },
      { stock: 5, held: 0 },
      { stock: 5, held: 0 },
    ]);
    const releases = (await outbox(redis, prefix, shards)).filter((e) => e.reason === 'release');
    expect(releases.map((e) => e.id).sort()).toEqual(['1', '2', '3']);
    // It comes back to life whole when it gets a quantity again.
    await shortCarts.setQuantity(cart.id, 1, 1);
    expect(await shortCarts.get(cart.id)).toMatchObject({ status: 'open' });
    expect(await ledger.getMany([1, 2, 3])).toMatchObject([{ held: 1 }, { held: 2 }, { held: 2 }]);
  });

  it('refuses a line of another shard that an expired cart cannot hold, changing nothing', async () => {
    const shortCarts = cartsOn(redis, 1);
    const cart = await shortCarts.create();
    // Products 1-4 are in shards 1, 2, 3, 0: one of them is in the cart's home.
    const home = shortCarts.keys.homeOf(cart.id);
    const own = [4, 1, 2, 3][home];
    const other = own === 1 ? 2 : 1;
    await shortCarts.setQuantity(cart.id, own, 1);
    const sweeper = new CartHoldSweeper(shortCarts);
    await eventually(async () => (await sweeper.sweepOnce()).carts === 1, {
      what: 'the cart to expire',
    });
    await ledger.apply(other, { action: 'set', amount: 0 });
    const before = await snapshot(redis, prefix);
    await expect(shortCarts.setQuantity(cart.id, other, 1)).rejects.toThrow(
      `Not enough stock: product ${other}: 0 left, 1 wanted`,
    );
    expect(await snapshot(redis, prefix)).toEqual(before);
    // With stock, the same change brings the cart back with both lines held.
    await ledger.apply(other, { action: 'set', amount: 1 });
    await shortCarts.setQuantity(cart.id, other, 1);
    expect(await shortCarts.get(cart.id)).toMatchObject({ status: 'open' });
    expect(await ledger.getMany([own, other])).toMatchObject([{ held: 1 }, { held: 1 }]);
  });

  it('refuses a checkout key reused for a cart with another home', async () => {
    const carts = cartsOn(redis);
    const first = await carts.create();
    let second = await carts.create();
    while (carts.keys.homeOf(second.id) === carts.keys.homeOf(first.id)) {
      second = await carts.create();
    }
    await carts.setQuantity(first.id, 1, 1);
    await carts.setQuantity(second.id, 2, 1);
    const { orderId } = await carts.checkout(first.id, address, 'shared-key');
    await expect(carts.checkout(second.id, address, 'shared-key')).rejects.toThrow(
      CheckoutKeyReusedError,
    );
    expect(await carts.get(second.id)).toMatchObject({ status: 'open' });
    await expect(carts.checkout(first.id, address, 'shared-key')).resolves.toEqual({
      orderId,
      replayed: true,
    });
  });
});
