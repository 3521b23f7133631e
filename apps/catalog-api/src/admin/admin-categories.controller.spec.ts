import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CatalogOutboxRelayService, CategoryWriteService } from '@shop/catalog';
import { parseShopConfig, ShopConfigModule } from '@shop/config';
import type { CategoryDetails, CategoryNode } from '@shop/contracts';
import { MetricsModule, ShopLoggerModule } from '@shop/observability';
import {
  CategoryCycleError,
  CategoryNotEmptyError,
  CategoryNotFoundError,
  CategoryRepository,
  DuplicateCategoryError,
  type CategoryCreate,
  type CategoryDeleteOptions,
  type CategoryDeletion,
  type CategoryPatch,
  type ProductWriteOptions,
} from '@shop/persistence';
import { adminJsonHeaders, startInProcessApp } from '../../../../test/support/in-process-app';
import { CATALOG_API_ERRORS } from '../catalog-api.errors';
import { CategoriesController } from '../categories/categories.controller';
import { CategoryTreeCache } from '../categories/category-tree.cache';
import { AdminCategoriesController } from './admin-categories.controller';

/** MySQL's side as the controller sees it: the repository's errors, in memory, flat. */
class InMemoryCategories implements Pick<
  CategoryRepository,
  'create' | 'update' | 'delete' | 'tree'
> {
  readonly rows = new Map<string, CategoryDetails>();
  /** Products per category slug. */
  readonly products = new Map<string, number>();
  readonly writes: { what: string; slug: string; correlationId?: string; reassignTo?: string }[] =
    [];

  reset(): void {
    this.rows.clear();
    this.products.clear();
    this.writes.splice(0);
    this.rows.set('women', { slug: 'women', name: 'Women', parentSlug: null, position: 0 });
  }

  async create(input: CategoryCreate, options: ProductWriteOptions = {}): Promise<CategoryDetails> {
    if (this.rows.has(input.slug)) throw new DuplicateCategoryError(input.slug);
    const parentSlug = input.parentSlug ?? null;
    if (parentSlug !== null && !this.rows.has(parentSlug)) {
      throw new CategoryNotFoundError(parentSlug, 'parent');
    }
    const created = {
      slug: input.slug,
      name: input.name,
      parentSlug,
      position: input.position ?? 0,
    };
    this.rows.set(input.slug, created);
    this.writes.push({ what: 'create', slug: input.slug, correlationId: options.correlationId });
    return created;
  }

  async update(
    slug: string,
    patch: CategoryPatch,
    options: ProductWriteOptions = {},
  ): Promise<CategoryDetails> {
    const current = this.rows.get(slug);
    if (!current) throw new CategoryNotFoundError(slug);
    if (patch.parentSlug === slug)
      throw new CategoryCycleError(`category ${slug} cannot be its own parent`);
    if (patch.parentSlug && !this.rows.has(patch.parentSlug)) {
      throw new CategoryNotFoundError(patch.parentSlug, 'parent');
    }
    const next = {
      ...current,
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.parentSlug === undefined ? {} : { parentSlug: patch.parentSlug }),
      ...(patch.position === undefined ? {} : { position: patch.position }),
    };
    this.rows.set(slug, next);
    this.writes.push({ what: 'update', slug, correlationId: options.correlationId });
    return next;
  }

  async delete(slug: string, options: CategoryDeleteOptions = {}): Promise<CategoryDeletion> {
    if (!this.rows.has(slug)) throw new CategoryNotFoundError(slug);
    const { reassignTo } = options;
    if (reassignTo !== undefined && !this.rows.has(reassignTo)) {
      throw new CategoryNotFoundError(reassignTo, 'reassignTo');
    }
    const products = this.products.get(slug) ?? 0;
    if (products > 0 && reassignTo === undefined)
      throw new CategoryNotEmptyError(slug, products, 0);
    this.rows.delete(slug);
    this.writes.push({ what: 'delete', slug, correlationId: options.correlationId, reassignTo });
    return { slug, reassignTo: reassignTo ?? null, movedProducts: [], movedChildren: [] };
  }

  async tree(): Promise<CategoryNode[]> {
    return [...this.rows.values()].map(({ slug, name }) => ({ slug, name, children: [] }));
  }
}

const categories = new InMemoryCategories();
const relay = {
  notified: 0,
  notify(): void {
    this.notified += 1;
  },
};

@Module({
  imports: [ShopConfigModule, ShopLoggerModule.forApp('catalog-api'), MetricsModule],
  controllers: [AdminCategoriesController, CategoriesController],
  providers: [
    CategoryTreeCache,
    { provide: CategoryRepository, useValue: categories },
    { provide: CatalogOutboxRelayService, useValue: relay },
    {
      provide: CategoryWriteService,
      inject: [CategoryRepository, CatalogOutboxRelayService, CategoryTreeCache],
      useFactory: (
        repository: CategoryRepository,
        outboxRelay: CatalogOutboxRelayService,
        tree: CategoryTreeCache,
      ) => {
        const writes = new CategoryWriteService(repository, outboxRelay);
        writes.onChange(tree);
        return writes;
      },
    },
  ],
})
class AdminCategoriesTestModule {}

/** The admin category routes in the app's HTTP setup, with MySQL and the relay in memory. */
describe('admin category routes', () => {
  const config = parseShopConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const admin = adminJsonHeaders(config);
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startInProcessApp(AdminCategoriesTestModule, config, {
      port: (shopConfig) => shopConfig.CATALOG_API_PORT,
      errors: CATALOG_API_ERRORS,
    });
  });

  afterAll(() => app.close());

  beforeEach(() => {
    categories.reset();
    relay.notified = 0;
  });

  const send = (
    method: 'POST' | 'PATCH' | 'DELETE' | 'GET',
    url: string,
    body?: unknown,
    headers: Record<string, string> = admin,
  ) =>
    app.inject({
      method,
      url,
      headers: body === undefined ? { authorization: headers.authorization ?? '' } : headers,
      ...(body === undefined
        ? {}
        : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });

  function expectError(
    response: { statusCode: number; json: () => unknown },
    status: number,
    message: string | RegExp = /.+/,
  ): void {
    expect({ status: response.statusCode, body: response.json() }).toEqual({
      status,
      body: {
        statusCode: status,
        error: expect.any(String),
        message: typeof message === 'string' ? message : expect.stringMatching(message),
      },
    });
  }

  it('creates (201), renames and moves (200), deletes (204), passing the request id on', async () => {
    const created = await send(
      'POST',
      '/admin/categories',
      { slug: 'women-coats', name: '  Coats ', parentSlug: 'women', position: 2 },
      { ...admin, 'x-request-id': 'req-9' },
    );
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({
      slug: 'women-coats',
      name: 'Coats',
      parentSlug: 'women',
      position: 2,
    });
    const patched = await send('PATCH', '/admin/categories/women-coats', {
      name: 'Coats & Jackets',
      parentSlug: null,
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Coats & Jackets', parentSlug: null });
    categories.products.set('women-coats', 2);
    const removed = await send('DELETE', '/admin/categories/women-coats?reassignTo=women');
    expect(removed.statusCode).toBe(204);
    expect(categories.writes).toEqual([
      { what: 'create', slug: 'women-coats', correlationId: 'req-9' },
      { what: 'update', slug: 'women-coats', correlationId: expect.any(String) },
      {
        what: 'delete',
        slug: 'women-coats',
        correlationId: expect.any(String),
        reassignTo: 'women',
      },
    ]);
    expect(relay.notified).toBe(3);
  });

  it('drops the tree copy on a write: a search after it expands with the new category', async () => {
    const tree = app.get(CategoryTreeCache);
    expect((await tree.tree()).map((node) => node.slug)).toEqual(['women']);
    await send('POST', '/admin/categories', { slug: 'men', name: 'Men' });
    expect((await tree.tree()).map((node) => node.slug)).toEqual(['women', 'men']);
    expect((await send('GET', '/categories')).json()).toHaveLength(2);
  });

  const long = 'x'.repeat(65);
  it.each([
    ['malformed JSON', '{"slug":', /JSON|body/i],
    ['no slug', { name: 'Coats' }, 'slug is required'],
    ['an upper-case slug', { slug: 'Coats', name: 'Coats' }, /^slug must be 1-64 characters/],
    ['a slug with a space', { slug: 'women coats', name: 'Coats' }, /^slug must be/],
    ['a slug of 65 characters', { slug: long, name: 'Coats' }, /^slug must be/],
    ['a slug that is a number', { slug: 7, name: 'Coats' }, /slug must be a string/],
    ['no name', { slug: 'coats' }, 'name is required'],
    ['a blank name', { slug: 'coats', name: '   ' }, 'name must not be empty'],
    ['a name of 81 characters', { slug: 'coats', name: 'n'.repeat(81) }, /name must be shorter/],
    [
      'a bad parentSlug',
      { slug: 'coats', name: 'Coats', parentSlug: 'Wo men' },
      /^parentSlug must be/,
    ],
    [
      'a negative position',
      { slug: 'coats', name: 'Coats', position: -1 },
      /position must not be less than 0/,
    ],
    [
      'a fractional position',
      { slug: 'coats', name: 'Coats', position: 1.5 },
      /position must be a non-negative integer/,
    ],
    [
      'a position as a string',
      { slug: 'coats', name: 'Coats', position: '1' },
      /position must be a non-negative integer/,
    ],
    ['an unknown field', { slug: 'coats', name: 'Coats', colour: 'red' }, /colour/],
  ])('POST answers 400 for %s and writes nothing', async (_what, body, message) => {
    expectError(await send('POST', '/admin/categories', body), 400, message);
    expect(categories.writes).toEqual([]);
    expect(relay.notified).toBe(0);
  });

  it.each([
    ['an empty body', {}, 'the body must set at least one of name, parentSlug, position'],
    ['a null name', { name: null }, /name must be a string/],
    ['a slug in the body', { slug: 'other' }, /slug should not exist/],
    ['a null position', { position: null }, /position must be a non-negative integer/],
  ])('PATCH answers 400 for %s and writes nothing', async (_what, body, message) => {
    expectError(await send('PATCH', '/admin/categories/women', body), 400, message);
    expect(categories.writes).toEqual([]);
  });

  it('answers 404 for an unknown category, parent or reassignTo; 409 for a taken slug or a non-empty category; 400 for a cycle or a malformed slug', async () => {
    expectError(
      await send('POST', '/admin/categories', { slug: 'women', name: 'Again' }),
      409,
      'a category with slug women already exists',
    );
    expectError(
      await send('POST', '/admin/categories', { slug: 'kids', name: 'Kids', parentSlug: 'nope' }),
      404,
      'parent category nope not found',
    );
    expectError(
      await send('PATCH', '/admin/categories/nope', { name: 'X' }),
      404,
      'category nope not found',
    );
    expectError(
      await send('PATCH', '/admin/categories/women', { parentSlug: 'women' }),
      400,
      'category women cannot be its own parent',
    );
    expectError(
      await send('PATCH', '/admin/categories/Women', { name: 'X' }),
      400,
      /^slug must be/,
    );
    categories.products.set('women', 3);
    expectError(
      await send('DELETE', '/admin/categories/women'),
      409,
      /^category women still holds 3 products/,
    );
    expectError(
      await send('DELETE', '/admin/categories/women?reassignTo=nope'),
      404,
      'reassignTo category nope not found',
    );
    expectError(
      await send('DELETE', '/admin/categories/women?reassignTo='),
      400,
      /^reassignTo must be/,
    );
    expectError(
      await send('DELETE', '/admin/categories/women?reassignTo=a&reassignTo=b'),
      400,
      'reassignTo must be given once',
    );
    expectError(await send('DELETE', '/admin/categories/women?move=a'), 400, /move/);
    expectError(await send('DELETE', '/admin/categories/nope'), 404, 'category nope not found');
    expect(categories.writes).toEqual([]);
    expect(categories.rows.has('women')).toBe(true);
    expect(relay.notified).toBe(0);
  });

  it('answers 401 without the admin token on every route and writes nothing', async () => {
    const anonymous = { 'content-type': 'application/json' };
    expectError(await send('POST', '/admin/categories', { slug: 'a', name: 'A' }, anonymous), 401);
    expectError(await send('PATCH', '/admin/categories/women', { name: 'A' }, anonymous), 401);
    expectError(
      await send('DELETE', '/admin/categories/women', undefined, { authorization: 'Bearer nope' }),
      401,
    );
    expect(categories.writes).toEqual([]);
  });
});
