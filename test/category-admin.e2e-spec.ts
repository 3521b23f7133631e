import { randomBytes } from 'node:crypto';
import type { CategoryNode, Product, ProductSearchResult } from '@shop/contracts';
import { createDatabase, type Database } from '@shop/persistence';
import type { Kysely } from 'kysely';
import { viewPage } from './support/varnish';
import { adminHeaders, config, eventually, requestJson, urls } from './support/stack';

/**
 * Issue 17, item 3: categories managed through the admin API, against the running stack through
 * Varnish. A new category is in the menu (and its page stops being a 404) within 1 s; renames and
 * moves follow; a product filed under it is found by its slug and its parent's; deleting it while
 * it holds products is a 409 that changes nothing, with `reassignTo` it moves them; every bad input
 * is a 4xx that changes nothing (read back from MySQL). Own categories (`e2e-cat-<random>-*`) and
 * demo products 1162 and 1163 only, put back as they were at the end.
 */

const PRODUCTS = [1162, 1163] as const;
const prefix = `e2e-cat-${randomBytes(4).toString('hex')}`;
const slug = {
  parent: `${prefix}-outer`,
  child: `${prefix}-inner`,
  other: `${prefix}-other`,
};
const NAMES = { parent: 'Outerwear Test', child: 'Rain Capes Test', other: 'Other Test' };

type ProductBody = Pick<Product, 'sku' | 'name' | 'description' | 'price' | 'categories'>;

function admin<T = unknown>(method: string, path: string, body?: unknown) {
  return requestJson<T>(`${urls.varnish}/admin/categories${path}`, {
    method,
    // No content type without a body: Fastify refuses an empty body declared as JSON.
    headers: body === undefined ? { authorization: adminHeaders.authorization } : adminHeaders,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function putProduct(id: number, body: ProductBody) {
  return requestJson<Product>(`${urls.varnish}/admin/products/${id}`, {
    method: 'PUT',
    headers: adminHeaders,
    body: JSON.stringify(body),
  });
}

/** The menu tree as Varnish serves it (cached a day under `menu`). */
async function menuTree(): Promise<CategoryNode[]> {
  const response = await requestJson<CategoryNode[]>(`${urls.varnish}/categories`);
  expect(response.status).toBe(200);
  return response.body;
}

function findNode(tree: readonly CategoryNode[], wanted: string): CategoryNode | undefined {
  for (const node of tree) {
    if (node.slug === wanted) return node;
    const below = findNode(node.children, wanted);
    if (below) return below;
  }
  return undefined;
}

/** The storefront's menu (an ESI fragment inside the home page), through Varnish. */
async function menuHtml(): Promise<string> {
  const page = await viewPage('/');
  expect(page.status).toBe(200);
  return page.html;
}

const menuLink = (categorySlug: string, name: string): string =>
  `<a href="/c/${categorySlug}">${name}</a>`;

async function listedIds(categorySlug: string): Promise<number[]> {
  const response = await requestJson<ProductSearchResult>(
    `${urls.varnish}/products?category=${categorySlug}&size=50`,
  );
  expect(response.status).toBe(200);
  return response.body.items.map((item) => item.id);
}

describe('category admin API (through Varnish)', () => {
  let db: Kysely<Database>;
  const originals = new Map<number, ProductBody>();

  /** What MySQL holds of this file's categories and products: a failed write leaves it equal. */
  async function snapshot(): Promise<unknown> {
    const [categories, links, products, outbox] = await Promise.all([
      db
        .selectFrom('categories')
        .select(['id', 'slug', 'name', 'parent_id', 'position'])
        .where('slug', 'like', `${prefix}%`)
        .orderBy('id')
        .execute(),
      db
        .selectFrom('product_categories')
        .selectAll()
        .where('product_id', 'in', [...PRODUCTS])
        .orderBy('product_id')
        .orderBy('position')
        .execute(),
      db
        .selectFrom('products')
        .select(['id', 'version'])
        .where('id', 'in', [...PRODUCTS])
        .orderBy('id')
        .execute(),
      db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('rows'))
        .where('aggregate_type', '=', 'category')
        .where('aggregate_id', 'like', `${prefix}%`)
        .executeTakeFirstOrThrow(),
    ]);
    return { categories, links, products, outbox: Number(outbox.rows) };
  }

  async function expectRefused(
    answer: Promise<{ status: number; body: unknown }>,
    status: number,
    message: RegExp,
  ): Promise<void> {
    const before = await snapshot();
    const { status: got, body } = await answer;
    expect({ got, body }).toEqual({
      got: status,
      body: {
        statusCode: status,
        error: expect.any(String),
        message: expect.stringMatching(message),
      },
    });
    expect(await snapshot()).toEqual(before);
  }

  beforeAll(async () => {
    db = createDatabase(config.MYSQL_URL, { connectionLimit: 2 });
    for (const id of PRODUCTS) {
      const product = await requestJson<Product>(`${urls.catalog}/products/${id}`);
      expect(product.status).toBe(200);
      const { sku, name, description, price, categories } = product.body;
      originals.set(id, { sku, name, description, price, categories });
    }
  });

  afterAll(async () => {
    for (const [id, body] of originals) await putProduct(id, body);
    for (const category of [slug.child, slug.parent, slug.other]) {
      await admin('DELETE', `/${category}?reassignTo=${originals.get(PRODUCTS[0])!.categories[0]}`);
    }
    await db?.destroy();
  });

  it('shows a new category in the menu and on its page through Varnish within 1 s', async () => {
    // Warm the caches first: the menu and the category's page (a 404, tagged with its slug).
    expect(await menuHtml()).not.toContain(`/c/${slug.parent}"`);
    expect(findNode(await menuTree(), slug.parent)).toBeUndefined();
    expect((await viewPage(`/c/${slug.parent}`)).status).toBe(404);
    expect((await viewPage(`/c/${slug.parent}`)).cache).toBe('HIT');

    const created = await admin('POST', '', { slug: slug.parent, name: NAMES.parent });
    expect(created).toMatchObject({
      status: 201,
      body: {
        slug: slug.parent,
        name: NAMES.parent,
        parentSlug: null,
        position: expect.any(Number),
      },
    });
    await eventually(async () => (await menuHtml()).includes(menuLink(slug.parent, NAMES.parent)), {
      timeoutMs: 1000,
      what: 'the new category in the storefront menu',
    });
    await eventually(async () => findNode(await menuTree(), slug.parent)?.name === NAMES.parent, {
      timeoutMs: 1000,
      what: 'the new category in GET /categories through Varnish',
    });
    await eventually(async () => (await viewPage(`/c/${slug.parent}`)).status === 200, {
      timeoutMs: 1000,
      what: 'the new category page',
    });
  });

  it('renames and moves a category; the menu and the tree follow within 1 s', async () => {
    for (const [key, name] of [
      ['child', 'Capes'],
      ['other', NAMES.other],
    ] as const) {
      expect((await admin('POST', '', { slug: slug[key], name })).status).toBe(201);
    }
    await eventually(async () => (await menuHtml()).includes(menuLink(slug.child, 'Capes')), {
      timeoutMs: 1000,
      what: 'the second category in the menu',
    });

    const renamed = await admin('PATCH', `/${slug.child}`, { name: NAMES.child });
    expect(renamed).toMatchObject({ status: 200, body: { name: NAMES.child, parentSlug: null } });
    await eventually(async () => (await menuHtml()).includes(menuLink(slug.child, NAMES.child)), {
      timeoutMs: 1000,
      what: 'the new name in the menu',
    });

    const moved = await admin('PATCH', `/${slug.child}`, { parentSlug: slug.parent, position: 0 });
    expect(moved).toMatchObject({
      status: 200,
      body: { slug: slug.child, name: NAMES.child, parentSlug: slug.parent, position: 0 },
    });
    await eventually(
      async () =>
        findNode(await menuTree(), slug.parent)
          ?.children.map((node) => node.slug)
          .join() === slug.child,
      { timeoutMs: 1000, what: 'the moved category under its new parent' },
    );
    await eventually(
      async () => {
        const html = await menuHtml();
        const parentAt = html.indexOf(menuLink(slug.parent, NAMES.parent));
        return parentAt >= 0 && html.indexOf(menuLink(slug.child, NAMES.child)) > parentAt;
      },
      { timeoutMs: 1000, what: 'the moved category under its parent in the menu' },
    );
  });

  it('files a product under the new category: found by its slug and by its parent', async () => {
    const [id] = PRODUCTS;
    const put = await putProduct(id, { ...originals.get(id)!, categories: [slug.child] });
    expect(put).toMatchObject({ status: 200, body: { id, categories: [slug.child] } });
    await eventually(async () => (await listedIds(slug.child)).includes(id), {
      what: `product ${id} listed under ${slug.child}`,
    });
    await eventually(async () => (await listedIds(slug.parent)).includes(id), {
      what: `product ${id} listed under the parent ${slug.parent}`,
    });
  });

  it('refuses to delete a category that holds products or children (409), changing nothing', async () => {
    await expectRefused(admin('DELETE', `/${slug.child}`), 409, /still holds 1 product/);
    await expectRefused(admin('DELETE', `/${slug.parent}`), 409, /still holds 1 child category/);
    expect(
      findNode((await requestJson<CategoryNode[]>(`${urls.catalog}/categories`)).body, slug.child),
    ).toBeDefined();
    expect(await listedIds(slug.child)).toContain(PRODUCTS[0]);
  });

  it.each<[string, () => Promise<{ status: number; body: unknown }>, number, RegExp]>([
    [
      'POST an upper-case slug',
      () => admin('POST', '', { slug: `${prefix}-X`, name: 'X' }),
      400,
      /^slug must be/,
    ],
    [
      'POST a slug of 65 characters',
      () => admin('POST', '', { slug: `${prefix}-${'x'.repeat(64)}`, name: 'X' }),
      400,
      /^slug must be/,
    ],
    [
      'POST an empty name',
      () => admin('POST', '', { slug: `${prefix}-x`, name: ' ' }),
      400,
      /name must not be empty/,
    ],
    [
      'POST a name of 81 characters',
      () => admin('POST', '', { slug: `${prefix}-x`, name: 'n'.repeat(81) }),
      400,
      /^name must be shorter/,
    ],
    [
      'POST a negative position',
      () => admin('POST', '', { slug: `${prefix}-x`, name: 'X', position: -1 }),
      400,
      /^position/,
    ],
    [
      'POST a fractional position',
      () => admin('POST', '', { slug: `${prefix}-x`, name: 'X', position: 0.5 }),
      400,
      /^position/,
    ],
    [
      'POST an unknown field',
      () => admin('POST', '', { slug: `${prefix}-x`, name: 'X', colour: 'red' }),
      400,
      /colour/,
    ],
    ['POST malformed JSON', () => admin('POST', '', '{"slug":'), 400, /JSON|body/i],
    [
      'POST an unknown parent',
      () => admin('POST', '', { slug: `${prefix}-x`, name: 'X', parentSlug: `${prefix}-none` }),
      404,
      /^parent category .* not found$/,
    ],
    [
      'POST a taken slug',
      () => admin('POST', '', { slug: slug.parent, name: 'Again' }),
      409,
      /already exists/,
    ],
    [
      'POST without the admin token',
      () =>
        requestJson(`${urls.varnish}/admin/categories`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ slug: `${prefix}-x`, name: 'X' }),
        }),
      401,
      /token/,
    ],
    [
      'PATCH an unknown category',
      () => admin('PATCH', `/${prefix}-none`, { name: 'X' }),
      404,
      /^category .* not found$/,
    ],
    [
      'PATCH a malformed slug',
      () => admin('PATCH', `/${prefix}_bad`, { name: 'X' }),
      400,
      /^slug must be/,
    ],
    ['PATCH an empty body', () => admin('PATCH', `/${slug.child}`, {}), 400, /at least one of/],
    [
      'PATCH an empty name',
      () => admin('PATCH', `/${slug.child}`, { name: '' }),
      400,
      /name must not be empty/,
    ],
    [
      'PATCH an unknown parent',
      () => admin('PATCH', `/${slug.child}`, { parentSlug: `${prefix}-none` }),
      404,
      /^parent category/,
    ],
    [
      'PATCH a category under itself',
      () => admin('PATCH', `/${slug.parent}`, { parentSlug: slug.parent }),
      400,
      /own parent/,
    ],
    [
      'PATCH a category under its child (a cycle)',
      () => admin('PATCH', `/${slug.parent}`, { parentSlug: slug.child }),
      400,
      /lies below it/,
    ],
    [
      'DELETE an unknown category',
      () => admin('DELETE', `/${prefix}-none`),
      404,
      /^category .* not found$/,
    ],
    [
      'DELETE with an unknown reassignTo',
      () => admin('DELETE', `/${slug.child}?reassignTo=${prefix}-none`),
      404,
      /^reassignTo category/,
    ],
    [
      'DELETE reassigning to itself',
      () => admin('DELETE', `/${slug.child}?reassignTo=${slug.child}`),
      400,
      /outside/,
    ],
    [
      'DELETE reassigning into its own branch',
      () => admin('DELETE', `/${slug.parent}?reassignTo=${slug.child}`),
      400,
      /outside/,
    ],
    [
      'DELETE with a malformed reassignTo',
      () => admin('DELETE', `/${slug.child}?reassignTo=Bad%20Slug`),
      400,
      /^reassignTo must be/,
    ],
  ])('answers %s with a 4xx and changes nothing', async (_what, send, status, message) => {
    await expectRefused(send(), status, message);
  });

  it('deletes with reassignTo: products and children move in one step, search and menu follow', async () => {
    const [id, second] = PRODUCTS;
    // The second product sits in both: it keeps its link to the target, loses the other.
    expect(
      (
        await putProduct(second, {
          ...originals.get(second)!,
          categories: [slug.other, slug.child],
        })
      ).status,
    ).toBe(200);
    const versionBefore = (
      await db
        .selectFrom('products')
        .select('version')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).version;

    const removed = await admin('DELETE', `/${slug.child}?reassignTo=${slug.other}`);
    expect(removed.status).toBe(204);
    const links = await db
      .selectFrom('product_categories as pc')
      .innerJoin('categories as c', 'c.id', 'pc.category_id')
      .select(['pc.product_id', 'c.slug'])
      .where('pc.product_id', 'in', [id, second])
      .orderBy('pc.product_id')
      .orderBy('pc.position')
      .execute();
    expect(links).toEqual([
      { product_id: id, slug: slug.other },
      { product_id: second, slug: slug.other },
    ]);
    const versionAfter = (
      await db
        .selectFrom('products')
        .select('version')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).version;
    expect(versionAfter).toBe(versionBefore + 1);

    await eventually(
      async () => {
        const product = await requestJson<Product>(`${urls.catalog}/products/${id}`);
        return product.body.categories.join() === slug.other;
      },
      { what: `product ${id} reindexed under ${slug.other}` },
    );
    await eventually(async () => (await listedIds(slug.other)).includes(id), {
      what: `product ${id} listed under ${slug.other} through Varnish`,
    });
    await eventually(async () => !(await menuHtml()).includes(`/c/${slug.child}"`), {
      timeoutMs: 1000,
      what: 'the deleted category gone from the menu',
    });
    expect(findNode(await menuTree(), slug.child)).toBeUndefined();

    // Emptied, the parent deletes without reassignTo.
    expect((await admin('DELETE', `/${slug.parent}`)).status).toBe(204);
    await expectRefused(admin('DELETE', `/${slug.parent}`), 404, /not found/);
  });
});
