import { FakePurger } from '../testing/fakes';
import { parseCategoryChange, type CategoryChange } from '../events';
import { CategoryCacheSync } from './category-cache.sync';

const details = (slug: string, name: string, parentSlug: string | null = null) => ({
  slug,
  name,
  parentSlug,
  position: 0,
});
const at = '2026-01-01T00:00:00.000Z';

function setup(productsIn: Record<string, number[]> = {}) {
  const asked: string[][] = [];
  const categories = {
    productIdsIn: (slugs: readonly string[]): Promise<number[]> => {
      asked.push([...slugs]);
      return Promise.resolve(slugs.flatMap((slug) => productsIn[slug] ?? []));
    },
  };
  const purger = new FakePurger();
  return { sync: new CategoryCacheSync(categories, purger), purger, asked };
}

describe('parseCategoryChange', () => {
  it('reads category.upserted: the slugs it touched, and whether the name changed', () => {
    expect(
      parseCategoryChange({
        category: details('coats', 'Coats & Jackets', 'women'),
        previous: details('coats', 'Coats', 'women'),
        affectedSlugs: ['coats', 'women'],
        occurredAt: at,
      }),
    ).toEqual({
      kind: 'upserted',
      slug: 'coats',
      affectedSlugs: ['coats', 'women'],
      renamed: true,
    });
    expect(
      parseCategoryChange({
        category: details('coats', 'Coats'),
        previous: null,
        affectedSlugs: [],
        occurredAt: at,
      }),
    ).toEqual({ kind: 'upserted', slug: 'coats', affectedSlugs: ['coats'], renamed: false });
  });

  it('reads category.deleted', () => {
    expect(
      parseCategoryChange({
        slug: 'coats',
        reassignTo: 'jackets',
        movedProducts: 3,
        affectedSlugs: ['coats', 'women', 'jackets'],
        occurredAt: at,
      }),
    ).toEqual({
      kind: 'deleted',
      slug: 'coats',
      affectedSlugs: ['coats', 'women', 'jackets'],
      renamed: false,
    });
  });

  it.each([
    ['no object', 'coats'],
    [
      'a slug that cannot be a tag',
      { slug: 'Coats!', reassignTo: null, movedProducts: 0, affectedSlugs: [], occurredAt: at },
    ],
    ['no occurredAt', { category: details('coats', 'Coats'), previous: null, affectedSlugs: [] }],
  ])('treats %s as poison', (_what, body) => {
    expect(() => parseCategoryChange(body)).toThrow(/not a category/);
  });
});

describe('CategoryCacheSync', () => {
  it('purges the menu and the touched categories hard, listings softly', async () => {
    const { sync, purger, asked } = setup();
    const changes: CategoryChange[] = [
      { kind: 'upserted', slug: 'coats', affectedSlugs: ['coats', 'women'], renamed: false },
      { kind: 'deleted', slug: 'old', affectedSlugs: ['old', 'women'], renamed: false },
    ];
    expect(await sync.handle(changes)).toEqual({ events: 2, hardTags: 4, softTags: 1 });
    expect(purger.plans).toEqual([
      { hard: ['menu', 'category-coats', 'category-women', 'category-old'], soft: ['listing'] },
    ]);
    expect(asked).toEqual([[]]);
  });

  it('after a rename, also softly purges the pages of the products that show the name', async () => {
    const { sync, purger } = setup({ coats: [7, 9] });
    await sync.handle([
      { kind: 'upserted', slug: 'coats', affectedSlugs: ['coats'], renamed: true },
    ]);
    expect(purger.plans).toEqual([
      { hard: ['menu', 'category-coats'], soft: ['listing', 'product-7', 'product-9'] },
    ]);
  });

  it('lets a failed purge fail the batch, so it is retried', async () => {
    const { sync, purger } = setup();
    purger.failures = 1;
    await expect(
      sync.handle([{ kind: 'deleted', slug: 'old', affectedSlugs: ['old'], renamed: false }]),
    ).rejects.toThrow(/PURGE failed/);
  });
});
