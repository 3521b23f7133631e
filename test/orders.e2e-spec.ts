import { randomUUID } from 'node:crypto';
import type { OrderConfirmedEvent, OrderView, StockChangedEvent } from '@shop/contracts';
import { CartKeys, CONFIRMED_ORDER_COPY_SECONDS, DEFAULT_CART_KEY_PREFIX } from '@shop/cart';
import { createDatabase, type Database } from '@shop/persistence';
import { createRedisClient, type RedisClient } from '@shop/redis';
import type { Kysely } from 'kysely';
import { PlainStockListener } from './support/amqp';
import { ensureAppRunning, killApp, startApp } from './support/apps';
import { startRabbitApp, stopRabbitApp } from './support/services';
import {
  adminHeaders,
  config,
  eventually,
  requestJson,
  setStock,
  stockFigures,
  urls,
} from './support/stack';

/*
 * The order worker (issue 13, item 5): `order.placed` into MySQL exactly once, confirmed, then
 * `order.confirmed`; GET /orders/:id from MySQL; the admin cancel. Products 1111-1115 belong to
 * this file. The 300-shopper race with MySQL confirmation is in checkout.e2e-spec.ts.
 */

const json = { 'content-type': 'application/json' };
const checkoutBody = {
  email: 'grace@example.com',
  shippingAddress: {
    name: 'Grace Hopper',
    line1: '1 Compiler Way',
    line2: 'Floor 2',
    city: 'Arlington',
    postcode: '22201',
    country: 'US',
  },
};

/** One shopper: a cart, the lines, checkout. Resolves with the checkout's status and order id. */
async function shop(
  lines: readonly (readonly [productId: number, quantity: number])[],
): Promise<{ status: number; orderId: string | undefined }> {
  const cart = await requestJson<{ id: string }>(`${urls.varnish}/carts`, { method: 'POST' });
  expect(cart.status).toBe(201);
  for (const [productId, quantity] of lines) {
    const added = await requestJson(`${urls.varnish}/carts/${cart.body.id}/items/${productId}`, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ quantity }),
    });
    if (added.status !== 200) return { status: added.status, orderId: undefined };
  }
  const placed = await requestJson<{ orderId?: string }>(
    `${urls.varnish}/carts/${cart.body.id}/checkout`,
    {
      method: 'POST',
      headers: { ...json, 'idempotency-key': randomUUID() },
      body: JSON.stringify(checkoutBody),
    },
  );
  return { status: placed.status, orderId: placed.body.orderId };
}

/** `total` shoppers, `concurrency` at a time; `onPlaced` sees the running count of 202s. */
async function shoppers(
  total: number,
  concurrency: number,
  lines: readonly (readonly [number, number])[],
  onPlaced: (placed: number) => void = () => undefined,
): Promise<{ status: number; orderId: string | undefined }[]> {
  const results: { status: number; orderId: string | undefined }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        const result = await shop(lines);
        results.push(result);
        if (result.status === 202) onPlaced(results.filter((r) => r.status === 202).length);
      }
    }),
  );
  return results;
}

function getOrder(id: string): Promise<{ status: number; body: OrderView }> {
  return requestJson<OrderView>(`${urls.varnish}/orders/${id}`);
}

/** A bodiless POST (no content-type: Fastify refuses an empty JSON body). */
function cancel(id: string, withToken = true) {
  // Straight to stock-api: Varnish routes /admin/* to catalog-api (see the report on routing).
  return requestJson<OrderView & { message?: string }>(`${urls.stock}/admin/orders/${id}/cancel`, {
    method: 'POST',
    headers: withToken ? { authorization: adminHeaders.authorization } : {},
  });
}

const cartKeys = new CartKeys(DEFAULT_CART_KEY_PREFIX, config.STOCK_SHARDS);

/** The checkout's copy of an order in Redis (libs/cart cart-keys.ts). */
function orderCopy(orderId: string): string {
  return cartKeys.home(orderId).order(orderId);
}

describe('order worker and orders (real stack)', () => {
  let db: Kysely<Database>;
  let redis: RedisClient;
  let confirmed: PlainStockListener;
  let stockEvents: PlainStockListener;

  /** Rows per order id in MySQL's `orders`, and lines per order id in `order_lines`. */
  async function inMysql(ids: readonly string[]): Promise<{ orders: number; lines: number }> {
    if (ids.length === 0) return { orders: 0, lines: 0 };
    const orders = await db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', 'in', [...ids])
      .executeTakeFirstOrThrow();
    const lines = await db
      .selectFrom('order_lines')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('order_id', 'in', [...ids])
      .executeTakeFirstOrThrow();
    return { orders: Number(orders.n), lines: Number(lines.n) };
  }

  async function allInMysql(ids: readonly string[], timeoutMs: number): Promise<void> {
    await eventually(async () => (await inMysql(ids)).orders === ids.length, {
      what: `${ids.length} orders in MySQL`,
      timeoutMs,
      intervalMs: 200,
    });
  }

  beforeAll(async () => {
    db = createDatabase(config.MYSQL_URL, { connectionLimit: 2 });
    redis = createRedisClient(config.REDIS_URL);
    confirmed = await new PlainStockListener('orders', ['order.confirmed']).open();
    stockEvents = await new PlainStockListener('stock', ['info']).open();
  });

  afterAll(async () => {
    await ensureAppRunning('sync-worker');
    await confirmed.close();
    await stockEvents.close();
    await redis.quit();
    await db.destroy();
  });

  it('shows an order pending until the worker has it in MySQL, then confirmed', async () => {
    const id = 1111;
    await setStock(id, 10);
    await killApp('sync-worker');
    let orderId: string | undefined;
    try {
      const placed = await shop([[id, 2]]);
      expect(placed.status).toBe(202);
      orderId = placed.orderId!;
      const pending = await getOrder(orderId);
      expect(pending.status).toBe(200);
      expect(pending.body.status).toBe('pending');
      expect(await inMysql([orderId])).toEqual({ orders: 0, lines: 0 });
      // What shows the pending order: the checkout's copy in Redis, kept for the order TTL.
      expect(await redis.ttl(orderCopy(orderId))).toBeGreaterThan(CONFIRMED_ORDER_COPY_SECONDS);
    } finally {
      await startApp('sync-worker');
    }
    const seen = await eventually(
      async () => {
        const order = await getOrder(orderId);
        return order.body.status === 'confirmed' ? order.body : undefined;
      },
      { what: 'the order confirmed', timeoutMs: 30_000 },
    );
    expect(seen).toEqual({
      id: orderId,
      status: 'confirmed',
      email: checkoutBody.email,
      shippingAddress: checkoutBody.shippingAddress,
      lines: [
        {
          productId: id,
          name: expect.any(String),
          unitPrice: expect.any(Number),
          quantity: 2,
          lineTotal: expect.any(Number),
        },
      ],
      totals: { quantity: 2, subtotal: expect.any(Number), total: expect.any(Number) },
      placedAt: expect.any(String),
    });
    expect(seen.lines[0].lineTotal).toBeCloseTo(seen.lines[0].unitPrice * 2, 2);
    const row = await db
      .selectFrom('orders')
      .select(['status', 'confirmed_at', 'ship_country'])
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'confirmed', ship_country: 'US' });
    expect(row.confirmed_at).toBeInstanceOf(Date);
    const event = await eventually(
      () =>
        Promise.resolve(
          confirmed.messages.find((m) => m.properties.messageId === `${orderId}:confirmed`),
        ),
      { what: 'order.confirmed on the orders exchange' },
    );
    expect(event.properties).toMatchObject({ type: 'order.confirmed', deliveryMode: 2 });
    expect(event.body as OrderConfirmedEvent).toMatchObject({ orderId, status: 'confirmed' });
    // MySQL has it: the Redis copy is no longer read and goes within the hour.
    await eventually(
      async () => {
        const ttl = await redis.ttl(orderCopy(orderId));
        return ttl > 0 && ttl <= CONFIRMED_ORDER_COPY_SECONDS;
      },
      { what: 'the Redis copy of the confirmed order shortened to an hour' },
    );
  }, 120_000);

  it('writes every order exactly once when the worker is SIGKILLed during 500 checkouts', async () => {
    const id = 1112;
    await setStock(id, 1000);
    let killed: Promise<void> | undefined;
    const results = await shoppers(500, 20, [[id, 1]], (placed) => {
      // A third of the way in, while the worker is busy writing what came before.
      if (placed >= 150 && !killed) killed = killApp('sync-worker');
    });
    await killed;
    expect(killed).toBeDefined();
    const ids = results.map((r) => r.orderId!);
    expect(results.every((r) => r.status === 202)).toBe(true);
    expect(new Set(ids).size).toBe(500);
    // The worker is down: MySQL cannot have caught up with the rest of the load.
    expect((await inMysql(ids)).orders).toBeLessThan(500);
    await startApp('sync-worker');
    await allInMysql(ids, 60_000);
    expect(await inMysql(ids)).toEqual({ orders: 500, lines: 500 });
    const units = await db
      .selectFrom('order_lines')
      .select((eb) => eb.fn.sum<number>('quantity').as('units'))
      .where('order_id', 'in', ids)
      .executeTakeFirstOrThrow();
    expect(Number(units.units)).toBe(500);
    expect(await stockFigures(id)).toMatchObject({ onHand: 500, held: 0 });
    await eventually(
      () => {
        const seen = new Set(
          confirmed.messages.map((m) => (m.body as OrderConfirmedEvent).orderId),
        );
        return ids.every((orderId) => seen.has(orderId)) || undefined;
      },
      { what: 'order.confirmed for all 500 orders', timeoutMs: 30_000 },
    );
  }, 240_000);

  it('answers checkouts 202 while RabbitMQ is down, and has every order in MySQL after', async () => {
    const id = 1113;
    await setStock(id, 100);
    let results: { status: number; orderId: string | undefined }[] = [];
    await stopRabbitApp();
    try {
      results = await shoppers(50, 10, [[id, 1]]);
    } finally {
      await startRabbitApp();
    }
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(202));
    const ids = results.map((r) => r.orderId!);
    await allInMysql(ids, 90_000);
    expect(await inMysql(ids)).toEqual({ orders: 50, lines: 50 });
    await confirmed.reopen();
    await stockEvents.reopen();
  }, 240_000);

  it('cancels a confirmed order: its units back on hand, one stock event per line, once', async () => {
    const [a, b] = [1114, 1115];
    await setStock(a, 10);
    await setStock(b, 5);
    const placed = await shop([
      [a, 3],
      [b, 1],
    ]);
    expect(placed.status).toBe(202);
    const orderId = placed.orderId!;
    expect(await stockFigures(a)).toMatchObject({ onHand: 7, held: 0 });
    await eventually(async () => (await getOrder(orderId)).body.status === 'confirmed', {
      what: 'the order confirmed',
      timeoutMs: 30_000,
    });

    expect((await cancel(orderId, false)).status).toBe(401);
    const before = [await stockFigures(a), await stockFigures(b)];
    const first = await cancel(orderId);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: orderId, status: 'cancelled' });
    expect(await stockFigures(a)).toMatchObject({ onHand: 10, stock: 10, held: 0 });
    expect(await stockFigures(b)).toMatchObject({ onHand: 5, stock: 5, held: 0 });
    expect((await getOrder(orderId)).body.status).toBe('cancelled');

    // Cancelling again is idempotent: 200, the same order, no unit returned twice.
    const again = await cancel(orderId);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('cancelled');
    expect(await stockFigures(a)).toMatchObject({ onHand: 10 });
    expect(await stockFigures(b)).toMatchObject({ onHand: 5 });

    const returns = await eventually(
      () => {
        const events = stockEvents.messages
          .map((m) => m.body as StockChangedEvent)
          .filter(
            (event) =>
              (event.id === a && event.version > before[0].version) ||
              (event.id === b && event.version > before[1].version),
          );
        return events.length >= 2 ? events : undefined;
      },
      { what: 'the stock events of the cancel' },
    );
    expect(returns.map((event) => [event.id, event.delta, event.onHand])).toEqual(
      expect.arrayContaining([
        [a, 3, 10],
        [b, 1, 5],
      ]),
    );
    expect(returns).toHaveLength(2);
    const row = await db
      .selectFrom('orders')
      .select(['status', 'cancelled_at'])
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('cancelled');
    expect(row.cancelled_at).toBeInstanceOf(Date);

    expect((await cancel('f'.repeat(32))).status).toBe(404);
  }, 120_000);
});
