import { createConnection } from 'mysql2/promise';
import { randomUUID } from 'node:crypto';
import type { StockChangedEvent } from '@shop/contracts';
import { createRedisClient, keyServers } from '@shop/redis';
import { PlainStockListener } from './support/amqp';
import { startRabbitApp, stopRabbitApp } from './support/services';
import { adminHeaders, config, eventually, requestJson, urls } from './support/stack';

interface StockBody {
  id: number;
  stock: number;
  version: number;
  updatedAt?: string;
}

const stockUrl = (id: number): string => `${urls.varnish}/products/${id}/stock`;

function change(
  id: number,
  body: unknown,
  headers: Record<string, string> = adminHeaders,
): Promise<{ status: number; body: StockBody & { message?: string } }> {
  return requestJson(stockUrl(id), {
    method: 'PUT',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function level(id: number): Promise<StockBody> {
  const response = await requestJson<StockBody>(`${urls.stock}/products/${id}/stock`);
  expect(response.status).toBe(200);
  return response.body;
}

async function mysqlStock(id: number): Promise<{ quantity: number; version: number } | undefined> {
  const connection = await createConnection(config.MYSQL_URL);
  try {
    const [rows] = await connection.query(
      'SELECT quantity, version FROM stock WHERE product_id = ?',
      [id],
    );
    const [row] = rows as { quantity: number; version: number }[];
    return row ? { quantity: Number(row.quantity), version: Number(row.version) } : undefined;
  } finally {
    await connection.end();
  }
}

function eventsOf(
  listener: PlainStockListener,
  id: number,
  routingKey = 'info',
): StockChangedEvent[] {
  return listener.messages
    .filter((message) => message.routingKey === routingKey)
    .map((message) => message.body as StockChangedEvent)
    .filter((event) => event.id === id);
}

/**
 * Proves that nothing more arrives for `id` without waiting a fixed time: one more change of the
 * same product goes through the same ledger outbox, relay and queue, after everything before it
 * (the relay publishes the outbox in order on one channel; one queue keeps that order). Once its
 * event is here, anything the earlier changes caused is here too. Returns the sentinel's version.
 */
async function sentinelChange(listener: PlainStockListener, id: number): Promise<number> {
  const sentinel = await change(id, { stock: 1, action: 'increment' });
  expect(sentinel.status).toBe(200);
  await eventually(
    async () =>
      eventsOf(listener, id).some((event) => event.version === sentinel.body.version)
        ? true
        : undefined,
    { what: `the sentinel event of product ${id} (version ${sentinel.body.version})` },
  );
  return sentinel.body.version;
}

describe('stock API (through Varnish)', () => {
  let listener: PlainStockListener;

  beforeAll(async () => {
    listener = await new PlainStockListener('stock', ['info', 'depleted', 'restocked']).open();
  });

  afterAll(async () => {
    await listener.close();
  });

  it('never oversells: 60 concurrent decrements of 1 on 20 units', async () => {
    const id = 1101;
    expect((await change(id, { stock: 20, action: 'set' })).status).toBe(200);
    const results = await Promise.all(
      Array.from({ length: 60 }, () => change(id, { stock: 1, action: 'decrement' })),
    );
    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(20);
    expect(statuses.filter((status) => status === 409)).toHaveLength(40);
    expect((await level(id)).stock).toBe(0);
  });

  it('publishes exactly one plain JSON event per change, versions strictly increasing', async () => {
    const id = 1102;
    const before = await level(id);
    const changes = [
      { stock: 5, action: 'set' },
      { stock: 3, action: 'increment' },
      { stock: 8, action: 'decrement' },
      { stock: 2, action: 'increment' },
    ];
    for (const body of changes) expect((await change(id, body)).status).toBe(200);

    const events = await eventually(
      async () => {
        const received = eventsOf(listener, id).filter((event) => event.version > before.version);
        return received.length >= changes.length ? received : undefined;
      },
      { what: 'four stock events' },
    );
    // Nothing more may arrive: everything published before the sentinel's event is here.
    const sentinel = await sentinelChange(listener, id);
    const all = eventsOf(listener, id).filter(
      (event) => event.version > before.version && event.version < sentinel,
    );
    expect(all).toHaveLength(4);
    // One version per change, consecutive; the first may start a newer ledger epoch's range
    // (see stock-version.ts) when the product's last change predates a ledger rebuild.
    expect(all[0].version).toBeGreaterThan(before.version);
    expect(all.map((event) => event.version)).toEqual([0, 1, 2, 3].map((n) => all[0].version + n));
    expect(all.map((event) => event.stock)).toEqual([5, 8, 0, 2]);
    expect(events[1]).toMatchObject({ id, stock: 8, delta: 3, reason: 'increment' });
    expect(typeof events[0].occurredAt).toBe('string');

    const message = listener.messages.find(
      (m) => m.routingKey === 'info' && (m.body as StockChangedEvent).id === id,
    )!;
    expect(message.properties).toMatchObject({
      contentType: 'application/json',
      deliveryMode: 2,
      type: 'stock.changed',
      messageId: `stock-${id}-v${all[0].version}`,
    });
    expect(typeof message.properties.timestamp).toBe('number');

    // The crossings are also published on their own keys.
    expect(eventsOf(listener, id, 'depleted').map((event) => event.stock)).toEqual([0]);
    expect(eventsOf(listener, id, 'restocked').map((event) => event.stock)).toContain(2);
  });

  it('keeps every change while RabbitMQ is down and delivers each once when it is back', async () => {
    const id = 1103;
    const before = await level(id);
    await stopRabbitApp();
    try {
      for (let n = 0; n < 200; n += 1) {
        const result = await change(id, { stock: 1, action: 'increment' });
        expect(result.status).toBe(200);
      }
    } finally {
      await startRabbitApp();
    }
    await listener.reopen();
    const events = await eventually(
      async () => {
        const received = eventsOf(listener, id).filter((event) => event.version > before.version);
        return received.length >= 200 ? received : undefined;
      },
      { what: '200 events after the broker restart', timeoutMs: 60_000 },
    );
    const sentinel = await sentinelChange(listener, id);
    const versions = eventsOf(listener, id)
      .filter((event) => event.version > before.version && event.version < sentinel)
      .map((event) => event.version);
    expect(versions).toHaveLength(200);
    expect(new Set(versions).size).toBe(200);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(events.at(-1)!.stock).toBe(before.stock + 200);
  }, 180_000);

  it('answers a retried request with an Idempotency-Key once, without a second change', async () => {
    const id = 1104;
    const key = randomUUID();
    const headers = { ...adminHeaders, 'idempotency-key': key };
    const first = await change(id, { stock: 4, action: 'increment' }, headers);
    const second = await change(id, { stock: 4, action: 'increment' }, headers);
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect((await level(id)).version).toBe(first.body.version);
  });

  it.each([
    ['malformed JSON', '{"stock": 1,', 400],
    ['a missing stock', { action: 'increment' }, 400],
    ['a non-integer stock', { stock: 1.5, action: 'increment' }, 400],
    ['a string stock', { stock: '3', action: 'increment' }, 400],
    ['a negative stock', { stock: -1, action: 'increment' }, 400],
    ['a stock over 1,000,000,000', { stock: 1_000_000_001, action: 'set' }, 400],
    ['an unknown action', { stock: 1, action: 'steal' }, 400],
    ['a decrement below zero', { stock: 1_000_000, action: 'decrement' }, 409],
  ])('refuses %s with a clear 4xx and changes nothing', async (_what, body, status) => {
    const id = 1105;
    const before = await level(id);
    const eventCount = eventsOf(listener, id).length;
    const response = await change(id, body);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({
      statusCode: status,
      error: expect.any(String),
      message: expect.any(String),
    });
    // The ledger answers after its atomic step: a refused change is visible (as none) at once.
    expect(await level(id)).toEqual(before);
    // And it published nothing: the next change's event is the first one after the refusal.
    const sentinel = await sentinelChange(listener, id);
    expect(eventsOf(listener, id).slice(eventCount)).toEqual([
      expect.objectContaining({ id, version: sentinel, stock: before.stock + 1 }),
    ]);
  });

  it('refuses a write without a token (401) or with a wrong one, and an unknown product (404)', async () => {
    const id = 1105;
    const before = await level(id);
    const noToken = await change(
      id,
      { stock: 1, action: 'set' },
      { 'content-type': 'application/json' },
    );
    expect(noToken.status).toBe(401);
    const wrong = await change(
      id,
      { stock: 1, action: 'set' },
      { ...adminHeaders, authorization: 'Bearer nope' },
    );
    expect(wrong.status).toBe(401);
    expect(await level(id)).toEqual(before);
    expect((await requestJson(`${urls.varnish}/products/987654/stock`)).status).toBe(404);
    expect((await change(987654, { stock: 1, action: 'set' })).status).toBe(404);
    expect((await requestJson(`${urls.varnish}/products/abc/stock`)).status).toBe(400);
  });

  it('reads many products at once', async () => {
    const response = await requestJson<{ items: StockBody[]; unknown: number[] }>(
      `${urls.varnish}/stock?ids=1101,1102,987654`,
    );
    expect(response.status).toBe(200);
    expect(response.body.items.map((item) => item.id)).toEqual([1101, 1102]);
    expect(response.body.unknown).toEqual([987654]);
  });

  it('serves a fresh figure through Varnish after a change (the cached copy is purged)', async () => {
    const id = 1106;
    await change(id, { stock: 7, action: 'set' });
    await eventually(
      async () => {
        const response = await fetch(stockUrl(id));
        return response.headers.get('x-cache') === 'HIT' ? true : undefined;
      },
      { what: 'a cached stock response' },
    );
    const changed = await change(id, { stock: 1, action: 'increment' });
    const fresh = await eventually(
      async () => {
        const body = (await requestJson<StockBody>(stockUrl(id))).body;
        return body.version === changed.body.version ? body : undefined;
      },
      { what: 'the new version through Varnish' },
    );
    expect(fresh.stock).toBe(8);
  });

  it('restores the ledger from MySQL when Redis comes back empty', async () => {
    const id = 1107;
    const changed = await change(id, { stock: 42, action: 'set' });
    const inMysql = await eventually(
      async () => {
        const row = await mysqlStock(id);
        return row && row.version === changed.body.version ? row : undefined;
      },
      { what: 'the change in MySQL' },
    );
    const redis = createRedisClient(config.REDIS_URL);
    try {
      await Promise.all(keyServers(redis).map((server) => server.flushdb()));
    } finally {
      redis.disconnect();
    }
    const restored = await eventually(
      async () => {
        const response = await requestJson<StockBody>(`${urls.stock}/products/${id}/stock`);
        return response.status === 200 ? response.body : undefined;
      },
      { what: 'a read after the restore', timeoutMs: 30_000 },
    );
    expect({ quantity: restored.stock, version: restored.version }).toEqual(inMysql);
  });
});
