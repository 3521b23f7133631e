import type { Category } from '@shop/contracts';
import { buildCategoryTree } from './category-tree';

const category = (id: number, slug: string, parentSlug: string | null): Category => ({
  id,
  slug,
  name: slug.toUpperCase(),
  parentSlug,
});

describe('buildCategoryTree', () => {
  it('nests children under parents in the given order', () => {
    const tree = buildCategoryTree([
      category(1, 'women', null),
      category(2, 'men', null),
      category(3, 'women-blazers', 'women'),
      category(4, 'men-shirts', 'men'),
      category(5, 'women-dresses', 'women'),
    ]);
    expect(tree).toEqual([
      {
        slug: 'women',
        name: 'WOMEN',
        children: [
          { slug: 'women-blazers', name: 'WOMEN-BLAZERS', children: [] },
          { slug: 'women-dresses', name: 'WOMEN-DRESSES', children: [] },
        ],
      },
      {
        slug: 'men',
        name: 'MEN',
        children: [{ slug: 'men-shirts', name: 'MEN-SHIRTS', children: [] }],
      },
    ]);
  });

  it('keeps a category whose parent is missing as a root', () => {
    expect(buildCategoryTree([category(1, 'orphan', 'gone')])).toEqual([
      { slug: 'orphan', name: 'ORPHAN', children: [] },
    ]);
  });

  it('leaves out categories caught in a cycle', () => {
    const tree = buildCategoryTree([
      category(1, 'root', null),
      category(2, 'a', 'b'),
      category(3, 'b', 'a'),
    ]);
    expect(tree).toEqual([{ slug: 'root', name: 'ROOT', children: [] }]);
  });

  it('returns an empty menu for no categories', () => {
    expect(buildCategoryTree([])).toEqual([]);
  });
});
