import type { ProductSearchQuery } from '@shop/contracts';
import {
  assertSearchPage,
  buildProductSearchBody,
  buildSort,
  MAX_RESULT_WINDOW,
  priceRangeKey,
  PRICE_RANGE_KEYS,
  type CategoryTaxonomy,
} from './build-product-search-body';
import { SearchPageOutOfRangeError } from '../search-errors';

const browse: ProductSearchQuery = { categories: [], sort: 'relevance', page: 1, size: 20 };

function fullText(q: string): unknown {
  return {
    bool: {
      should: [
        {
          multi_match: {
            query: q,
            fields: ['name^3', 'description'],
            type: 'best_fields',
            fuzziness: 'AUTO',
            prefix_length: 1,
            minimum_should_match: '2<75%',
            tie_breaker: 0.3,
          },
        },
        { term: { sku: { value: q, boost: 10 } } },
      ],
      minimum_should_match: 1,
    },
  };
}

describe('buildProductSearchBody', () => {
  describe('query', () => {
    it('browses everything without q or filters', () => {
      expect(buildProductSearchBody(browse).query).toEqual({ match_all: {} });
    });

    it('treats a blank q as browsing', () => {
      expect(buildProductSearchBody({ ...browse, q: '   ' }).query).toEqual({ match_all: {} });
    });

    it('searches name (boosted) and description, stemmed and typo tolerant, and exact SKUs', () => {
      expect(buildProductSearchBody({ ...browse, q: ' blazers ' }).query).toEqual({
        bool: { must: [fullText('blazers')] },
      });
    });

    it('browses with non-facet filters only in filter context (no scoring, cached)', () => {
      expect(buildProductSearchBody({ ...browse, inStock: true }).query).toEqual({
        bool: { filter: [{ term: { inStock: true } }] },
      });
    });

    it('keeps q and inStock in the query and moves facet selections to post_filter', () => {
      const body = buildProductSearchBody({
        ...browse,
        q: 'blazer',
        categories: ['jackets', 'sale', 'jackets'],
        minPrice: 50,
        maxPrice: 200,
        inStock: false,
      });
      expect(body.query).toEqual({
        bool: { must: [fullText('blazer')], filter: [{ term: { inStock: false } }] },
      });
      expect(body.post_filter).toEqual({
        bool: {
          filter: [
            { terms: { categories: ['jackets', 'sale'] } },
            { range: { price: { gte: 50, lte: 200 } } },
          ],
        },
      });
    });

    it('has no post_filter while nothing is selected', () => {
      const body = buildProductSearchBody({ ...browse, q: 'x', inStock: true });
      expect(body).not.toHaveProperty('post_filter');
    });

    it('filters on a lower price bound only', () => {
      const body = buildProductSearchBody({ ...browse, minPrice: 0 });
      expect(body.query).toEqual({ match_all: {} });
      expect(body.post_filter).toEqual({ range: { price: { gte: 0 } } });
    });

    it('filters on an upper price bound only', () => {
      expect(buildProductSearchBody({ ...browse, maxPrice: 25 }).post_filter).toEqual({
        range: { price: { lte: 25 } },
      });
    });

    it('selects several categories as one OR clause, departments expanded by the taxonomy', () => {
      const taxonomy: CategoryTaxonomy = {
        expand: (slugs) =>
          slugs.flatMap((slug) => (slug === 'women' ? [slug, 'women-dresses'] : [slug])),
        label: () => undefined,
      };
      const body = buildProductSearchBody({ ...browse, categories: ['women', 'shoes'] }, taxonomy);
      expect(body.query).toEqual({ match_all: {} });
      expect(body.post_filter).toEqual({
        terms: { categories: ['women', 'women-dresses', 'shoes'] },
      });
    });

    it('selects price ranges by key, OR within the facet, AND with typed bounds', () => {
      const body = buildProductSearchBody({
        ...browse,
        priceRanges: ['200-*', '*-25', '25-50'],
        maxPrice: 300,
      });
      expect(body.post_filter).toEqual({
        bool: {
          filter: [
            {
              bool: {
                should: [
                  { range: { price: { lt: 25 } } },
                  { range: { price: { gte: 25, lt: 50 } } },
                  { range: { price: { gte: 200 } } },
                ],
                minimum_should_match: 1,
              },
            },
            { range: { price: { lte: 300 } } },
          ],
        },
      });
    });

    it('excludes categories with must_not in the query, so hits and every facet lose them', () => {
      const taxonomy: CategoryTaxonomy = {
        expand: (slugs) => [...slugs, 'home-lamps'],
        label: () => undefined,
      };
      const body = buildProductSearchBody(
        { ...browse, q: 'lamp', excludeCategories: ['home'] },
        taxonomy,
      );
      expect(body.query).toEqual({
        bool: {
          must: [fullText('lamp')],
          must_not: [{ terms: { categories: ['home', 'home-lamps'] } }],
        },
      });
      expect(body).not.toHaveProperty('post_filter');
    });
  });

  describe('paging', () => {
    it('turns page and size into from and size', () => {
      expect(buildProductSearchBody({ ...browse, page: 1, size: 20 })).toMatchObject({
        from: 0,
        size: 20,
      });
      expect(buildProductSearchBody({ ...browse, page: 3, size: 25 })).toMatchObject({
        from: 50,
        size: 25,
      });
    });

    it('counts every hit exactly', () => {
      expect(buildProductSearchBody(browse).track_total_hits).toBe(true);
    });

    it('fetches only the item fields', () => {
      expect(buildProductSearchBody(browse)._source).toEqual([
        'id',
        'sku',
        'name',
        'description',
        'price',
        'regularPrice',
        'categories',
        'inStock',
      ]);
    });
  });

  describe('sort', () => {
    it.each([
      ['relevance', [{ _score: { order: 'desc' } }, { id: { order: 'asc' } }]],
      ['price_asc', [{ price: { order: 'asc' } }, { id: { order: 'asc' } }]],
      ['price_desc', [{ price: { order: 'desc' } }, { id: { order: 'asc' } }]],
      ['newest', [{ createdAt: { order: 'desc' } }, { id: { order: 'desc' } }]],
    ] as const)('%s ends on an id tiebreaker', (sort, expected) => {
      expect(buildProductSearchBody({ ...browse, sort }).sort).toEqual(expected);
      expect(buildSort(sort)).toEqual(expected);
    });
  });

  describe('aggregations', () => {
    const categoriesTerms = {
      terms: { field: 'categories', size: 100, order: [{ _count: 'desc' }, { _key: 'asc' }] },
    };
    const priceAggregations = {
      price_stats: { stats: { field: 'price' } },
      price_ranges: {
        range: {
          field: 'price',
          ranges: [
            { key: '*-25', to: 25 },
            { key: '25-50', from: 25, to: 50 },
            { key: '50-100', from: 50, to: 100 },
            { key: '100-200', from: 100, to: 200 },
            { key: '200-*', from: 200 },
          ],
        },
      },
    };

    it('asks for price stats, category counts and fixed price ranges in the same body', () => {
      expect(buildProductSearchBody({ ...browse, q: 'x' }).aggregations).toEqual({
        category_facet: {
          filter: { match_all: {} },
          aggregations: { categories: categoriesTerms },
        },
        price_facet: { filter: { match_all: {} }, aggregations: priceAggregations },
      });
    });

    it('does not depend on the query: the same aggregations for browse and search', () => {
      expect(buildProductSearchBody(browse).aggregations).toEqual(
        buildProductSearchBody({ ...browse, q: 'blazer', inStock: true }).aggregations,
      );
    });

    it('filters each facet by every selection but its own', () => {
      const body = buildProductSearchBody({
        ...browse,
        categories: ['shoes'],
        priceRanges: ['50-100'],
      });
      const categories = { terms: { categories: ['shoes'] } };
      const price = { range: { price: { gte: 50, lt: 100 } } };
      expect(body.post_filter).toEqual({ bool: { filter: [categories, price] } });
      expect(body.aggregations).toEqual({
        // The category facet counts as if no category were ticked, within the price range.
        category_facet: { filter: price, aggregations: { categories: categoriesTerms } },
        // Price ranges and statistics count as if no price were ticked, within the category.
        price_facet: { filter: categories, aggregations: priceAggregations },
      });
    });

    it('leaves a facet unfiltered when only its own value is selected', () => {
      const body = buildProductSearchBody({ ...browse, categories: ['a', 'b'] });
      expect(body.aggregations).toMatchObject({
        category_facet: { filter: { match_all: {} } },
        price_facet: { filter: { terms: { categories: ['a', 'b'] } } },
      });
    });
  });
});

describe('assertSearchPage', () => {
  it('accepts the last page inside the result window', () => {
    expect(() => assertSearchPage({ page: 100, size: 100 })).not.toThrow();
    expect(() => assertSearchPage({ page: MAX_RESULT_WINDOW, size: 1 })).not.toThrow();
  });

  it.each([
    [{ page: 101, size: 100 }, /must not exceed 10000/],
    [{ page: 0, size: 10 }, /page must be an integer of at least 1/],
    [{ page: 1.5, size: 10 }, /page must be an integer/],
    [{ page: 1, size: 0 }, /size must be an integer of at least 1/],
    [{ page: 1, size: Number.NaN }, /size must be an integer/],
  ])('refuses %o', (query, message) => {
    expect(() => assertSearchPage(query)).toThrow(SearchPageOutOfRangeError);
    expect(() => assertSearchPage(query)).toThrow(message);
  });
});

describe('price range keys', () => {
  it('name each fixed range by its bounds, * for an open end', () => {
    expect(PRICE_RANGE_KEYS).toEqual(['*-25', '25-50', '50-100', '100-200', '200-*']);
    expect(priceRangeKey({ from: null, to: 25 })).toBe('*-25');
    expect(priceRangeKey({ from: 200 })).toBe('200-*');
  });
});
