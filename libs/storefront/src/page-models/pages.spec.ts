import { CategoryNode, Product, ProductSearchResult } from '@shop/contracts';
import { findCategoryTrail } from './category-tree';
import { BadPageRequest, PageNotFound } from './page-errors';
import { ListingQuery } from './page-params';
import {
  categoryPage,
  categoryProductsQuery,
  homePage,
  productNotFound,
  productPage,
  searchPage,
  searchProductsQuery,
  searchPromptPage,
} from './pages';

const tree: CategoryNode[] = [
  {
    slug: 'clothing',
    name: 'Clothing',
    children: [
      { slug: 'shoes', name: 'Shoes', children: [{ slug: 'boots', name: 'Boots', children: [] }] },
    ],
  },
  { slug: 'garden', name: 'Garden', children: [] },
];

const first: ListingQuery = { page: 1, sort: 'relevance', categories: [], priceRanges: [] };

function result(ids: number[], total = ids.length): ProductSearchResult {
  return {
    items: ids.map((id) => ({
      id,
      sku: `SKU-${id}`,
      name: `Product ${id}`,
      description: '',
      price: 10,
      categories: ['shoes'],
      inStock: true,
    })),
    total,
    page: 1,
    size: 12,
    aggregations: {
      avgPrice: 10,
      minPrice: 10,
      maxPrice: 10,
      categories: [
        { key: 'shoes', label: 'Shoes', count: ids.length, selected: false },
        { key: 'boots', label: 'Boots', count: 2, selected: false },
        { key: 'garden', label: 'Garden', count: 5, selected: false },
      ],
      priceRanges: [{ key: '*-20', from: null, to: 20, count: ids.length, selected: false }],
    },
  };
}

describe('findCategoryTrail', () => {
  it('walks from the root to the category', () => {
    expect(findCategoryTrail(tree, 'boots')?.map((node) => node.slug)).toEqual([
      'clothing',
      'shoes',
      'boots',
    ]);
    expect(findCategoryTrail(tree, 'nope')).toBeNull();
  });
});

describe('homePage', () => {
  it('is a listing tagged `listing` with one stock badge per tile', () => {
    const page = homePage(result([1, 2]));
    expect(page).toMatchObject({
      lifetime: 'listing',
      cacheTags: ['listing'],
      stockBadges: [1, 2],
    });
  });
});

describe('categoryPage', () => {
  it('carries listing-level tags only, however many products it lists', () => {
    const ids = Array.from({ length: 12 }, (_, index) => index + 1);
    const page = categoryPage('shoes', tree, first, result(ids, 500));
    expect(page.cacheTags).toEqual(['listing', 'category-shoes']);
    expect(page.stockBadges).toEqual(ids);
    expect(page.view.heading).toBe('Shoes');
    expect(page.view.breadcrumbs.map((crumb) => crumb.href)).toEqual(['/c/clothing', '/c/shoes']);
    expect(page.view.facets.map((group) => group.title)).toEqual(['Category', 'Price']);
    // Only what lies inside the page's category, as checkboxes.
    expect(page.view.facets[0].links).toEqual([
      {
        label: 'Boots',
        href: '/c/shoes?category=boots',
        count: 2,
        active: false,
        role: 'checkbox',
      },
    ]);
    expect(page.view.pagination.totalPages).toBe(42);
  });

  it('is a 404 tagged with the category when the tree does not know the slug', () => {
    const build = (): unknown => categoryPage('hats', tree, first, result([]));
    expect(build).toThrow(PageNotFound);
    try {
      build();
    } catch (error) {
      expect((error as PageNotFound).cacheTags).toEqual(['category-hats']);
    }
  });

  it('offers the way back from a page past the end', () => {
    const page = categoryPage('shoes', tree, { ...first, page: 9 }, result([], 3));
    expect(page.view.pastTheEnd).toBe(true);
    expect(page.view.firstPageHref).toBe('/c/shoes');
  });

  it('asks the catalog for the category, or for the subcategories ticked on it', () => {
    expect(categoryProductsQuery('shoes', tree, { ...first, page: 2 })).toMatchObject({
      category: ['shoes'],
      page: 2,
      size: 12,
    });
    expect(
      categoryProductsQuery('clothing', tree, { ...first, categories: ['boots', 'shoes'] }),
    ).toMatchObject({ category: ['boots', 'shoes'] });
  });

  it('refuses a ticked category outside the page, and is a 404 for an unknown page', () => {
    expect(() =>
      categoryProductsQuery('shoes', tree, { ...first, categories: ['garden'] }),
    ).toThrow(BadPageRequest);
    expect(() => categoryProductsQuery('hats', tree, first)).toThrow(PageNotFound);
  });
});

describe('search pages', () => {
  it('asks the catalog nothing without search text', () => {
    expect(searchProductsQuery({ ...first, q: '' })).toBeNull();
    expect(searchPromptPage()).toMatchObject({
      template: 'pages/search-prompt.njk',
      cacheTags: ['listing'],
    });
  });

  it('shows results with category and price facets and keeps the text in the search box', () => {
    const page = searchPage({ ...first, q: 'boot' }, result([3]));
    expect(page.searchText).toBe('boot');
    expect(page.view.facets.map((group) => group.title)).toEqual(['Category', 'Price']);
    expect(page.view.facets[0].links.map((link) => [link.label, link.href])).toEqual([
      ['Shoes', '/search?category=shoes&q=boot'],
      ['Boots', '/search?category=boots&q=boot'],
      ['Garden', '/search?category=garden&q=boot'],
    ]);
    expect(page.cacheTags).toEqual(['listing']);
  });
});

describe('productPage', () => {
  const product: Product = {
    id: 7,
    sku: 'SKU-7',
    name: 'Boot',
    description: 'Warm',
    price: 99.5,
    categories: ['boots', 'unknown-thing'],
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  };

  it('lives an hour under its own tag and shows its stock badge', () => {
    const page = productPage(product, new Map([['boots', 'Boots']]));
    expect(page).toMatchObject({
      lifetime: 'product',
      cacheTags: ['product-7'],
      stockBadges: [7],
      title: 'Boot',
    });
    expect(page.view.categories).toEqual([
      { slug: 'boots', name: 'Boots', href: '/c/boots' },
      { slug: 'unknown-thing', name: 'Unknown thing', href: '/c/unknown-thing' },
    ]);
  });

  it('strikes the regular price through while a sale runs, and only then', () => {
    expect(productPage(product, new Map()).view).toMatchObject({
      wasPrice: null,
      saleEndsAt: null,
    });
    const onSale = productPage(
      {
        ...product,
        price: 79.5,
        regularPrice: 99.5,
        salePrice: 79.5,
        saleEndsAt: '2026-12-02T00:00:00.000Z',
      },
      new Map(),
    );
    expect(onSale.view).toMatchObject({ wasPrice: 99.5, saleEndsAt: '2026-12-02T00:00:00.000Z' });
    // A scheduled sale that has not started: the price is the regular one, nothing struck.
    const scheduled = productPage(
      { ...product, regularPrice: 99.5, salePrice: 79.5, saleEndsAt: null },
      new Map(),
    );
    expect(scheduled.view.wasPrice).toBeNull();
  });

  it('makes a 404 that creating the product purges', () => {
    expect(productNotFound(9).cacheTags).toEqual(['product-9']);
  });
});
