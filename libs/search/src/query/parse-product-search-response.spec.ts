import {
  parseProductSearchResponse,
  roundToCents,
  type ProductSearchResponse,
} from './parse-product-search-response';

const blazer = {
  id: 1,
  sku: 'LB-1',
  name: 'Linen Blazer',
  description: 'Light summer blazer',
  price: 149.9,
  categories: ['jackets', 'summer'],
  inStock: true,
};

function response(overrides: Partial<ProductSearchResponse> = {}): ProductSearchResponse {
  return {
    hits: { total: { value: 3, relation: 'eq' }, hits: [{ _source: blazer }] },
    aggregations: {
      price_stats: { count: 3, min: 9.99, max: 149.9, avg: 63.29333333333333 },
      categories: {
        buckets: [
          { key: 'jackets', doc_count: 2 },
          { key: 'summer', doc_count: 1 },
        ],
      },
      price_ranges: {
        buckets: [
          { to: 25, doc_count: 1 },
          { from: 25, to: 50, doc_count: 1 },
          { from: 50, to: 100, doc_count: 0 },
          { from: 100, to: 200, doc_count: 1 },
          { from: 200, doc_count: 0 },
        ],
      },
    },
    ...overrides,
  };
}

describe('parseProductSearchResponse', () => {
  it('maps hits, total, paging and every aggregation', () => {
    expect(parseProductSearchResponse(response(), { page: 2, size: 1 })).toEqual({
      items: [blazer],
      total: 3,
      page: 2,
      size: 1,
      aggregations: {
        avgPrice: 63.29,
        minPrice: 9.99,
        maxPrice: 149.9,
        categories: [
          { key: 'jackets', count: 2 },
          { key: 'summer', count: 1 },
        ],
        priceRanges: [
          { from: null, to: 25, count: 1 },
          { from: 25, to: 50, count: 1 },
          { from: 50, to: 100, count: 0 },
          { from: 100, to: 200, count: 1 },
          { from: 200, to: null, count: 0 },
        ],
      },
    });
  });

  it('gives null statistics, no categories and empty ranges when nothing matches', () => {
    const result = parseProductSearchResponse(
      response({
        hits: { total: { value: 0, relation: 'eq' }, hits: [] },
        aggregations: {
          price_stats: { count: 0, min: null, max: null, avg: null },
          categories: { buckets: [] },
          price_ranges: { buckets: [{ to: 25, doc_count: 0 }] },
        },
      }),
      { page: 1, size: 20 },
    );
    expect(result.items).toEqual([]);
    expect(result.total).toBe(0);
    expect(result.aggregations).toEqual({
      avgPrice: null,
      minPrice: null,
      maxPrice: null,
      categories: [],
      priceRanges: [{ from: null, to: 25, count: 0 }],
    });
  });

  it('still reports totals and facets for a page past the last hit', () => {
    const result = parseProductSearchResponse(
      response({ hits: { total: { value: 3, relation: 'eq' }, hits: [] } }),
      { page: 9, size: 20 },
    );
    expect(result.items).toEqual([]);
    expect(result.total).toBe(3);
    expect(result.aggregations.minPrice).toBe(9.99);
  });

  it('rounds item prices stored with binary noise to cents', () => {
    const result = parseProductSearchResponse(
      response({
        hits: { total: 1, hits: [{ _source: { ...blazer, price: 19.990000000000002 } }] },
      }),
      { page: 1, size: 20 },
    );
    expect(result.total).toBe(1);
    expect(result.items[0].price).toBe(19.99);
  });

  it('copes with a response without aggregations or totals', () => {
    const result = parseProductSearchResponse({ hits: { hits: [] } }, { page: 1, size: 5 });
    expect(result.total).toBe(0);
    expect(result.aggregations).toEqual({
      avgPrice: null,
      minPrice: null,
      maxPrice: null,
      categories: [],
      priceRanges: [],
    });
  });

  it('skips hits without a source and turns numeric category keys into strings', () => {
    const result = parseProductSearchResponse(
      response({
        hits: { total: 2, hits: [{}, { _source: blazer }] },
        aggregations: {
          ...response().aggregations!,
          categories: { buckets: [{ key: 42, doc_count: 1 }] },
        },
      }),
      { page: 1, size: 20 },
    );
    expect(result.items).toEqual([blazer]);
    expect(result.aggregations.categories).toEqual([{ key: '42', count: 1 }]);
  });
});

describe('roundToCents', () => {
  it.each([
    [1.005, 1.01],
    [63.29333333333333, 63.29],
    [19.995, 20],
    [0.1 + 0.2, 0.3],
    [149.9, 149.9],
    [1234567.885, 1234567.89],
    [0, 0],
    [-0.001, 0],
  ])('%p -> %p', (value, expected) => {
    expect(roundToCents(value)).toBe(expected);
  });

  it('never returns negative zero', () => {
    expect(Object.is(roundToCents(-0.001), 0)).toBe(true);
  });
});
