import { UnknownCategoryError } from '../errors';
import { createTestDatabase, TestDatabase } from '../testing/test-database';
import { CategoryRepository } from './category.repository';

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
});
