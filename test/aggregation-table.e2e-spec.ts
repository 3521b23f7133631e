import { randomBytes } from 'node:crypto';
import type { Product, ProductSearchResult } from '@shop/contracts';
import { adminHeaders, eventually, requestJson, uniqueWord, urls } from './support/stack';

/**
 * Issue 17's acceptance: the original demo's aggregation table, reproduced through the API.
 * Categories "Blazers", "Default Category" and "Men" are created with the admin API; two blazers
 * at 455 and 490 are filed under all three, one dress at 300 elsewhere; a search for "blazers"
 * gives total 2, min 455, max 490, avg 472.5 and each of the three categories with count 2. The
 * products' names carry a word no other product has, so the search sees only them. Demo products
 * 1164, 1173 and 1174 only, put back as they were at the end.
 */

/** Letters only: the english analyzer keeps such a word whole. */
const token = uniqueWord('qz');
const prefix = `e2e-agg-${randomBytes(4).toString('hex')}`;
const CATEGORIES = [
  { slug: `${prefix}-blazers`, name: 'Blazers' },
  { slug: `${prefix}-default`, name: 'Default Category' },
  { slug: `${prefix}-men`, name: 'Men' },
  { slug: `${prefix}-dresses`, name: 'Dresses' },
] as const;
const TABLE = CATEGORIES.slice(0, 3).map((category) => category.slug);
const DRESSES = CATEGORIES[3].slug;

type ProductBody = Pick<Product, 'sku' | 'name' | 'description' | 'price' | 'categories'>;

const FIXTURES: { id: number; name: string; price: number; categories: string[] }[] = [
  { id: 1173, name: `${token} Navy Blazer`, price: 455, categories: TABLE },
  { id: 1174, name: `${token} Linen Blazer`, price: 490, categories: TABLE },
  { id: 1164, name: `${token} Summer Dress`, price: 300, categories: [DRESSES] },
];

function putProduct(id: number, body: ProductBody) {
  return requestJson<Product>(`${urls.varnish}/admin/products/${id}`, {
    method: 'PUT',
    headers: adminHeaders,
    body: JSON.stringify(body),
  });
}

describe("the original demo's aggregation table", () => {
  const originals = new Map<number, ProductBody>();

  beforeAll(async () => {
    for (const category of CATEGORIES) {
      const created = await requestJson(`${urls.varnish}/admin/categories`, {
        method: 'POST',
        headers: adminHeaders,
        body: JSON.stringify(category),
      });
      expect(created.status).toBe(201);
    }
    for (const fixture of FIXTURES) {
      const current = await requestJson<Product>(`${urls.catalog}/products/${fixture.id}`);
      expect(current.status).toBe(200);
      const { sku, name, description, price, categories } = current.body;
      originals.set(fixture.id, { sku, name, description, price, categories });
      const put = await putProduct(fixture.id, {
        sku,
        name: fixture.name,
        description: 'Tailored for the aggregation table.',
        price: fixture.price,
        categories: fixture.categories,
      });
      expect(put.status).toBe(200);
    }
  });

  afterAll(async () => {
    for (const [id, body] of originals) await putProduct(id, body);
    for (const category of CATEGORIES) {
      await requestJson(`${urls.varnish}/admin/categories/${category.slug}`, {
        method: 'DELETE',
        headers: { authorization: adminHeaders.authorization },
      });
    }
  });

  it('a search for "blazers": total 2, min 455, max 490, avg 472.5, each category counting 2', async () => {
    const result = await eventually(
      async () => {
        const response = await requestJson<ProductSearchResult>(
          `${urls.varnish}/products?q=${token}%20blazers`,
        );
        expect(response.status).toBe(200);
        return response.body.total === 2 ? response.body : undefined;
      },
      { what: 'the two blazers searchable' },
    );
    expect(result.items.map((item) => item.id).sort()).toEqual([1173, 1174]);
    expect(result.aggregations).toMatchObject({ minPrice: 455, maxPrice: 490, avgPrice: 472.5 });
    const buckets = result.aggregations.categories
      .map(({ key, label, count }) => ({ key, label, count }))
      .sort((a, b) => a.key.localeCompare(b.key));
    expect(buckets).toEqual(
      CATEGORIES.slice(0, 3)
        .map(({ slug, name }) => ({ key: slug, label: name, count: 2 }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    );

    // The dress is there, in its own category, and out of the blazers' table.
    const dress = await eventually(
      async () => {
        const response = await requestJson<ProductSearchResult>(
          `${urls.varnish}/products?q=${token}%20dress`,
        );
        return response.body.total === 1 ? response.body : undefined;
      },
      { what: 'the dress searchable' },
    );
    expect(dress.items.map((item) => item.id)).toEqual([1164]);
    expect(dress.aggregations.categories.map(({ key, count }) => ({ key, count }))).toEqual([
      { key: DRESSES, count: 1 },
    ]);
  });
});
