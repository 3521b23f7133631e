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

const page = { categories: [], page: 1, size: 20 };

function aggregations(
  stats: { count: number; min: number | null; max: number | null; avg: number | null },
  categories: Array<{ key: string | number; doc_count: number }>,
  ranges: Array<{ key?: string; from?: number; to?: number; doc_count: number }>,
): NonNullable<ProductSearchResponse['aggregations']> {
  return {
    category_facet: { doc_count: 3, categories: { buckets: categories } },
    price_facet: { doc_count: stats.count, price_stats: stats, price_ranges: { buckets: ranges } },
  };
}

function response(overrides: Partial<ProductSearchResponse> = {}): ProductSearchResponse {
  return {
    hits: { total: { value: 3, relation: 'eq' }, hits: [{ _source: blazer }] },
    aggregations: aggregations(
      { count: 3, min: 9.99, max: 149.9, avg: 63.29333333333333 },
      [
        { key: 'jackets', doc_count: 2 },
        { key: 'summer', doc_count: 1 },
      ],
      [
        { key: '*-25', to: 25, doc_count: 1 },
        { key: '25-50', from: 25, to: 50, doc_count: 1 },
        { key: '50-100', from: 50, to: 100, doc_count: 0 },
        { key: '100-200', from: 100, to: 200, doc_count: 1 },
        { key: '200-*', from: 200, doc_count: 0 },
      ],
    ),
    ...overrides,
  };
}

const names = new Map([
  ['jackets', 'Jackets'],
  ['summer', 'Summer Edit'],
  ['shoes', 'Shoes'],
]);
const taxonomy = { label: (slug: string) => names.get(slug) };

describe('parseProductSearchResponse', () => {
  it('maps hits, total, paging and every aggregation, buckets with labels', () => {
    expect(parseProductSearchResponse(response(), { ...page, page: 2, size: 1 }, taxonomy)).toEqual(
      {
        items: [blazer],
        total: 3,
        page: 2,
        size: 1,
        aggregations: {
          avgPrice: 63.29,
          minPrice: 9.99,
          maxPrice: 149.9,
          categories: [
            { key: 'jackets', label: 'Jackets', count: 2, selected: false },
            { key: 'summer', label: 'Summer Edit', count: 1, selected: false },
          ],
          priceRanges: [
            { key: '*-25', from: null, to: 25, count: 1, selected: false },
            { key: '25-50', from: 25, to: 50, count: 1, selected: false },
            { key: '50-100', from: 50, to: 100, count: 0, selected: false },
            { key: '100-200', from: 100, to: 200, count: 1, selected: false },
            { key: '200-*', from: 200, to: null, count: 0, selected: false },
          ],
        },
      },
    );
  });

  it('marks the selected categories and price ranges', () => {
    const result = parseProductSearchResponse(
      response(),
      { ...page, categories: ['summer'], priceRanges: ['25-50', '200-*'] },
      taxonomy,
    );
    expect(result.aggregations.categories.map((bucket) => bucket.selected)).toEqual([false, true]);
    expect(result.aggregations.priceRanges.map((bucket) => bucket.selected)).toEqual([
      false,
      true,
      false,
      false,
      true,
    ]);
  });

  it('lists a selected category nothing matches any more with count 0, so it can be unticked', () => {
    const result = parseProductSearchResponse(
      response(),
      { ...page, categories: ['shoes', 'jackets', 'gone'] },
      taxonomy,
    );
    expect(result.aggregations.categories).toEqual([
      { key: 'jackets', label: 'Jackets', count: 2, selected: true },
      { key: 'summer', label: 'Summer Edit', count: 1, selected: false },
      { key: 'shoes', label: 'Shoes', count: 0, selected: true },
      // Unknown to the tree: the slug stands in for a name.
      { key: 'gone', label: 'gone', count: 0, selected: true },
    ]);
  });

  it('gives null statistics, no categories and empty ranges when nothing matches', () => {
    const result = parseProductSearchResponse(
      response({
        hits: { total: { value: 0, relation: 'eq' }, hits: [] },
        aggregations: aggregations(
          { count: 0, min: null, max: null, avg: null },
          [],
          [{ key: '*-25', to: 25, doc_count: 0 }],
        ),
      }),
      page,
    );
    expect(result.items).toEqual([]);
    expect(result.total).toBe(0);
    expect(result.aggregations).toEqual({
      avgPrice: null,
      minPrice: null,
      maxPrice: null,
      categories: [],
      priceRanges: [{ key: '*-25', from: null, to: 25, count: 0, selected: false }],
    });
  });

  it('still reports totals and facets for a page past the last hit', () => {
    const result = parseProductSearchResponse(
      response({ hits: { total: { value: 3, relation: 'eq' }, hits: [] } }),
      { ...page, page: 9 },
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
      page,
    );
    expect(result.total).toBe(1);
    expect(result.items[0].price).toBe(19.99);
  });

  it('copes with a response without aggregations or totals', () => {
    const result = parseProductSearchResponse({ hits: { hits: [] } }, { ...page, size: 5 });
    expect(result.total).toBe(0);
    expect(result.aggregations).toEqual({
      avgPrice: null,
      minPrice: null,
      maxPrice: null,
      categories: [],
      priceRanges: [],
    });
  });

  it('skips hits without a source, turns numeric keys into strings, keys ranges by bounds', () => {
    const result = parseProductSearchResponse(
      response({
        hits: { total: 2, hits: [{}, { _source: blazer }] },
        aggregations: aggregations(
          { count: 1, min: 1, max: 1, avg: 1 },
          [{ key: 42, doc_count: 1 }],
          [{ from: 25, to: 50, doc_count: 1 }],
        ),
      }),
      page,
    );
    expect(result.items).toEqual([blazer]);
    expect(result.aggregations.categories).toEqual([
      { key: '42', label: '42', count: 1, selected: false },
    ]);
    expect(result.aggregations.priceRanges[0].key).toBe('25-50');
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
