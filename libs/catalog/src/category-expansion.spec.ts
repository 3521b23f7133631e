import type { CategoryNode } from '@shop/contracts';
import { categoryTaxonomy, expandCategorySlugs } from './category-expansion';

const tree: CategoryNode[] = [
  {
    slug: 'women',
    name: 'Women',
    children: [
      { slug: 'women-blazers', name: 'Blazers', children: [] },
      { slug: 'women-dresses', name: 'Dresses', children: [] },
    ],
  },
  { slug: 'home', name: 'Home', children: [{ slug: 'home-lamps', name: 'Lamps', children: [] }] },
];

describe('expandCategorySlugs', () => {
  it('expands a department into itself and its children', () => {
    expect(expandCategorySlugs(tree, ['women'])).toEqual([
      'women',
      'women-blazers',
      'women-dresses',
    ]);
  });

  it('keeps a leaf as it is', () => {
    expect(expandCategorySlugs(tree, ['home-lamps'])).toEqual(['home-lamps']);
  });

  it('keeps unknown slugs and drops duplicates', () => {
    expect(expandCategorySlugs(tree, ['nope', 'home', 'home-lamps'])).toEqual([
      'nope',
      'home',
      'home-lamps',
    ]);
  });

  it('is empty for no filter', () => {
    expect(expandCategorySlugs(tree, [])).toEqual([]);
  });
});

describe('categoryTaxonomy', () => {
  it('expands departments and names every category of the tree', () => {
    const taxonomy = categoryTaxonomy(tree);
    expect(taxonomy.expand(['home'])).toEqual(['home', 'home-lamps']);
    expect(taxonomy.label('women-dresses')).toBe('Dresses');
    expect(taxonomy.label('women')).toBe('Women');
    expect(taxonomy.label('nope')).toBeUndefined();
  });
});
