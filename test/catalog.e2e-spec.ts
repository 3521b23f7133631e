import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Product, ProductDocument, ProductSearchResult } from '@shop/contracts';
import {
  adminHeaders,
  eventually,
  requestJson,
  uniqueWord,
  urls,
  type JsonResponse,
} from './support/stack';

const run = promisify(execFile);

/** A word no demo product contains, so a query for it returns exactly this run's fixtures. */
const token = uniqueWord('qx');

interface Fixture {
  key: string;
  name: string;
  price: number;
  category: string;
  stock: number;
}

const fixtures: Fixture[] = [
  { key: 'A', name: `${token} Alpha Jacket`, price: 10, category: 'women-blazers', stock: 5 },
  { key: 'B', name: `${token} Beta Jacket`, price: 30, category: 'women-blazers', stock: 0 },
  { key: 'C', name: `${token} Gamma Scarf`, price: 60, category: 'accessories-scarves', stock: 3 },
  { key: 'D', name: `${token} Delta Scarf`, price: 120, category: 'accessories-scarves', stock: 0 },
  { key: 'E', name: `${token} Epsilon Lamp`, price: 250, category: 'home-decor', stock: 2 },
  { key: 'F', name: `${token} Zeta Lamp`, price: 45.5, category: 'home-decor', stock: 1 },
];

const ids = new Map<string, number>();
const idOf = (key: string): number => ids.get(key)!;

function search(params: string): Promise<JsonResponse<ProductSearchResult>> {
  return requestJson<ProductSearchResult>(`${urls.varnish}/products?${params}`);
}

function names(result: ProductSearchResult): string[] {
  return result.items.map((item) => item.name.replace(`${token} `, ''));
}

function admin(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Product & { message?: string } }> {
  return requestJson(`${urls.varnish}/admin/products${path}`, {
    method,
    // No content type without a body: Fastify refuses an empty body declared as JSON (400).
    headers: body === undefined ? { authorization: adminHeaders.authorization } : adminHeaders,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('catalog API (through Varnish)', () => {
  beforeAll(async () => {
    for (const fixture of fixtures) {
      const created = await admin('POST', '', {
        sku: `E2E-${token}-${fixture.key}`,
        name: fixture.name,
        description: `Fixture ${fixture.key} of an end-to-end run.`,
        price: fixture.price,
        categories: [fixture.category],
      });
      expect(created.status).toBe(201);
      ids.set(fixture.key, created.body.id);
    }
    // The stock API learns new products from the catalog's events; then stock goes in.
    for (const fixture of fixtures.filter((f) => f.stock > 0)) {
      await eventually(
        async () => {
          const response = await requestJson(`${urls.stock}/products/${idOf(fixture.key)}/stock`, {
            method: 'PUT',
            headers: adminHeaders,
            body: JSON.stringify({ stock: fixture.stock, action: 'set' }),
          });
          return response.status === 200 ? true : undefined;
        },
        { what: `stock of fixture ${fixture.key}` },
      );
    }
    // Searchable, with the in-stock flags applied by the sync worker. A failure says whether the
    // index or the cache in front of it lags.
    await eventually(
      async () => {
        const params = `q=${token}&inStock=true&size=10`;
        const result = await search(params);
        if (result.body.total === 4) return true;
        const origin = await requestJson<ProductSearchResult>(`${urls.catalog}/products?${params}`);
        throw new Error(
          `${result.body.total} in stock through Varnish (X-Cache ${result.headers.get('x-cache')}), ` +
            `${origin.body.total} from catalog-api directly`,
        );
      },
      { what: 'fixtures indexed with stock flags', timeoutMs: 20_000 },
    );
  });

  afterAll(async () => {
    for (const id of ids.values()) await admin('DELETE', `/${id}`);
  });

  it('finds hits with totals and every aggregation over the matching set', async () => {
    const { status, body } = await search(`q=${token}&size=10`);
    expect(status).toBe(200);
    expect(body.total).toBe(6);
    expect(body.items).toHaveLength(6);
    expect(body.aggregations.avgPrice).toBeCloseTo(515.5 / 6, 2);
    expect(body.aggregations.minPrice).toBe(10);
    expect(body.aggregations.maxPrice).toBe(250);
    // Labels are the categories' names from the menu tree.
    expect(body.aggregations.categories).toEqual(
      expect.arrayContaining([
        { key: 'women-blazers', label: 'Blazers', count: 2, selected: false },
        { key: 'accessories-scarves', label: 'Scarves & Hats', count: 2, selected: false },
        { key: 'home-decor', label: 'Decor', count: 2, selected: false },
      ]),
    );
    expect(body.aggregations.categories).toHaveLength(3);
    expect(body.aggregations.priceRanges.map((range) => range.count)).toEqual([1, 2, 1, 1, 1]);
  });

  it('applies price range, category (a department includes its children) and inStock together', async () => {
    const { body } = await search(
      `q=${token}&category=accessories&category=home&minPrice=40&maxPrice=200&inStock=true`,
    );
    expect(body.total).toBe(2);
    expect(names(body).sort()).toEqual(['Gamma Scarf', 'Zeta Lamp']);
    // Multi-select: the price facet (statistics and ranges) counts every selection but the price
    // bounds, i.e. in-stock accessories and home: Zeta 45.5, Gamma 60, Epsilon 250.
    expect(body.aggregations.avgPrice).toBeCloseTo(118.5, 2);
    expect(body.aggregations.minPrice).toBe(45.5);
    expect(body.aggregations.maxPrice).toBe(250);
    expect(body.aggregations.priceRanges.map((range) => range.count)).toEqual([0, 1, 1, 0, 1]);
    // The category facet counts every selection but the categories: in stock at 40..200.
    expect(body.aggregations.categories).toEqual(
      expect.arrayContaining([
        { key: 'accessories-scarves', label: 'Scarves & Hats', count: 1, selected: false },
        { key: 'home-decor', label: 'Decor', count: 1, selected: false },
        // The selected departments, though nothing is filed under them directly.
        { key: 'accessories', label: 'Accessories', count: 0, selected: true },
        { key: 'home', label: 'Home', count: 0, selected: true },
      ]),
    );
    const outOfStock = await search(`q=${token}&inStock=false`);
    expect(names(outOfStock.body).sort()).toEqual(['Beta Jacket', 'Delta Scarf']);
  });

  it('selects price ranges and categories as multi-select facets and excludes categories', async () => {
    const { body } = await search(
      `q=${token}&category=women-blazers&category=home-decor&priceRange=*-25&priceRange=200-*`,
    );
    // Blazers or decor, under 25 or from 200: Alpha (10) and Epsilon (250).
    expect(names(body).sort()).toEqual(['Alpha Jacket', 'Epsilon Lamp']);
    // Categories counted under the price selection only: Alpha (blazers) and Epsilon (decor).
    expect(body.aggregations.categories).toEqual([
      { key: 'home-decor', label: 'Decor', count: 1, selected: true },
      { key: 'women-blazers', label: 'Blazers', count: 1, selected: true },
    ]);
    // Ranges counted under the category selection only: Alpha 10, Beta 30, Zeta 45.5, Epsilon 250.
    expect(body.aggregations.priceRanges).toEqual([
      { key: '*-25', from: null, to: 25, count: 1, selected: true },
      { key: '25-50', from: 25, to: 50, count: 2, selected: false },
      { key: '50-100', from: 50, to: 100, count: 0, selected: false },
      { key: '100-200', from: 100, to: 200, count: 0, selected: false },
      { key: '200-*', from: 200, to: null, count: 1, selected: true },
    ]);

    const excluded = await search(`q=${token}&excludeCategory=accessories&size=10`);
    expect(names(excluded.body).sort()).toEqual([
      'Alpha Jacket',
      'Beta Jacket',
      'Epsilon Lamp',
      'Zeta Lamp',
    ]);
    expect(excluded.body.aggregations.categories.map((bucket) => bucket.key).sort()).toEqual([
      'home-decor',
      'women-blazers',
    ]);

    const bad = await search(`q=${token}&priceRange=10-20`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('sorts by price both ways, by newest and by relevance', async () => {
    expect(names((await search(`q=${token}&sort=price_asc`)).body)).toEqual([
      'Alpha Jacket',
      'Beta Jacket',
      'Zeta Lamp',
      'Gamma Scarf',
      'Delta Scarf',
      'Epsilon Lamp',
    ]);
    expect(names((await search(`q=${token}&sort=price_desc`)).body)).toEqual([
      'Epsilon Lamp',
      'Delta Scarf',
      'Gamma Scarf',
      'Zeta Lamp',
      'Beta Jacket',
      'Alpha Jacket',
    ]);
    expect(names((await search(`q=${token}&sort=newest`)).body)).toEqual([
      'Zeta Lamp',
      'Epsilon Lamp',
      'Delta Scarf',
      'Gamma Scarf',
      'Beta Jacket',
      'Alpha Jacket',
    ]);
    const relevance = await search(`q=${token} scarf&sort=relevance`);
    expect(names(relevance.body).slice(0, 2).sort()).toEqual(['Delta Scarf', 'Gamma Scarf']);
  });

  it('pages through results', async () => {
    const page2 = await search(`q=${token}&sort=price_asc&page=2&size=2`);
    expect(page2.body).toMatchObject({ total: 6, page: 2, size: 2 });
    expect(names(page2.body)).toEqual(['Zeta Lamp', 'Gamma Scarf']);
    const beyond = await search(`q=${token}&page=4&size=2`);
    expect(beyond.body.items).toEqual([]);
  });

  it('stems English ("blazers") and tolerates typos ("blazr")', async () => {
    for (const q of ['blazers', 'blazr']) {
      const { body } = await search(`q=${q}&size=100`);
      expect(body.items.map((item) => item.name)).toContain('Linen Blazer');
    }
  });

  it('suggests names as the shopper types', async () => {
    const response = await requestJson<{ id: number; name: string }[]>(
      `${urls.varnish}/products/suggest?q=${token.slice(0, 6)}`,
    );
    expect(response.status).toBe(200);
    expect(response.body.length).toBeGreaterThan(0);
    expect(response.body.length).toBeLessThanOrEqual(10);
    expect(response.body.every((s) => s.name.startsWith(token))).toBe(true);
  });

  it('serves one product, 404 for an unknown one, and the category tree', async () => {
    const product = await requestJson<ProductDocument>(`${urls.varnish}/products/${idOf('C')}`);
    expect(product.status).toBe(200);
    expect(product.body).toMatchObject({ name: `${token} Gamma Scarf`, price: 60, inStock: true });
    const unknown = await requestJson(`${urls.varnish}/products/987654`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Product 987654 not found',
    });
    const tree = await requestJson<{ slug: string; children: { slug: string }[] }[]>(
      `${urls.varnish}/categories`,
    );
    expect(tree.body.find((node) => node.slug === 'women')?.children.map((c) => c.slug)).toContain(
      'women-blazers',
    );
  });

  it.each([
    ['minPrice=abc', /minPrice/],
    ['maxPrice=12x', /maxPrice/],
    ['size=101', /size/],
    ['size=0', /size/],
    ['page=0', /page/],
    ['sort=cheapest', /sort/],
    ['inStock=maybe', /inStock/],
    ['minPrice=50&maxPrice=10', /minPrice/],
  ])('answers 400 naming the field for %s', async (params, field) => {
    const response = await requestJson<{ statusCode: number; message: string }>(
      `${urls.varnish}/products?${params}`,
    );
    expect(response.status).toBe(400);
    expect(response.body.statusCode).toBe(400);
    expect(response.body.message).toMatch(field);
  });

  it('reflects an admin create, update and delete in search; a duplicate SKU is 409', async () => {
    const sku = `E2E-${token}-G`;
    const created = await admin('POST', '', {
      sku,
      name: `${token} Omega Boots`,
      description: 'Waterproof boots.',
      price: 99.99,
      categories: ['men-shoes'],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    ids.set('G', id);
    expect(created.body).toMatchObject({ sku, price: 99.99, categories: ['men-shoes'] });

    const duplicate = await admin('POST', '', {
      sku,
      name: 'Another',
      description: 'x',
      price: 1,
      categories: ['men-shoes'],
    });
    expect(duplicate.status).toBe(409);

    await eventually(
      async () =>
        (await search(`q=${token} omega`)).body.items.some((i) => i.id === id) ? true : undefined,
      {
        what: 'the new product searchable',
      },
    );
    const patched = await admin('PATCH', `/${id}`, { price: 79.5 });
    expect(patched.status).toBe(200);
    expect(patched.body.price).toBe(79.5);
    await eventually(
      async () => {
        const product = await requestJson<ProductDocument>(`${urls.varnish}/products/${id}`);
        return product.body.price === 79.5 ? true : undefined;
      },
      { what: 'the new price through Varnish' },
    );
    const removed = await admin('DELETE', `/${id}`);
    expect(removed.status).toBe(204);
    ids.delete('G');
    await eventually(
      async () =>
        (await requestJson(`${urls.varnish}/products/${id}`)).status === 404 ? true : undefined,
      { what: 'the deleted product gone' },
    );
    // Listings are soft-purged: one visitor may get the old copy while Varnish refreshes it.
    await eventually(
      async () =>
        (await search(`q=${token} omega`)).body.items.some((i) => i.id === id) ? undefined : true,
      { what: 'the deleted product gone from cached listings' },
    );
    expect((await admin('DELETE', `/${id}`)).status).toBe(404);
  });

  it('refuses admin writes without the token and bad bodies with 400', async () => {
    const anonymous = await requestJson(`${urls.varnish}/admin/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
    const badPrice = await admin('POST', '', {
      sku: `E2E-${token}-H`,
      name: 'x',
      description: 'x',
      price: 'cheap',
      categories: ['men-shoes'],
    });
    expect(badPrice.status).toBe(400);
    expect(badPrice.body.message).toMatch(/price/);
    const unknownCategory = await admin('POST', '', {
      sku: `E2E-${token}-H`,
      name: 'x',
      description: 'x',
      price: 1,
      categories: ['no-such-category'],
    });
    expect(unknownCategory.status).toBe(400);
    expect(unknownCategory.body.message).toMatch(/no-such-category/);
  });

  it('keeps answering every search while a full reindex swaps the index', async () => {
    let searching = true;
    let searches = 0;
    const failures: string[] = [];
    const loop = (async () => {
      while (searching) {
        const response = await fetch(`${urls.catalog}/products?q=${token}&size=10`);
        searches += 1;
        if (response.status !== 200) failures.push(`${response.status} ${await response.text()}`);
        else {
          const body = (await response.json()) as ProductSearchResult;
          if (body.total !== 6) failures.push(`total ${body.total}`);
        }
      }
    })();
    const { stdout } = await run('npx', ['tsx', join('scripts', 'search', 'reindex.ts')], {
      cwd: join(__dirname, '..'),
      timeout: 120_000,
    });
    searching = false;
    await loop;
    expect(stdout).toMatch(/reindexed \d+ products into products_v\d+/);
    expect(failures).toEqual([]);
    expect(searches).toBeGreaterThan(10);
  });
});
