import { randomBytes } from 'node:crypto';
import type { Product } from '@shop/contracts';
import { createDatabase, type Database } from '@shop/persistence';
import { StockKeys } from '@shop/stock';
import type { ReconcileReport } from '@shop/sync';
import { createRedisClient, type RedisClient } from '@shop/redis';
import type { Kysely } from 'kysely';
import { redisAnswers, startRedis, stopRedis } from './support/services';
import { adminHeaders, config, eventually, requestJson, urls } from './support/stack';

/**
 * Issue 12, item 3 ("strict input at every edge"), against the running stack through Varnish:
 * ids that are not plain digits are a 400 naming the parameter in every app, and never reach the
 * product a sloppy parser would have read them as (`1e3` → 1000, `0x10` → 16, `+1` and `%201`
 * → 1): those demo products stay as they were in MySQL, Redis and Elasticsearch. Also: unknown
 * body fields, no-op PATCHes, DELETE with a JSON content type and no body, the storefront's 404s,
 * deletes removing the ledger entry, the reconciler removing orphans, and a dependency named
 * without its client library's text. Only reads demo products 1, 16 and 1000; writes its own.
 */

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/** Everything the three stores hold for one product, to compare before and after. */
interface ProductState {
  mysql: unknown;
  outboxRows: number;
  stockRow: unknown;
  level: Record<string, string>;
  registered: string | null;
  search: { found: boolean; source?: unknown };
}

/** The products a sloppy parser would have hit, by the inputs that would have hit them. */
const SLOPPY_TARGETS: Record<string, number> = {
  '1e3': 1000,
  '0x10': 16,
  '+1': 1,
  '%201': 1,
  '1%20': 1,
  '01': 1,
  '1.0': 1,
};
const OUT_OF_RANGE = ['0', '-1', '4294967296', '9999999999999999999'];
const TOUCHED = [1, 16, 1000];
const ID_MESSAGE = /^id must be a product id \(digits only, 1 to 4294967295\), got /;

const token = randomBytes(5).toString('hex');

describe('strict input at every edge (real stack)', () => {
  let db: Kysely<Database>;
  let redis: RedisClient;
  const keys = new StockKeys(undefined, config.STOCK_SHARDS);
  const created: number[] = [];

  beforeAll(() => {
    db = createDatabase(config.MYSQL_URL, { connectionLimit: 2 });
    redis = createRedisClient(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
  });

  afterAll(async () => {
    for (const id of created) {
      await requestJson(`${urls.catalog}/admin/products/${id}`, {
        method: 'DELETE',
        headers: { authorization: adminHeaders.authorization },
      });
    }
    redis?.disconnect();
    await db?.destroy();
  });

  async function stateOf(id: number): Promise<ProductState> {
    const [mysql, outbox, stockRow, level, registered, search] = await Promise.all([
      db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst(),
      db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('aggregate_type', '=', 'product')
        .where('aggregate_id', '=', String(id))
        .executeTakeFirstOrThrow(),
      db.selectFrom('stock').selectAll().where('product_id', '=', id).executeTakeFirst(),
      redis.hgetall(keys.level(id)),
      redis.zscore(keys.forProduct(id).knownIds, id),
      fetch(`${urls.elasticsearch}/products/_doc/${id}`).then(async (response) => {
        const body = (await response.json()) as { found: boolean; _source?: unknown };
        return { found: body.found, source: body._source };
      }),
    ]);
    return { mysql, outboxRows: Number(outbox.count), stockRow, level, registered, search };
  }

  async function statesOf(ids: readonly number[]): Promise<Map<number, ProductState>> {
    return new Map(await Promise.all(ids.map(async (id) => [id, await stateOf(id)] as const)));
  }

  /** The shop's error shape, exactly: `{ statusCode, error, message }` and nothing else. */
  function expectErrorBody(body: unknown, statusCode: 400, message: RegExp): void {
    expect(body).toEqual({
      statusCode,
      error: 'Bad Request',
      message: expect.stringMatching(message),
    });
  }

  function admin<T = unknown>(method: string, path: string, body?: unknown) {
    return requestJson<T>(`${urls.varnish}/admin/products${path}`, {
      method,
      headers: body === undefined ? { authorization: adminHeaders.authorization } : adminHeaders,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** A product of this run, known to the stock API (registration follows the catalog's events). */
  async function createProduct(key: string): Promise<Product> {
    const response = await admin<Product>('POST', '', {
      sku: `E2E-STRICT-${token}-${key}`,
      name: `Strict ${token} ${key}`,
      description: 'A fixture of the strict-input end-to-end test.',
      price: 12.5,
      categories: ['women-blazers'],
    });
    expect(response.status).toBe(201);
    created.push(response.body.id);
    await eventually(
      async () =>
        (await requestJson(`${urls.stock}/products/${response.body.id}/stock`)).status === 200
          ? true
          : undefined,
      { what: `product ${response.body.id} registered with the stock API` },
    );
    // Settled in search too, so a later "nothing changed" compares against the indexed state.
    await eventually(
      async () =>
        (await requestJson(`${urls.catalog}/products/${response.body.id}`)).status === 200
          ? true
          : undefined,
      { what: `product ${response.body.id} searchable` },
    );
    return response.body;
  }

  describe('product ids that are not plain digits', () => {
    it('are a 400 naming the id on every admin write, and leave the product they look like alone', async () => {
      const before = await statesOf(TOUCHED);
      for (const raw of [...Object.keys(SLOPPY_TARGETS), ...OUT_OF_RANGE]) {
        for (const [method, body] of [
          ['DELETE', undefined],
          ['PATCH', { name: `Overwritten by ${raw}` }],
          [
            'PUT',
            {
              sku: `E2E-STRICT-${token}-PUT`,
              name: `Overwritten by ${raw}`,
              description: 'x',
              price: 1,
              categories: ['women-blazers'],
            },
          ],
        ] as const) {
          const response = await admin(method, `/${raw}`, body);
          expect({ raw, method, status: response.status }).toEqual({ raw, method, status: 400 });
          expectErrorBody(response.body, 400, ID_MESSAGE);
        }
      }
      expect(await statesOf(TOUCHED)).toEqual(before);
    });

    it('are a 400 on catalog reads, never another product and never a 500', async () => {
      for (const raw of ['0x1', '1e3', '+1', '%201', ...OUT_OF_RANGE]) {
        const response = await requestJson(`${urls.varnish}/products/${raw}`);
        expect({ raw, status: response.status }).toEqual({ raw, status: 400 });
        expectErrorBody(response.body, 400, ID_MESSAGE);
        expect(response.headers.get('cache-control')).toBe('no-store');
      }
      // The plain spelling still answers.
      expect((await requestJson(`${urls.varnish}/products/1`)).status).toBe(200);
    });

    it('are a 400 on stock reads and writes, and the stock they look like stays as it was', async () => {
      const before = await statesOf(TOUCHED);
      for (const raw of [...Object.keys(SLOPPY_TARGETS), ...OUT_OF_RANGE]) {
        const read = await requestJson(`${urls.varnish}/products/${raw}/stock`);
        expect({ raw, status: read.status }).toEqual({ raw, status: 400 });
        expectErrorBody(read.body, 400, ID_MESSAGE);
        const write = await requestJson(`${urls.varnish}/products/${raw}/stock`, {
          method: 'PUT',
          headers: adminHeaders,
          body: JSON.stringify({ stock: 1, action: 'increment' }),
        });
        expect({ raw, status: write.status }).toEqual({ raw, status: 400 });
        expectErrorBody(write.body, 400, ID_MESSAGE);
      }
      for (const list of ['1,1e3', '0x10', '1,,2', '1,-1']) {
        const many = await requestJson(`${urls.varnish}/stock?ids=${list}`);
        expect({ list, status: many.status }).toEqual({ list, status: 400 });
        expectErrorBody(many.body, 400, /^ids must be a product id/);
      }
      expect(await statesOf(TOUCHED)).toEqual(before);
    });

    it('are a 400 HTML page on the storefront, and a 400 hole as a stock fragment', async () => {
      for (const raw of ['0x1', '1e3', '+1', '0']) {
        const page = await fetch(`${urls.varnish}/p/${raw}`);
        expect({ raw, status: page.status }).toEqual({ raw, status: 400 });
        expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
        const html = await page.text();
        expect(html).toContain('id must be a product id');
        const fragment = await fetch(`${urls.varnish}/fragments/stock/${raw}`);
        expect({ raw, status: fragment.status }).toEqual({ raw, status: 400 });
        expect(await fragment.text()).toBe('<!-- not a product id -->');
      }
    });
  });

  it('refuses a stock PUT with a field it does not know, changing nothing', async () => {
    const product = await createProduct('FIELDS');
    const before = await stateOf(product.id);
    const response = await requestJson(`${urls.varnish}/products/${product.id}/stock`, {
      method: 'PUT',
      headers: adminHeaders,
      body: JSON.stringify({ stock: 5, action: 'set', warehouse: 'north' }),
    });
    expect(response.status).toBe(400);
    expectErrorBody(response.body, 400, /^property warehouse should not exist$/);
    const stringStock = await requestJson(`${urls.varnish}/products/${product.id}/stock`, {
      method: 'PUT',
      headers: adminHeaders,
      body: JSON.stringify({ stock: '5', action: 'set' }),
    });
    expect(stringStock.status).toBe(400);
    expectErrorBody(stringStock.body, 400, /^stock must be an integer from 0 to 1000000000$/);
    expect(await stateOf(product.id)).toEqual(before);
  });

  it('answers a PATCH that changes nothing with the product, without a new version or event', async () => {
    const product = await createProduct('NOOP');
    const before = await stateOf(product.id);
    const response = await admin<Product>('PATCH', `/${product.id}`, {
      name: product.name,
      price: product.price,
      categories: product.categories,
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(product);
    const after = await stateOf(product.id);
    expect(after.mysql).toEqual(before.mysql);
    expect(after.outboxRows).toBe(before.outboxRows);
    // A real change still is one: the guard is not "never write".
    const changed = await admin<Product>('PATCH', `/${product.id}`, { price: 13 });
    expect(changed.status).toBe(200);
    expect((await stateOf(product.id)).outboxRows).toBe(before.outboxRows + 1);
  });

  it('deletes with Content-Type: application/json and no body, and the ledger entry goes too', async () => {
    const product = await createProduct('DELETE');
    const set = await requestJson(`${urls.varnish}/products/${product.id}/stock`, {
      method: 'PUT',
      headers: adminHeaders,
      body: JSON.stringify({ stock: 7, action: 'set' }),
    });
    expect(set.status).toBe(200);
    expect(await redis.hget(keys.level(product.id), 'stock')).toBe('7');

    // Bad JSON on a DELETE is still refused.
    const badJson = await requestJson(`${urls.varnish}/admin/products/${product.id}`, {
      method: 'DELETE',
      headers: adminHeaders,
      body: '{"oops"',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect((await stateOf(product.id)).mysql).toBeDefined();

    const removed = await requestJson(`${urls.varnish}/admin/products/${product.id}`, {
      method: 'DELETE',
      headers: adminHeaders, // application/json, and no body
    });
    expect(removed.status).toBe(204);
    expect((await stateOf(product.id)).mysql).toBeUndefined();
    await eventually(
      async () => {
        const state = await stateOf(product.id);
        return Object.keys(state.level).length === 0 &&
          state.registered === null &&
          !state.search.found
          ? true
          : undefined;
      },
      { what: 'the level hash, the registration and the document of the deleted product gone' },
    );
    expect((await requestJson(`${urls.stock}/products/${product.id}/stock`)).status).toBe(404);
  });

  it('removes ledger entries of products MySQL no longer has when reconciling, and counts them', async () => {
    // What deletes left behind before they removed the level too: a level, no registration.
    const orphan = 4_294_000_000 + Math.floor(Math.random() * 900_000);
    expect(await db.selectFrom('products').select('id').where('id', '=', orphan).execute()).toEqual(
      [],
    );
    await redis.hset(keys.level(orphan), { stock: '3', version: '2', updatedAt: '1' });
    let counted = 0;
    await eventually(
      async () => {
        const report = await requestJson<ReconcileReport>(`${urls.syncWorker}/reconcile`, {
          method: 'POST',
          headers: { authorization: adminHeaders.authorization },
        });
        expect(report.status).toBe(200);
        counted = Math.max(counted, report.body.kinds['stock.extraInRedis'].found);
        return (await redis.exists(keys.level(orphan))) === 0 ? true : undefined;
      },
      { what: 'the orphan level removed by a reconciliation', timeoutMs: 30_000 },
    );
    expect(counted).toBeGreaterThanOrEqual(1);
  });

  describe('storefront', () => {
    it('answers a stock fragment of an unknown product with 404', async () => {
      const response = await fetch(`${urls.varnish}/fragments/stock/4294967295`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    });

    it('answers an unknown path with an HTML 404 page kept a minute at most', async () => {
      const path = `/no-such-page-${token}`;
      const response = await fetch(`${urls.varnish}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await response.text()).toContain('Page not found');
      // The lifetime Varnish gives it, as the storefront announces it.
      const direct = await fetch(`${urls.storefront}${path}`);
      expect(direct.status).toBe(404);
      // Never cached for long: not stored at all, or a minute at most.
      expect(direct.headers.get('surrogate-control')).toMatch(/^no-store$|max-age=60$/);
    });
  });

  it('names Redis, not the Redis client, when the ledger cannot be reached', async () => {
    await stopRedis();
    try {
      // The client may take a moment to notice the connection is gone.
      const response = await eventually(
        async () => {
          const answer = await requestJson<ErrorBody>(`${urls.stock}/products/1/stock`);
          return answer.status === 503 ? answer : undefined;
        },
        { what: 'stock-api answering 503 with Redis down' },
      );
      expect(response.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.stringMatching(/^Redis is unavailable/),
      });
      expect(response.body.message).not.toMatch(
        /ECONNREFUSED|127\.0\.0\.1|:\d{4}|ioredis|Connection is closed/i,
      );
    } finally {
      if (!(await redisAnswers())) await startRedis();
    }
    await eventually(
      async () =>
        (await requestJson(`${urls.stock}/products/1/stock`)).status === 200 ? true : undefined,
      { what: 'the stock API answering again after Redis restarted', timeoutMs: 30_000 },
    );
  }, 120_000);
});
