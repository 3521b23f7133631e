import { CatalogRoutingKey } from '@shop/contracts';
import {
  CategoryCycleError,
  CategoryNotEmptyError,
  CategoryNotFoundError,
  DuplicateCategoryError,
  UnknownCategoryError,
} from '../errors';
import { ProductRepository } from '../products/product.repository';
import { createTestDatabase, TestDatabase } from '../testing/test-database';
import { CATEGORY_AGGREGATE, CategoryRepository } from './category.repository';

describe('CategoryRepository (MySQL)', () => {
  let test: TestDatabase;
  let categories: CategoryRepository;

  beforeAll(async () => {
    test = await createTestDatabase();
    categories = new CategoryRepository(test.db);
  });

  afterAll(async () => {
    await test?.drop();
  });

  it('upserts children given before their parents and builds the menu tree', async () => {
    await categories.upsertMany([
      { slug: 'women-dresses', name: 'Dresses', parentSlug: 'women', position: 1 },
      { slug: 'women-blazers', name: 'Blazers', parentSlug: 'women', position: 0 },
      { slug: 'men', name: 'Men', parentSlug: null, position: 1 },
      { slug: 'women', name: 'Women', parentSlug: null, position: 0 },
      { slug: 'men-shirts', name: 'Shirts', parentSlug: 'men' },
    ]);
    expect(await categories.tree()).toEqual([
      {
        slug: 'women',
        name: 'Women',
        children: [
          { slug: 'women-blazers', name: 'Blazers', children: [] },
          { slug: 'women-dresses', name: 'Dresses', children: [] },
        ],
      },
      {
        slug: 'men',
        name: 'Men',
        children: [{ slug: 'men-shirts', name: 'Shirts', children: [] }],
      },
    ]);
    const all = await categories.all();
    expect(all.find((category) => category.slug === 'men-shirts')).toEqual({
      id: expect.any(Number),
      slug: 'men-shirts',
      name: 'Shirts',
      parentSlug: 'men',
    });
  });

  it('updates existing categories by slug, including their parent', async () => {
    await categories.upsertMany([
      { slug: 'men-shirts', name: 'Shirts & Polos', parentSlug: 'women', position: 5 },
    ]);
    const shirts = (await categories.all()).find((category) => category.slug === 'men-shirts');
    expect(shirts).toMatchObject({ name: 'Shirts & Polos', parentSlug: 'women' });
    expect(
      (await categories.all()).filter((category) => category.slug === 'men-shirts'),
    ).toHaveLength(1);
  });

  it('rejects an unknown parent and writes nothing', async () => {
    const before = await categories.all();
    await expect(
      categories.upsertMany([{ slug: 'lost', name: 'Lost', parentSlug: 'nowhere' }]),
    ).rejects.toThrow(UnknownCategoryError);
    expect(await categories.all()).toEqual(before);
  });

  describe('admin writes', () => {
    let products: ProductRepository;

    beforeAll(() => {
      products = new ProductRepository(test.db);
    });

    /** Everything a failed write must leave as it was: categories, links, versions, outbox. */
    async function snapshot(): Promise<unknown> {
      const [all, links, versions, outbox] = await Promise.all([
        categories.all(),
        test.db
          .selectFrom('product_categories')
          .selectAll()
          .orderBy('product_id')
          .orderBy('category_id')
          .execute(),
        test.db.selectFrom('products').select(['id', 'version']).orderBy('id').execute(),
        test.db.selectFrom('outbox').select('id').orderBy('id').execute(),
      ]);
      return { all, links, versions, outbox };
    }

    async function outboxSince(
      id: number,
    ): Promise<{ type: string; event: string; payload: unknown }[]> {
      const rows = await test.db
        .selectFrom('outbox')
        .select(['aggregate_type', 'event_type', 'payload'])
        .where('id', '>', id)
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        type: row.aggregate_type,
        event: row.event_type,
        payload: JSON.parse(row.payload) as unknown,
      }));
    }

    async function lastOutboxId(): Promise<number> {
      const row = await test.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      return Number(row?.id ?? 0);
    }

    it('creates a category after its last sibling, with a category.upserted in the outbox', async () => {
      const before = await lastOutboxId();
      const created = await categories.create(
        { slug: 'women-coats', name: 'Coats', parentSlug: 'women' },
        { correlationId: 'req-create' },
      );
      expect(created).toEqual({
        slug: 'women-coats',
        name: 'Coats',
        parentSlug: 'women',
        position: 6,
      });
      expect(await categories.find('women-coats')).toEqual(created);
      expect(await outboxSince(before)).toEqual([
        {
          type: CATEGORY_AGGREGATE,
          event: CatalogRoutingKey.CategoryUpserted,
          payload: {
            category: created,
            previous: null,
            affectedSlugs: ['women-coats', 'women'],
            occurredAt: expect.any(String),
          },
        },
      ]);
      // A product can be filed under it at once.
      const coat = await products.create({
        sku: 'COAT-1',
        name: 'Wool Coat',
        description: 'Warm.',
        price: 200,
        categories: ['women-coats'],
      });
      expect(coat.categories).toEqual(['women-coats']);
    });

    it('refuses a duplicate slug, an unknown parent, and changes nothing', async () => {
      const before = await snapshot();
      await expect(categories.create({ slug: 'women', name: 'Again' })).rejects.toThrow(
        DuplicateCategoryError,
      );
      await expect(
        categories.create({ slug: 'new-one', name: 'New', parentSlug: 'nowhere' }),
      ).rejects.toThrow(new CategoryNotFoundError('nowhere', 'parent'));
      expect(await snapshot()).toEqual(before);
    });

    it('renames and moves a category; announces what it touched; a no-op announces nothing', async () => {
      const before = await lastOutboxId();
      const moved = await categories.update('women-coats', {
        name: 'Coats & Jackets',
        parentSlug: 'men',
        position: 0,
      });
      expect(moved).toEqual({
        slug: 'women-coats',
        name: 'Coats & Jackets',
        parentSlug: 'men',
        position: 0,
      });
      expect(await categories.update('women-coats', { name: 'Coats & Jackets' })).toEqual(moved);
      const events = await outboxSince(before);
      expect(events).toHaveLength(1);
      expect(events[0]?.payload).toMatchObject({
        category: moved,
        previous: { name: 'Coats', parentSlug: 'women', position: 6 },
        affectedSlugs: ['women-coats', 'women', 'men'],
      });
      const root = await categories.update('women-coats', { parentSlug: null });
      expect(root.parentSlug).toBeNull();
      await categories.update('women-coats', { parentSlug: 'women' });
    });

    it('refuses a cycle, an unknown category or parent, and changes nothing', async () => {
      await categories.create({
        slug: 'women-coats-long',
        name: 'Long',
        parentSlug: 'women-coats',
      });
      const before = await snapshot();
      await expect(categories.update('women', { parentSlug: 'women' })).rejects.toThrow(
        CategoryCycleError,
      );
      await expect(categories.update('women', { parentSlug: 'women-coats-long' })).rejects.toThrow(
        CategoryCycleError,
      );
      await expect(categories.update('nothing', { name: 'X' })).rejects.toThrow(
        new CategoryNotFoundError('nothing'),
      );
      await expect(categories.update('women', { parentSlug: 'nowhere' })).rejects.toThrow(
        new CategoryNotFoundError('nowhere', 'parent'),
      );
      expect(await snapshot()).toEqual(before);
    });

    it('refuses to delete a category with products or children unless reassigned', async () => {
      const before = await snapshot();
      await expect(categories.delete('women-coats')).rejects.toThrow(CategoryNotEmptyError);
      await expect(categories.delete('women-coats')).rejects.toThrow(
        /still holds 1 product and 1 child category/,
      );
      await expect(categories.delete('women-coats', { reassignTo: 'nowhere' })).rejects.toThrow(
        new CategoryNotFoundError('nowhere', 'reassignTo'),
      );
      await expect(
        categories.delete('women-coats', { reassignTo: 'women-coats-long' }),
      ).rejects.toThrow(CategoryCycleError);
      await expect(categories.delete('women-coats', { reassignTo: 'women-coats' })).rejects.toThrow(
        CategoryCycleError,
      );
      await expect(categories.delete('nothing')).rejects.toThrow(
        new CategoryNotFoundError('nothing'),
      );
      expect(await snapshot()).toEqual(before);
    });

    it('deletes with reassignTo: products and children move, products republished, in one go', async () => {
      const both = await products.create({
        sku: 'COAT-2',
        name: 'Trench',
        description: 'Both.',
        price: 150,
        categories: ['men-shirts', 'women-coats', 'women-dresses'],
      });
      const [coat] = await products.findByIds([1]);
      expect(coat?.categories).toEqual(['women-coats']);
      const before = await lastOutboxId();

      const deletion = await categories.delete('women-coats', {
        reassignTo: 'women-dresses',
        correlationId: 'req-delete',
      });
      expect(deletion).toEqual({
        slug: 'women-coats',
        reassignTo: 'women-dresses',
        movedProducts: [coat.id, both.id],
        movedChildren: ['women-coats-long'],
      });
      expect(await categories.find('women-coats')).toBeNull();
      expect((await categories.find('women-coats-long'))?.parentSlug).toBe('women-dresses');
      const [coatAfter, bothAfter] = await products.findByIds([coat.id, both.id]);
      expect(coatAfter).toMatchObject({
        categories: ['women-dresses'],
        version: coat.version + 1,
      });
      // Already filed under the target: that link stays where it was, the other goes.
      expect(bothAfter).toMatchObject({
        categories: ['men-shirts', 'women-dresses'],
        version: both.version + 1,
      });

      const events = await outboxSince(before);
      expect(events.map((event) => event.event)).toEqual([
        CatalogRoutingKey.ProductUpserted,
        CatalogRoutingKey.ProductUpserted,
        CatalogRoutingKey.CategoryDeleted,
      ]);
      expect(events[0]?.payload).toMatchObject({
        product: { id: coat.id, categories: ['women-dresses'] },
      });
      expect(events[2]?.payload).toEqual({
        slug: 'women-coats',
        reassignTo: 'women-dresses',
        movedProducts: 2,
        affectedSlugs: ['women-coats', 'women', 'women-coats-long', 'women-dresses'],
        occurredAt: expect.any(String),
      });
      const correlations = await test.db
        .selectFrom('outbox')
        .select('correlation_id')
        .where('id', '>', before)
        .execute();
      expect(correlations.every((row) => row.correlation_id === 'req-delete')).toBe(true);
      expect(await categories.productIdsIn(['women-dresses'])).toEqual([coat.id, both.id]);
    });

    it('deletes an empty category without reassignTo', async () => {
      await categories.delete('women-coats-long', { reassignTo: 'women' });
      await categories.create({ slug: 'empty-one', name: 'Empty' });
      await categories.delete('empty-one');
      expect(await categories.find('empty-one')).toBeNull();
    });
  });
});
