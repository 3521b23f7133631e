import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseShopConfig, ShopConfigModule } from '@shop/config';
import type {
  CategoryNode,
  ProductDocument,
  ProductSearchQuery,
  ProductSearchResult,
} from '@shop/contracts';
import { CatalogOutboxRelayService, CatalogWriteService } from '@shop/catalog';
import { MetricsModule, ShopLoggerModule } from '@shop/observability';
import {
  CategoryRepository,
  DuplicateSkuError,
  ProductNotFoundError,
  ProductRepository,
  UnknownCategoryError,
  type ProductInput,
  type ProductPatch,
  type ProductRecord,
  type ProductWriteOptions,
} from '@shop/persistence';
import {
  FLAT_TAXONOMY,
  ProductSearch,
  SearchPageOutOfRangeError,
  SearchUnavailableError,
  type CategoryTaxonomy,
} from '@shop/search';
import { AdminProductsController } from './admin/admin-products.controller';
import { CATALOG_API_ERRORS } from './catalog-api.errors';
import { CategoriesController } from './categories/categories.controller';
import { CategoryTreeCache } from './categories/category-tree.cache';
import { ProductsController } from './products/products.controller';
import { adminJsonHeaders, startInProcessApp } from '../../../test/support/in-process-app';

const TREE: CategoryNode[] = [
  {
    slug: 'shoes',
    name: 'Shoes',
    children: [{ slug: 'boots', name: 'Boots', children: [] }],
  },
  { slug: 'hats', name: 'Hats', children: [] },
];
const KNOWN_SLUGS = new Set(['shoes', 'boots', 'hats']);
const AT = '2024-01-01T00:00:00.000Z';

// Derived from the ports themselves: the fakes below follow their signatures.
type DeletedProduct = Awaited<ReturnType<ProductRepository['delete']>>;
type ProductSuggestion = Awaited<ReturnType<ProductSearch['suggest']>>[number];

/** MySQL's side as the admin controller sees it: the same errors, in memory. */
class InMemoryProducts implements Pick<
  ProductRepository,
  'create' | 'replace' | 'patch' | 'delete'
> {
  readonly records = new Map<number, ProductRecord>();
  readonly writes: { what: string; id: number; correlationId?: string }[] = [];
  private nextId = 1;

  reset(): void {
    this.records.clear();
    this.writes.splice(0);
    this.nextId = 1;
  }

  async create(input: ProductInput, options: ProductWriteOptions = {}): Promise<ProductRecord> {
    this.check(input);
    const id = this.nextId++;
    return this.store(
      'create',
      { ...input, id, createdAt: AT, updatedAt: AT, version: 1 },
      options,
    );
  }

  async replace(
    id: number,
    input: ProductInput,
    options: ProductWriteOptions = {},
  ): Promise<ProductRecord> {
    const current = this.existing(id);
    this.check(input, id);
    return this.store('replace', { ...current, ...input, version: current.version + 1 }, options);
  }

  async patch(
    id: number,
    patch: ProductPatch,
    options: ProductWriteOptions = {},
  ): Promise<ProductRecord> {
    const current = this.existing(id);
    // Absent fields keep their value, as the repository's patch does.
    const input: ProductInput = {
      sku: patch.sku ?? current.sku,
      name: patch.name ?? current.name,
      description: patch.description ?? current.description,
      price: patch.price ?? current.price,
      categories: patch.categories ?? current.categories,
    };
    this.check(input, id);
    return this.store('patch', { ...current, ...input, version: current.version + 1 }, options);
  }

  async delete(id: number, options: ProductWriteOptions = {}): Promise<DeletedProduct> {
    const current = this.existing(id);
    this.records.delete(id);
    this.writes.push({ what: 'delete', id, correlationId: options.correlationId });
    return { id, version: current.version + 1 };
  }

  private existing(id: number): ProductRecord {
    const current = this.records.get(id);
    if (!current) throw new ProductNotFoundError(id);
    return current;
  }

  private check(input: ProductInput, id?: number): void {
    const unknown = input.categories.filter((slug) => !KNOWN_SLUGS.has(slug));
    if (unknown.length > 0) throw new UnknownCategoryError(unknown);
    for (const other of this.records.values()) {
      if (other.sku === input.sku && other.id !== id) throw new DuplicateSkuError(input.sku);
    }
  }

  private store(what: string, record: ProductRecord, options: ProductWriteOptions): ProductRecord {
    this.records.set(record.id, record);
    this.writes.push({ what, id: record.id, correlationId: options.correlationId });
    return record;
  }
}

/** Elasticsearch's side: answers from a list of documents and records what it was asked. */
class InMemorySearch implements Pick<ProductSearch, 'search' | 'suggest' | 'getById'> {
  readonly documents = new Map<number, ProductDocument>();
  readonly queries: ProductSearchQuery[] = [];
  /** The category filter each search applied, after the taxonomy expanded departments. */
  readonly expanded: string[][] = [];
  unavailable = false;

  reset(): void {
    this.documents.clear();
    this.queries.splice(0);
    this.expanded.splice(0);
    this.unavailable = false;
  }

  async search(
    query: ProductSearchQuery,
    taxonomy: CategoryTaxonomy = FLAT_TAXONOMY,
  ): Promise<ProductSearchResult> {
    this.assertUp();
    // The one check the real search makes before it asks Elasticsearch.
    if (query.page * query.size > 10_000) {
      throw new SearchPageOutOfRangeError('page * size must not exceed 10000');
    }
    this.queries.push(query);
    const categories = taxonomy.expand(query.categories);
    this.expanded.push(categories);
    const items = [...this.documents.values()]
      .filter(
        (doc) =>
          categories.length === 0 || doc.categories.some((slug) => categories.includes(slug)),
      )
      .map(({ createdAt: _created, updatedAt: _updated, ...item }) => item);
    return {
      items,
      total: items.length,
      page: query.page,
      size: query.size,
      aggregations: {
        avgPrice: null,
        minPrice: null,
        maxPrice: null,
        categories: [],
        priceRanges: [],
      },
    };
  }

  async suggest(prefix: string, limit = 10): Promise<ProductSuggestion[]> {
    this.assertUp();
    return [...this.documents.values()]
      .filter((doc) => doc.name.toLowerCase().startsWith(prefix.toLowerCase()))
      .slice(0, limit)
      .map(({ id, name }) => ({ id, name }));
  }

  async getById(id: number): Promise<ProductDocument | null> {
    this.assertUp();
    return this.documents.get(id) ?? null;
  }

  private assertUp(): void {
    if (this.unavailable) throw new SearchUnavailableError(new Error('connect ECONNREFUSED'));
  }
}

class CountingCategories implements Pick<CategoryRepository, 'tree'> {
  reads = 0;

  async tree(): Promise<CategoryNode[]> {
    this.reads += 1;
    return TREE;
  }
}

class RecordingRelay implements Pick<CatalogOutboxRelayService, 'notify'> {
  notified = 0;

  notify(): void {
    this.notified += 1;
  }
}

const products = new InMemoryProducts();
const search = new InMemorySearch();
const categories = new CountingCategories();
const relay = new RecordingRelay();

@Module({
  imports: [ShopConfigModule, ShopLoggerModule.forApp('catalog-api'), MetricsModule],
  controllers: [ProductsController, CategoriesController, AdminProductsController],
  providers: [
    CategoryTreeCache,
    { provide: ProductSearch, useValue: search },
    { provide: CategoryRepository, useValue: categories },
    { provide: ProductRepository, useValue: products },
    { provide: CatalogOutboxRelayService, useValue: relay },
    CatalogWriteService,
  ],
})
class CatalogControllersTestModule {}

/**
 * The catalog API's real controllers in the app's HTTP setup (validation, admin guard, error
 * mapping), with MySQL, Elasticsearch and the outbox relay replaced by in-memory fakes.
 */
describe('catalog-api controllers', () => {
  const config = parseShopConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const admin = adminJsonHeaders(config);
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startInProcessApp(CatalogControllersTestModule, config, {
      port: (shopConfig) => shopConfig.CATALOG_API_PORT,
      errors: CATALOG_API_ERRORS,
    });
  });

  afterAll(() => app.close());

  beforeEach(() => {
    products.reset();
    search.reset();
    relay.notified = 0;
    search.documents.set(1, {
      id: 1,
      sku: 'SKU-1',
      name: 'Trail Boot',
      description: 'Waterproof.',
      price: 19.99,
      categories: ['boots'],
      createdAt: AT,
      updatedAt: AT,
      inStock: true,
    });
    search.documents.set(2, {
      id: 2,
      sku: 'SKU-2',
      name: 'Sun Hat',
      description: 'Wide.',
      price: 12,
      categories: ['hats'],
      createdAt: AT,
      updatedAt: AT,
      inStock: false,
    });
  });

  const get = (url: string) => app.inject({ method: 'GET', url });
  const write = (
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = admin,
  ) =>
    app.inject({
      method,
      url,
      headers,
      ...(body === undefined
        ? {}
        : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });

  /** The shop's error shape, exactly. */
  function expectError(
    response: { statusCode: number; json: () => unknown },
    status: number,
    error: string,
    message: string | RegExp = /.+/,
  ): void {
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({
      statusCode: status,
      error,
      message: typeof message === 'string' ? message : expect.stringMatching(message),
    });
  }

  const boot: ProductInput = {
    sku: 'SKU-9',
    name: 'Winter Boot',
    description: 'Warm.',
    price: 49.5,
    categories: ['boots'],
  };

  describe('GET /products', () => {
    it('answers the search result, cached under listing tags only', async () => {
      const response = await get(
        '/products?q=%20boot%20&inStock=true&sort=price_asc&page=2&size=5',
      );
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ total: 2, page: 2, size: 5 });
      expect(search.queries).toEqual([
        {
          q: 'boot',
          categories: [],
          excludeCategories: [],
          priceRanges: [],
          minPrice: undefined,
          maxPrice: undefined,
          inStock: true,
          sort: 'price_asc',
          page: 2,
          size: 5,
        },
      ]);
      expect(response.headers['surrogate-control']).toBe('max-age=300');
      expect(response.headers['xkey']).toBe('listing');
      expect(response.headers['cache-control']).toBe('no-cache');
    });

    it('expands a department to its categories and tags the answer with the one asked for', async () => {
      const response = await get(
        '/products?category=shoes&minPrice=10&maxPrice=20.5&priceRange=*-25&priceRange=25-50' +
          '&excludeCategory=sale&excludeCategory=sale',
      );
      expect(response.statusCode).toBe(200);
      expect(response.json<ProductSearchResult>().items.map((item) => item.id)).toEqual([1]);
      expect(search.expanded).toEqual([['shoes', 'boots']]);
      expect(search.queries[0]).toMatchObject({
        categories: ['shoes'],
        excludeCategories: ['sale'],
        priceRanges: ['*-25', '25-50'],
        minPrice: 10,
        maxPrice: 20.5,
        sort: 'relevance',
        page: 1,
        size: 20,
      });
      expect(response.headers['xkey']).toBe('listing category-shoes');
    });

    it.each([
      ['a price that is not a number', 'minPrice=abc', 'minPrice must be a number'],
      ['a negative price', 'maxPrice=-1', /^maxPrice must not be less than 0/],
      [
        'minPrice over maxPrice',
        'minPrice=30&maxPrice=20',
        'minPrice must not be greater than maxPrice',
      ],
      ['page 0', 'page=0', /^page must not be less than 1/],
      ['a fractional page', 'page=1.5', 'page must be a whole number'],
      ['a size over 100', 'size=101', /^size must not be greater than 100/],
      ['an unknown sort', 'sort=cheapest', /^sort must be one of/],
      ['an inStock that is not a boolean', 'inStock=maybe', 'inStock must be true or false'],
      ['a category that is not a slug', 'category=Shoes!', /^category must be a category slug/],
      ['an empty category', 'category=', /^category must be a category slug/],
      ['a slug over 64 characters', `category=${'a'.repeat(65)}`, /^category must be a category/],
      [
        'more than 20 categories',
        Array.from({ length: 21 }, (_, i) => `category=c${i}`).join('&'),
        'category may be given at most 20 times',
      ],
      [
        'an excluded category that is not a slug',
        'excludeCategory=Sale%20Items',
        /^excludeCategory must be a category slug/,
      ],
      [
        'a category both selected and excluded',
        'category=shoes&excludeCategory=boots&excludeCategory=shoes',
        'category and excludeCategory must not name the same category: shoes',
      ],
      [
        'an unknown price range',
        'priceRange=25-75',
        'priceRange must be one of: *-25, 25-50, 50-100, 100-200, 200-*',
      ],
      [
        'more price ranges than there are',
        Array.from({ length: 6 }, () => 'priceRange=25-50').join('&'),
        'priceRange may be given at most 5 times',
      ],
      ['an unknown parameter', 'colour=red', /colour/],
      ['a page beyond the result window', 'page=101&size=100', /page \* size/],
    ])('answers 400 for %s, without searching', async (_what, query, message) => {
      const response = await get(`/products?${query}`);
      expectError(response, 400, 'Bad Request', message);
      expect(search.queries).toEqual([]);
    });

    it('answers 503 JSON, without internals, while Elasticsearch is down', async () => {
      search.unavailable = true;
      const response = await get('/products?q=boot');
      expectError(response, 503, 'Service Unavailable', /Elasticsearch is unavailable/);
      expect(response.body).not.toContain('ECONNREFUSED');
      expect(response.headers['cache-control']).toBe('no-store');
    });
  });

  describe('GET /products/suggest', () => {
    it('answers names starting with what was typed', async () => {
      const response = await get('/products/suggest?q=tr&limit=3');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual([{ id: 1, name: 'Trail Boot' }]);
      expect(response.headers['xkey']).toBe('listing');
    });

    it.each([
      ['no q', '', 'q is required'],
      ['a limit over 10', 'q=tr&limit=11', /^limit must not be greater than 10/],
    ])('answers 400 for %s', async (_what, query, message) => {
      expectError(await get(`/products/suggest?${query}`), 400, 'Bad Request', message);
    });
  });

  describe('GET /products/:id', () => {
    it('answers the product, cached for an hour under its tag', async () => {
      const response = await get('/products/1');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(search.documents.get(1));
      expect(response.headers['surrogate-control']).toBe('max-age=3600');
      expect(response.headers['xkey']).toBe('product-1');
    });

    it('answers 404, cached briefly under the tag that creating the product purges', async () => {
      const response = await get('/products/999');
      expectError(response, 404, 'Not Found', 'Product 999 not found');
      expect(response.headers['surrogate-control']).toBe('max-age=60');
      expect(response.headers['xkey']).toBe('product-999');
    });

    it.each(['abc', '0', '1e3', '01'])('answers 400 naming the id for %s', async (id) => {
      expectError(await get(`/products/${id}`), 400, 'Bad Request', /\bid\b/);
    });
  });

  describe('GET /categories', () => {
    it('answers the tree for a day under the menu tag, read from MySQL each time; searches reuse it', async () => {
      const readsBefore = categories.reads;
      const first = await get('/categories');
      const second = await get('/categories');
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual(TREE);
      expect(second.json()).toEqual(TREE);
      expect(first.headers['surrogate-control']).toBe('max-age=86400');
      expect(first.headers['xkey']).toBe('menu');
      // Varnish keeps the menu a day: the origin answers what MySQL has when it is asked.
      expect(categories.reads).toBe(readsBefore + 2);
      // A search expands categories from the copy the menu read left (kept for 30 s).
      expect((await get('/products?category=shoes')).statusCode).toBe(200);
      expect(categories.reads).toBe(readsBefore + 2);
    });
  });

  describe('admin writes', () => {
    it('creates a product (201), passing the request id on, and wakes the relay', async () => {
      const response = await write(
        'POST',
        '/admin/products',
        { ...boot, sku: '  SKU-9  ' },
        { ...admin, 'x-request-id': 'req-7' },
      );
      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({ ...boot, id: 1, createdAt: AT, updatedAt: AT });
      expect(products.writes).toEqual([{ what: 'create', id: 1, correlationId: 'req-7' }]);
      expect(relay.notified).toBe(1);
    });

    it('replaces (PUT), updates (PATCH) and deletes (DELETE 204) a product', async () => {
      const created = (await write('POST', '/admin/products', boot)).json<{ id: number }>();
      const replaced = await write('PUT', `/admin/products/${created.id}`, {
        ...boot,
        name: 'Snow Boot',
      });
      expect(replaced.statusCode).toBe(200);
      expect(replaced.json()).toMatchObject({ id: created.id, name: 'Snow Boot', price: 49.5 });
      expect(replaced.json()).not.toHaveProperty('version');

      const patched = await write('PATCH', `/admin/products/${created.id}`, { price: 39 });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ id: created.id, name: 'Snow Boot', price: 39 });

      const removed = await write('DELETE', `/admin/products/${created.id}`);
      expect(removed.statusCode).toBe(204);
      expect(removed.body).toBe('');
      expect(products.records.has(created.id)).toBe(false);
      expect(products.writes.map((w) => w.what)).toEqual(['create', 'replace', 'patch', 'delete']);
      expect(relay.notified).toBe(4);
    });

    it.each([
      ['malformed JSON', '{"sku":', /JSON|body/i],
      ['a missing sku', { ...boot, sku: undefined }, 'sku is required'],
      ['a sku with spaces inside', { ...boot, sku: 'SKU 9' }, /^sku may hold/],
      ['an empty name', { ...boot, name: '   ' }, 'name must not be empty'],
      ['a price as a string', { ...boot, price: '49.50' }, /^price must be a number/],
      ['a price with three decimals', { ...boot, price: 1.005 }, /^price must be a number/],
      ['no categories', { ...boot, categories: [] }, 'categories must name at least one category'],
      ['an unknown field', { ...boot, colour: 'red' }, /colour/],
    ])('answers 400 for %s and writes nothing', async (_what, body, message) => {
      expectError(await write('POST', '/admin/products', body), 400, 'Bad Request', message);
      expect(products.writes).toEqual([]);
      expect(relay.notified).toBe(0);
    });

    it('answers 400 naming an unknown category, and 409 for a SKU that is taken', async () => {
      const unknown = await write('POST', '/admin/products', { ...boot, categories: ['socks'] });
      expectError(unknown, 400, 'Bad Request', 'unknown category: socks');
      expect((await write('POST', '/admin/products', boot)).statusCode).toBe(201);
      const taken = await write('POST', '/admin/products', { ...boot, name: 'Copy' });
      expectError(taken, 409, 'Conflict', 'a product with SKU SKU-9 already exists');
      expect(relay.notified).toBe(1);
    });

    it('answers 404 for a product that does not exist, and 400 for an id that is not one', async () => {
      expectError(
        await write('PUT', '/admin/products/77', boot),
        404,
        'Not Found',
        'product 77 not found',
      );
      expectError(await write('PATCH', '/admin/products/77', { price: 1 }), 404, 'Not Found');
      expectError(await write('DELETE', '/admin/products/77'), 404, 'Not Found');
      expectError(await write('DELETE', '/admin/products/1e3'), 400, 'Bad Request', /\bid\b/);
      expect(relay.notified).toBe(0);
    });

    it.each([
      ['no token', { 'content-type': 'application/json' }, 'A bearer token is required'],
      [
        'a wrong token',
        { ...admin, authorization: 'Bearer nope' },
        'The bearer token is not valid',
      ],
    ])(
      'answers 401 with %s on every admin route, and writes nothing',
      async (_what, headers, message) => {
        products.records.set(1, { ...boot, id: 1, createdAt: AT, updatedAt: AT, version: 1 });
        for (const [method, url] of [
          ['POST', '/admin/products'],
          ['PUT', '/admin/products/1'],
          ['PATCH', '/admin/products/1'],
          ['DELETE', '/admin/products/1'],
        ] as const) {
          const body = method === 'DELETE' ? undefined : boot;
          expectError(await write(method, url, body, headers), 401, 'Unauthorized', message);
        }
        expect(products.writes).toEqual([]);
        expect(products.records.has(1)).toBe(true);
        expect(relay.notified).toBe(0);
      },
    );
  });
});
