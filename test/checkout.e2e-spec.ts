import { randomUUID } from 'node:crypto';
import type { OrderPlacedEvent, StockChangedEvent } from '@shop/contracts';
import { PlainStockListener } from './support/amqp';
import { killApp, startApp } from './support/apps';
import { createDatabase, type Database } from '@shop/persistence';
import type { Kysely } from 'kysely';
import {
  config,
  eventually,
  requestJson,
  setStock,
  stockFigures,
  type JsonResponse,
  urls,
} from './support/stack';

/*
 * Carts, holds and checkout through Varnish (issue 13, items 1-4). Products 1165-1172 belong to
 * this file. The order worker (orders.e2e-spec.ts) confirms orders in MySQL behind the checkout,
 * so an order read right after its checkout is `pending` or already `confirmed`.
 */

interface CartBody {
  id: string;
  status: string;
  items: {
    productId: number;
    name: string;
    unitPrice: number;
    quantity: number;
    lineTotal: number;
  }[];
  totals: { quantity: number; subtotal: number; total: number };
  expiresAt: string;
  orderId?: string;
}

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

const json = { 'content-type': 'application/json' };
const address = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  city: 'London',
  postcode: 'N1 9GU',
  country: 'GB',
};
const checkoutBody = { email: 'ada@example.com', shippingAddress: address };

async function newCart(): Promise<CartBody> {
  const response = await requestJson<CartBody>(`${urls.varnish}/carts`, { method: 'POST' });
  expect(response.status).toBe(201);
  return response.body;
}

function put(cartId: string, productId: number | string, body: unknown): Promise<JsonResponse> {
  return requestJson(`${urls.varnish}/carts/${cartId}/items/${productId}`, {
    method: 'PUT',
    headers: json,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** `key` null sends no Idempotency-Key at all. */
function checkout(
  cartId: string,
  body: unknown,
  key: string | null = randomUUID(),
): Promise<JsonResponse<{ orderId: string; status: string } & Partial<ErrorBody>>> {
  return requestJson(`${urls.varnish}/carts/${cartId}/checkout`, {
    method: 'POST',
    headers: key === null ? json : { ...json, 'idempotency-key': key },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function getCart(cartId: string): Promise<CartBody> {
  const response = await requestJson<CartBody>(`${urls.varnish}/carts/${cartId}`);
  expect(response.status).toBe(200);
  return response.body;
}

function expectError(response: JsonResponse, status: number, message: RegExp | string): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = response.body as ErrorBody;
  expect(body).toEqual({
    statusCode: status,
    error: expect.any(String),
    message: expect.any(String),
  });
  if (typeof message === 'string') expect(body.message).toBe(message);
  else expect(body.message).toMatch(message);
}

describe('carts and checkout (through Varnish)', () => {
  let orders: PlainStockListener;
  let stockEvents: PlainStockListener;
  let db: Kysely<Database>;

  beforeAll(async () => {
    db = createDatabase(config.MYSQL_URL, { connectionLimit: 2 });
    orders = await new PlainStockListener('orders', ['order.placed']).open();
    stockEvents = await new PlainStockListener('stock', ['info']).open();
  });

  afterAll(async () => {
    await orders.close();
    await stockEvents.close();
    await db.destroy();
  });

  it('a cart holds stock: GET stock shows what can still be sold, on hand and held', async () => {
    const id = 1165;
    await setStock(id, 10);
    const cart = await newCart();
    expect(cart).toMatchObject({ status: 'open', items: [], totals: { quantity: 0 } });
    expect(cart.id).toMatch(/^[0-9a-f]{32}$/);

    const added = await put(cart.id, id, { quantity: 3 });
    expect(added.status).toBe(200);
    expect(added.headers.get('cache-control')).toMatch(/no-store/);
    expect((added.body as CartBody).items).toEqual([
      expect.objectContaining({ productId: id, quantity: 3 }),
    ]);
    expect(await stockFigures(id)).toMatchObject({ stock: 7, onHand: 10, held: 3 });
    const hold = await eventually(
      () =>
        Promise.resolve(
          stockEvents.messages
            .map((message) => message.body as StockChangedEvent)
            .find((event) => event.id === id && event.reason === 'hold'),
        ),
      { what: 'the hold event on the stock exchange' },
    );
    expect(hold).toMatchObject({ stock: 7, delta: -3, onHand: 10, held: 3 });

    const removed = await requestJson<CartBody>(`${urls.varnish}/carts/${cart.id}/items/${id}`, {
      method: 'DELETE',
    });
    expect(removed.status).toBe(200);
    expect(removed.body.items).toEqual([]);
    expect(await stockFigures(id)).toMatchObject({ stock: 10, onHand: 10, held: 0 });
  });

  it('every bad input to a cart is a 4xx naming the problem, and nothing changes', async () => {
    const id = 1166;
    await setStock(id, 5);
    const cart = await newCart();
    expect((await put(cart.id, id, { quantity: 2 })).status).toBe(200);
    const cartBefore = await getCart(cart.id);
    const stockBefore = await stockFigures(id);

    const unknownCart = 'f'.repeat(32);
    const cases: [() => Promise<JsonResponse>, number, RegExp | string][] = [
      [() => requestJson(`${urls.varnish}/carts/${unknownCart}`), 404, 'No such cart'],
      [() => requestJson(`${urls.varnish}/carts/not-a-cart-id`), 404, 'No such cart'],
      [() => put(unknownCart, id, { quantity: 1 }), 404, 'No such cart'],
      [
        () => put(cart.id, id, { quantity: 101 }),
        400,
        /^quantity must be an integer from 0 to 100/,
      ],
      [() => put(cart.id, id, { quantity: -1 }), 400, /^quantity must be an integer/],
      [() => put(cart.id, id, { quantity: 1.5 }), 400, /^quantity must be an integer/],
      [() => put(cart.id, id, { quantity: '1' }), 400, /^quantity must be an integer/],
      [() => put(cart.id, id, {}), 400, 'quantity is required'],
      [() => put(cart.id, id, { quantity: 1, qty: 1 }), 400, 'property qty should not exist'],
      [() => put(cart.id, id, '{"quantity":'), 400, /JSON/i],
      [() => put(cart.id, '1e3', { quantity: 1 }), 400, /^productId must be a product id/],
      [() => put(cart.id, '0', { quantity: 1 }), 400, /^productId must be a product id/],
      [
        () => put(cart.id, 4_000_000_000, { quantity: 1 }),
        404,
        'Product 4000000000 does not exist',
      ],
      [
        // What this cart may have is what is for sale plus its own 2 (5 on a fresh stack; less
        // while an earlier run's carts still hold some).
        () => put(cart.id, id, { quantity: stockBefore.stock + 3 }),
        409,
        `Not enough stock: product ${id}: ${stockBefore.stock + 2} left, ${stockBefore.stock + 3} wanted`,
      ],
      [
        () => requestJson(`${urls.varnish}/carts/${cart.id}/items/1167`, { method: 'DELETE' }),
        404,
        'The cart has no line for product 1167',
      ],
    ];
    // One at a time: each refusal is checked against the state the previous one left.
    for (const [send, status, message] of cases) expectError(await send(), status, message);

    expect(await getCart(cart.id)).toEqual(cartBefore);
    expect(await stockFigures(id)).toEqual(stockBefore);
    // Its hold goes back now rather than in CART_HOLD_SECONDS: a second run starts from 5.
    expect((await put(cart.id, id, { quantity: 0 })).status).toBe(200);
  });

  it('a cart made with its first line holds it in one request; refused, no cart is made', async () => {
    const id = 1176;
    await setStock(id, 3);
    const create = (body: unknown): Promise<JsonResponse> =>
      requestJson(`${urls.varnish}/carts`, {
        method: 'POST',
        headers: json,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const stockBefore = await stockFigures(id);
    const cases: [unknown, number, RegExp | string][] = [
      [{ productId: id, quantity: 0 }, 400, 'quantity must be an integer from 1 to 100'],
      [{ productId: id, quantity: 101 }, 400, 'quantity must be an integer from 1 to 100'],
      [{ productId: id }, 400, 'quantity is required'],
      [{ productId: String(id), quantity: 1 }, 400, /^productId must be a product id/],
      [{ productId: id, quantity: 1, note: 'x' }, 400, 'property note should not exist'],
      [{}, 400, 'productId is required; quantity is required'],
      ['{"productId":', 400, /JSON/i],
      [{ productId: 4_000_000_000, quantity: 1 }, 404, 'Product 4000000000 does not exist'],
      [
        { productId: id, quantity: stockBefore.stock + 1 },
        409,
        `Not enough stock: product ${id}: ${stockBefore.stock} left, ${stockBefore.stock + 1} wanted`,
      ],
    ];
    for (const [body, status, message] of cases) expectError(await create(body), status, message);
    expect(await stockFigures(id)).toEqual(stockBefore);

    const made = await create({ productId: id, quantity: 2 });
    expect(made.status).toBe(201);
    expect(made.headers.get('cache-control')).toMatch(/no-store/);
    const cart = made.body as CartBody;
    expect(cart).toMatchObject({ status: 'open', totals: { quantity: 2 } });
    expect(cart.items).toEqual([expect.objectContaining({ productId: id, quantity: 2 })]);
    expect(await getCart(cart.id)).toEqual(cart);
    expect(await stockFigures(id)).toMatchObject({
      stock: stockBefore.stock - 2,
      held: stockBefore.held + 2,
    });
    const placed = await checkout(cart.id, checkoutBody);
    expect(placed.status).toBe(202);
  });

  it('every bad checkout is a 4xx naming the problem, and nothing changes', async () => {
    const id = 1168;
    await setStock(id, 5);
    const cart = await newCart();
    expect((await put(cart.id, id, { quantity: 1 })).status).toBe(200);
    const empty = await newCart();
    const used = await newCart();
    expect((await put(used.id, id, { quantity: 1 })).status).toBe(200);
    const usedKey = randomUUID();
    expect((await checkout(used.id, checkoutBody, usedKey)).status).toBe(202);
    const cartBefore = await getCart(cart.id);
    const stockBefore = await stockFigures(id);

    const withAddress = (change: Record<string, unknown>): unknown => ({
      ...checkoutBody,
      shippingAddress: { ...address, ...change },
    });
    const cases: [() => Promise<JsonResponse>, number, RegExp | string][] = [
      [() => checkout(cart.id, checkoutBody, null), 400, 'Idempotency-Key header is required'],
      [
        () => checkout(cart.id, checkoutBody, 'two words'),
        400,
        /^Idempotency-Key must be 1 to 200 visible/,
      ],
      [
        () => checkout(cart.id, checkoutBody, 'k'.repeat(201)),
        400,
        /^Idempotency-Key must be 1 to 200/,
      ],
      [() => checkout(cart.id, { shippingAddress: address }), 400, 'email is required'],
      [
        () => checkout(cart.id, { ...checkoutBody, email: 'nope' }),
        400,
        'email must be an email address',
      ],
      [() => checkout(cart.id, { email: 'ada@example.com' }), 400, 'shippingAddress is required'],
      [
        () => checkout(cart.id, withAddress({ country: 'XX' })),
        400,
        'shippingAddress.country must be an ISO 3166-1 alpha-2 code such as GB',
      ],
      [
        () => checkout(cart.id, withAddress({ country: 'gb' })),
        400,
        'shippingAddress.country must be an ISO 3166-1 alpha-2 code such as GB',
      ],
      [() => checkout(cart.id, withAddress({ city: '' })), 400, /^shippingAddress\.city/],
      [() => checkout(cart.id, withAddress({ postcode: 7 })), 400, /^shippingAddress\.postcode/],
      [
        () => checkout(cart.id, { ...checkoutBody, coupon: 'x' }),
        400,
        'property coupon should not exist',
      ],
      [() => checkout(cart.id, '{'), 400, /JSON/i],
      [() => checkout('f'.repeat(32), checkoutBody), 404, 'No such cart'],
      [() => checkout(empty.id, checkoutBody), 409, 'The cart is empty'],
      [
        () => checkout(cart.id, checkoutBody, usedKey),
        422,
        /already used for a different checkout/,
      ],
      [() => checkout(used.id, checkoutBody), 409, /^The cart was checked out already/],
    ];
    // One at a time: each refusal is checked against the state the previous one left.
    for (const [send, status, message] of cases) expectError(await send(), status, message);

    expect(await getCart(cart.id)).toEqual(cartBefore);
    expect(await stockFigures(id)).toEqual(stockBefore);
    // The good checkout above was published (so the relay has gone past this point); the
    // refused ones placed nothing.
    await eventually(
      () =>
        Promise.resolve(
          orders.messages.find((m) => (m.body as OrderPlacedEvent).cartId === used.id),
        ),
      { what: "the used cart's order.placed" },
    );
    expect(
      orders.messages.filter((m) => (m.body as OrderPlacedEvent).cartId === cart.id),
    ).toHaveLength(0);
  });

  it('checkout answers 202 with the order, and order.placed reaches the orders exchange', async () => {
    const id = 1169;
    await setStock(id, 4);
    const cart = await newCart();
    expect((await put(cart.id, id, { quantity: 2 })).status).toBe(200);
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => checkout(cart.id, checkoutBody, key)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(202));
    const orderIds = new Set(answers.map((answer) => answer.body.orderId));
    expect(orderIds.size).toBe(1);
    const [orderId] = [...orderIds];
    expect(answers[0].body).toEqual({ orderId, status: 'pending' });
    expect(answers[0].headers.get('location')).toBe(`/orders/${orderId}`);
    expect(await stockFigures(id)).toMatchObject({ stock: 2, onHand: 2, held: 0 });

    const order = await requestJson<{ id: string; status: string }>(
      `${urls.varnish}/orders/${orderId}`,
    );
    expect(order.status).toBe(200);
    expect(order.body).toMatchObject({
      id: orderId,
      status: expect.stringMatching(/^(pending|confirmed)$/),
      email: 'ada@example.com',
      lines: [{ productId: id, quantity: 2 }],
    });
    const published = await eventually(
      () =>
        Promise.resolve(
          orders.messages.find((m) => (m.body as OrderPlacedEvent).orderId === orderId),
        ),
      { what: 'order.placed on the orders exchange' },
    );
    expect(published.properties).toMatchObject({
      messageId: orderId,
      type: 'order.placed',
      deliveryMode: 2,
      contentType: 'application/json',
    });
    expect(orders.messages.filter((m) => m.properties.messageId === orderId)).toHaveLength(1);
    expectError(
      await requestJson(`${urls.varnish}/orders/${'e'.repeat(32)}`),
      404,
      'No such order',
    );
  });

  it('300 shoppers, 100 units: exactly 100 orders, every other shopper a 409', async () => {
    const id = 1170;
    await setStock(id, 100);
    const results = await Promise.all(
      Array.from({ length: 300 }, async () => {
        const cart = await newCart();
        const added = await put(cart.id, id, { quantity: 1 });
        if (added.status !== 200) return { stage: 'add', status: added.status, orderId: null };
        const placed = await checkout(cart.id, checkoutBody);
        return { stage: 'checkout', status: placed.status, orderId: placed.body.orderId ?? null };
      }),
    );
    const placed = results.filter((r) => r.stage === 'checkout' && r.status === 202);
    expect(placed).toHaveLength(100);
    expect(results.filter((r) => r.status !== 202).every((r) => r.status === 409)).toBe(true);
    expect(new Set(placed.map((r) => r.orderId)).size).toBe(100);
    expect(await stockFigures(id)).toMatchObject({ stock: 0, onHand: 0, held: 0 });
    const answered = await Promise.all(
      placed.map((r) => requestJson<{ status: string }>(`${urls.stock}/orders/${r.orderId}`)),
    );
    expect(
      answered.every((r) => r.status === 200 && ['pending', 'confirmed'].includes(r.body.status)),
    ).toBe(true);
    // The order worker confirms exactly those 100 in MySQL, and GET /orders says so.
    const orderIds = placed.map((r) => r.orderId!);
    await eventually(
      async () => {
        const rows = await db
          .selectFrom('orders')
          .select(['id', 'status'])
          .where('id', 'in', orderIds)
          .execute();
        return rows.length === 100 && rows.every((row) => row.status === 'confirmed');
      },
      { what: '100 orders confirmed in MySQL', timeoutMs: 30_000, intervalMs: 200 },
    );
    const lines = await db
      .selectFrom('order_lines')
      .select((eb) => eb.fn.sum<number>('quantity').as('units'))
      .where('order_id', 'in', orderIds)
      .executeTakeFirstOrThrow();
    expect(Number(lines.units)).toBe(100);
    const confirmed = await Promise.all(
      orderIds.map((orderId) => requestJson<{ status: string }>(`${urls.stock}/orders/${orderId}`)),
    );
    expect(confirmed.every((r) => r.body.status === 'confirmed')).toBe(true);
    await eventually(
      () =>
        Promise.resolve(
          orders.messages.filter((m) =>
            (m.body as OrderPlacedEvent).lines.some((line) => line.productId === id),
          ).length === 100 || undefined,
        ),
      { what: '100 order.placed messages', timeoutMs: 30_000 },
    );
  });

  describe('with a 2 s hold (stock-api restarted with CART_HOLD_SECONDS=2)', () => {
    /** Varnish's probe saw stock-api go; its answers pass through again only once it is back. */
    async function servedThroughVarnish(): Promise<void> {
      await eventually(
        async () =>
          (await requestJson(`${urls.varnish}/carts/${'0'.repeat(32)}`)).status === 404
            ? true
            : undefined,
        { what: 'stock-api served through Varnish again', timeoutMs: 30_000 },
      );
    }

    beforeAll(async () => {
      await killApp('stock-api', 'SIGTERM');
      await startApp('stock-api', { CART_HOLD_SECONDS: '2' });
      await servedThroughVarnish();
    }, 90_000);

    afterAll(async () => {
      await killApp('stock-api', 'SIGTERM');
      await startApp('stock-api');
      await servedThroughVarnish();
    }, 90_000);

    it('an untouched cart expires and its units come back within 5 s, seen as a release', async () => {
      const id = 1171;
      await setStock(id, 3);
      const cart = await newCart();
      const added = await put(cart.id, id, { quantity: 2 });
      expect(added.status).toBe(200);
      const expiresAt = Date.parse((added.body as CartBody).expiresAt);
      expect(await stockFigures(id)).toMatchObject({ stock: 1, held: 2 });
      const release = await eventually(
        () =>
          Promise.resolve(
            stockEvents.messages
              .map((message) => message.body as StockChangedEvent)
              .find((event) => event.id === id && event.reason === 'release'),
          ),
        { what: 'the release event on stock/info', timeoutMs: 15_000 },
      );
      expect(release).toMatchObject({ stock: 3, delta: 2, onHand: 3, held: 0 });
      expect(Date.parse(release.occurredAt) - expiresAt).toBeLessThanOrEqual(5000);
      expect(await stockFigures(id)).toMatchObject({ stock: 3, onHand: 3, held: 0 });
      expect((await getCart(cart.id)).status).toBe('expired');
    });
  });
});
