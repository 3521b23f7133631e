import type { ProductSearchQuery } from '@shop/contracts';
import {
  assertSearchPage,
  buildProductSearchBody,
  buildSort,
  MAX_RESULT_WINDOW,
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

    it('browses with filters only in filter context (no scoring, cached)', () => {
      expect(buildProductSearchBody({ ...browse, inStock: true }).query).toEqual({
        bool: { filter: [{ term: { inStock: true } }] },
      });
    });

    it('puts every filter in filter context next to the full-text clause', () => {
      const body = buildProductSearchBody({
        ...browse,
        q: 'blazer',
        categories: ['jackets', 'sale', 'jackets'],
        minPrice: 50,
        maxPrice: 200,
        inStock: false,
      });
      expect(body.query).toEqual({
        bool: {
          must: [fullText('blazer')],
          filter: [
            { terms: { categories: ['jackets', 'sale'] } },
            { range: { price: { gte: 50, lte: 200 } } },
            { term: { inStock: false } },
          ],
        },
      });
    });

    it('filters on a lower price bound only', () => {
      expect(buildProductSearchBody({ ...browse, minPrice: 0 }).query).toEqual({
        bool: { filter: [{ range: { price: { gte: 0 } } }] },
      });
    });

    it('filters on an upper price bound only', () => {
      expect(buildProductSearchBody({ ...browse, maxPrice: 25 }).query).toEqual({
        bool: { filter: [{ range: { price: { lte: 25 } } }] },
      });
    });

    it('filters on one category', () => {
      expect(buildProductSearchBody({ ...browse, categories: ['shoes'] }).query).toEqual({
        bool: { filter: [{ terms: { categories: ['shoes'] } }] },
      });
    });

    it('never uses post_filter, so facets describe the matching set', () => {
      const body = buildProductSearchBody({ ...browse, q: 'x', categories: ['a'], inStock: true });
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
    it('asks for price stats, category counts and fixed price ranges in the same body', () => {
      expect(buildProductSearchBody({ ...browse, q: 'x' }).aggregations).toEqual({
        price_stats: { stats: { field: 'price' } },
        categories: {
          terms: {
            field: 'categories',
            size: 100,
            order: [{ _count: 'desc' }, { _key: 'asc' }],
          },
        },
        price_ranges: {
          range: {
            field: 'price',
            ranges: [
              { to: 25 },
              { from: 25, to: 50 },
              { from: 50, to: 100 },
              { from: 100, to: 200 },
              { from: 200 },
            ],
          },
        },
      });
    });

    it('does not depend on the query: the same aggregations for browse and search', () => {
      expect(buildProductSearchBody(browse).aggregations).toEqual(
        buildProductSearchBody({ ...browse, q: 'blazer', inStock: true }).aggregations,
      );
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
