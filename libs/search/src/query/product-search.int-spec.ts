import { Client } from '@elastic/elasticsearch';
import type {
  CategoryFacetBucket,
  PriceRangeBucket,
  ProductSearchQuery,
  ProductSearchResult,
} from '@shop/contracts';
import type { CategoryTaxonomy } from './build-product-search-body';
import { createElasticsearchClient } from '../elasticsearch.module';
import { ProductIndexer } from '../indexing/product-indexer';
import { ProductSearch } from './product-search';
import { SearchPageOutOfRangeError, SearchUnavailableError } from '../search-errors';
import { checkElasticsearchHealth } from '../search-health';
import {
  deleteTestIndices,
  ELASTICSEARCH_TEST_NODES,
  PRODUCT_FIXTURES,
  uniqueTestAlias,
} from '../testing/product-fixtures';

const browse: ProductSearchQuery = { categories: [], sort: 'relevance', page: 1, size: 100 };

/** The category facet of the whole catalog, by count then slug. */
const BROWSE_CATEGORIES: Array<[string, number]> = [
  ['jackets', 4],
  ['summer', 4],
  ['shirts', 3],
  ['winter', 3],
  ['accessories', 2],
  ['shoes', 2],
];

/** Without a taxonomy a category is named by its slug. */
function bucket(key: string, count: number, selected = false): CategoryFacetBucket {
  return { key, label: key, count, selected };
}

function rangeCounts(counts: number[], selected: string[] = []): PriceRangeBucket[] {
  const bounds: Array<[string, number | null, number | null]> = [
    ['*-25', null, 25],
    ['25-50', 25, 50],
    ['50-100', 50, 100],
    ['100-200', 100, 200],
    ['200-*', 200, null],
  ];
  return bounds.map(([key, from, to], index) => ({
    key,
    from,
    to,
    count: counts[index],
    selected: selected.includes(key),
  }));
}

describe('ProductSearch against Elasticsearch', () => {
  const client = createElasticsearchClient(ELASTICSEARCH_TEST_NODES);
  const alias = uniqueTestAlias('search');
  const search = new ProductSearch(client, alias);
  const indexer = new ProductIndexer(client, alias);

  const ids = async (query: Partial<ProductSearchQuery>): Promise<number[]> =>
    (await search.search({ ...browse, ...query })).items.map((item) => item.id);

  beforeAll(async () => {
    await indexer.ensureIndex();
    await indexer.upsert(PRODUCT_FIXTURES);
  });

  afterAll(async () => {
    await deleteTestIndices(client, alias);
    await client.close();
  });

  describe('browse', () => {
    it('returns every product with totals and facets over the whole catalog', async () => {
      const result = await search.search(browse);
      expect(result.total).toBe(11);
      expect(result.items).toHaveLength(11);
      expect(result.page).toBe(1);
      expect(result.size).toBe(100);
      expect(result.items.find((item) => item.id === 1)).toEqual({
        id: 1,
        sku: 'LB-1',
        name: 'Linen Blazer',
        description: 'Light summer blazer in washed linen',
        price: 149.9,
        // No sale: the regular price is the price (a tile strikes it through only below it).
        regularPrice: 149.9,
        categories: ['jackets', 'summer'],
        inStock: true,
      });
      expect(result.aggregations).toEqual({
        // (149.9 + 219 + 89.5 + 19.99 + 49 + 89.5 + 189 + 25 + 24.99 + 50 + 159) / 11 = 96.8073
        avgPrice: 96.81,
        minPrice: 19.99,
        maxPrice: 219,
        categories: BROWSE_CATEGORIES.map(([key, count]) => bucket(key, count)),
        // from inclusive, to exclusive: 25.00 and 50.00 open their buckets.
        priceRanges: [
          { key: '*-25', from: null, to: 25, count: 2, selected: false },
          { key: '25-50', from: 25, to: 50, count: 2, selected: false },
          { key: '50-100', from: 50, to: 100, count: 3, selected: false },
          { key: '100-200', from: 100, to: 200, count: 3, selected: false },
          { key: '200-*', from: 200, to: null, count: 1, selected: false },
        ],
      });
    });
  });

  describe('facets of a filtered query (one request)', () => {
    it('price bounds + categories + inStock together', async () => {
      const result = await search.search({
        ...browse,
        categories: ['jackets', 'shoes'],
        minPrice: 50,
        maxPrice: 200,
        inStock: true,
      });
      // 2 is too dear (219), 3 is out of stock, 8 is too cheap (25).
      expect(result.items.map((item) => item.id).sort((a, b) => a - b)).toEqual([1, 7, 11]);
      expect(result.total).toBe(3);
      expect(result.aggregations).toEqual({
        // The price facet: in-stock jackets and shoes at any price, 1, 2, 7, 8, 11:
        // (149.9 + 219 + 189 + 25 + 159) / 5 = 148.38.
        avgPrice: 148.38,
        minPrice: 25,
        maxPrice: 219,
        // The category facet: in stock at 50..200, whatever the category: 1, 7, 11.
        categories: [
          bucket('jackets', 2, true),
          bucket('shoes', 1, true),
          bucket('summer', 1),
          bucket('winter', 1),
        ],
        // 8 (25), then 1, 7, 11 (100..200), then 2 (219).
        priceRanges: rangeCounts([0, 1, 0, 3, 1]),
      });
    });

    it('full text + inStock', async () => {
      const result = await search.search({ ...browse, q: 'blazer', inStock: true });
      // The denim jacket mentions a blazer but is out of stock.
      expect(result.items.map((item) => item.id).sort((a, b) => a - b)).toEqual([1, 2, 11]);
      expect(result.aggregations).toMatchObject({
        avgPrice: 175.97, // (149.9 + 219 + 159) / 3 = 175.9667
        minPrice: 149.9,
        maxPrice: 219,
        categories: [
          { key: 'jackets', count: 3 },
          { key: 'summer', count: 1 },
          { key: 'winter', count: 1 },
        ],
      });
      expect(result.aggregations.priceRanges.map((bucket) => bucket.count)).toEqual([
        0, 0, 0, 2, 1,
      ]);
    });

    it('inclusive price bounds', async () => {
      expect(await ids({ minPrice: 25, maxPrice: 50, sort: 'price_asc' })).toEqual([8, 5, 10]);
    });

    it('inStock false', async () => {
      expect((await ids({ inStock: false })).sort((a, b) => a - b)).toEqual([3, 6, 10]);
    });

    it('no match: empty items, zero total, null statistics, the other categories counted', async () => {
      const result = await search.search({ ...browse, q: 'blazer', categories: ['shoes'] });
      expect(result.total).toBe(0);
      expect(result.items).toEqual([]);
      expect(result.aggregations).toEqual({
        avgPrice: null,
        minPrice: null,
        maxPrice: null,
        // "blazer" finds 1, 2, 3 and 11; the ticked "shoes" stays listed to be unticked.
        categories: [
          bucket('jackets', 4),
          bucket('summer', 1),
          bucket('winter', 1),
          bucket('shoes', 0, true),
        ],
        priceRanges: rangeCounts([0, 0, 0, 0, 0]),
      });
    });
  });

  describe('multi-select facets (counts worked out by hand from PRODUCT_FIXTURES)', () => {
    // id: price, categories, inStock
    //  1: 149.90 jackets summer     2: 219.00 jackets winter     3:  89.50 jackets (out)
    //  4:  19.99 shirts summer      5:  49.00 shirts summer      6:  89.50 shirts (out)
    //  7: 189.00 shoes winter       8:  25.00 shoes summer       9:  24.99 accessories winter
    // 10:  50.00 accessories (out) 11: 159.00 jackets
    const BROWSE_RANGES = [2, 2, 3, 3, 1];
    let requests = 0;
    const countRequest = (): void => {
      requests += 1;
    };

    beforeAll(() => client.diagnostic.on('request', countRequest));
    afterAll(() => client.diagnostic.off('request', countRequest));

    /** Searches and proves the answer took exactly one request to Elasticsearch. */
    const searchOnce = async (
      query: Partial<ProductSearchQuery>,
      taxonomy?: CategoryTaxonomy,
    ): Promise<ProductSearchResult> => {
      const before = requests;
      const result = await search.search({ ...browse, ...query }, taxonomy);
      expect(requests - before).toBe(1);
      return result;
    };
    const sortedIds = (result: ProductSearchResult): number[] =>
      result.items.map((item) => item.id).sort((a, b) => a - b);

    it('one category selected: the hits narrow, the category facet counts as if none were', async () => {
      const result = await searchOnce({ categories: ['shoes'] });
      expect(sortedIds(result)).toEqual([7, 8]);
      expect(result.total).toBe(2);
      expect(result.aggregations.categories).toEqual(
        BROWSE_CATEGORIES.map(([key, count]) => bucket(key, count, key === 'shoes')),
      );
      // The price facet does narrow to shoes: 8 (25) and 7 (189).
      expect(result.aggregations.priceRanges).toEqual(rangeCounts([0, 1, 0, 1, 0]));
      expect(result.aggregations).toMatchObject({ minPrice: 25, maxPrice: 189, avgPrice: 107 });
    });

    it('two categories selected: the union of both (OR within the facet)', async () => {
      const result = await searchOnce({ categories: ['shoes', 'accessories'] });
      expect(sortedIds(result)).toEqual([7, 8, 9, 10]);
      expect(result.total).toBe(4);
      expect(result.aggregations.categories).toEqual(
        BROWSE_CATEGORIES.map(([key, count]) =>
          bucket(key, count, key === 'shoes' || key === 'accessories'),
        ),
      );
      // 9 (24.99), 8 (25), 10 (50), 7 (189).
      expect(result.aggregations.priceRanges).toEqual(rangeCounts([1, 1, 1, 1, 0]));
    });

    it('a price range selected narrows the category counts but not the price-range counts', async () => {
      const result = await searchOnce({ priceRanges: ['100-200'] });
      expect(sortedIds(result)).toEqual([1, 7, 11]);
      expect(result.aggregations.categories).toEqual([
        bucket('jackets', 2),
        bucket('shoes', 1),
        bucket('summer', 1),
        bucket('winter', 1),
      ]);
      expect(result.aggregations.priceRanges).toEqual(rangeCounts(BROWSE_RANGES, ['100-200']));
      // The statistics belong to the price facet: the whole catalog's, as in browse.
      expect(result.aggregations).toMatchObject({
        avgPrice: 96.81,
        minPrice: 19.99,
        maxPrice: 219,
      });
    });

    it('AND across facets: categories and price ranges each count with the other applied', async () => {
      const result = await searchOnce({
        categories: ['jackets', 'shoes'],
        priceRanges: ['100-200', '200-*'],
      });
      // Jackets or shoes, at 100 or more.
      expect(sortedIds(result)).toEqual([1, 2, 7, 11]);
      // At 100 or more, any category: 1, 2, 7, 11.
      expect(result.aggregations.categories).toEqual([
        bucket('jackets', 3, true),
        bucket('winter', 2),
        bucket('shoes', 1, true),
        bucket('summer', 1),
      ]);
      // Jackets or shoes, any price: 8 (25), 3 (89.5), 1, 7, 11 (100..200), 2 (219).
      expect(result.aggregations.priceRanges).toEqual(
        rangeCounts([0, 1, 1, 3, 1], ['100-200', '200-*']),
      );
      // (149.9 + 219 + 89.5 + 159 + 189 + 25) / 6 = 138.5667
      expect(result.aggregations).toMatchObject({ avgPrice: 138.57, minPrice: 25, maxPrice: 219 });
    });

    it('excludeCategory removes hits and counts from every facet', async () => {
      const result = await searchOnce({ excludeCategories: ['winter'] });
      // 2, 7 and 9 are winter products.
      expect(sortedIds(result)).toEqual([1, 3, 4, 5, 6, 8, 10, 11]);
      expect(result.total).toBe(8);
      expect(result.aggregations.categories).toEqual([
        bucket('summer', 4),
        bucket('jackets', 3),
        bucket('shirts', 3),
        bucket('accessories', 1),
        bucket('shoes', 1),
      ]);
      expect(result.aggregations.priceRanges).toEqual(rangeCounts([1, 2, 3, 2, 0]));
      expect(result.aggregations.maxPrice).toBe(159);

      const narrowed = await searchOnce({ categories: ['jackets'], excludeCategories: ['winter'] });
      expect(sortedIds(narrowed)).toEqual([1, 3, 11]);
    });

    it('a department expands through the taxonomy, and buckets carry its names', async () => {
      const taxonomy: CategoryTaxonomy = {
        expand: (slugs) =>
          slugs.flatMap((slug) => (slug === 'clothing' ? [slug, 'jackets', 'shirts'] : [slug])),
        label: (slug) => (slug === 'clothing' ? 'Clothing' : `Name of ${slug}`),
      };
      const result = await searchOnce({ categories: ['clothing'] }, taxonomy);
      expect(sortedIds(result)).toEqual([1, 2, 3, 4, 5, 6, 11]);
      expect(result.aggregations.categories[0]).toEqual({
        key: 'jackets',
        label: 'Name of jackets',
        count: 4,
        selected: false,
      });
      // No product is filed under the department itself; it stays listed as the selection.
      expect(result.aggregations.categories.at(-1)).toEqual({
        key: 'clothing',
        label: 'Clothing',
        count: 0,
        selected: true,
      });
    });
  });

  describe('full text', () => {
    it('"blazers" finds "Linen Blazer" (English stemming)', async () => {
      const result = await search.search({ ...browse, q: 'blazers' });
      expect(result.items.map((item) => item.name)).toContain('Linen Blazer');
    });

    it('stems through the english analyzer, not just fuzziness: "Blazers" indexes as "blazer"', async () => {
      const analysed = await client.indices.analyze({
        index: alias,
        field: 'name',
        text: 'Blazers',
      });
      expect(analysed.tokens?.map((token) => token.token)).toEqual(['blazer']);
    });

    it('"blazr" finds "Linen Blazer" (typo tolerance)', async () => {
      const result = await search.search({ ...browse, q: 'blazr' });
      expect(result.items.map((item) => item.name)).toContain('Linen Blazer');
    });

    it('"linen blazers" ranks the linen blazers first', async () => {
      expect((await ids({ q: 'linen blazers' })).slice(0, 2).sort()).toEqual([1, 11]);
    });

    it('ranks a name match above a description-only match', async () => {
      const found = await ids({ q: 'blazer' });
      expect(found).toHaveLength(4);
      expect(found[found.length - 1]).toBe(3);
    });

    it('finds a product by its exact SKU', async () => {
      expect(await ids({ q: 'LB-NAVY' })).toEqual([11]);
    });

    it('does not return unrelated products', async () => {
      expect(await ids({ q: 'scarf' })).toEqual([9]);
    });
  });

  describe('sort', () => {
    it('price_asc, equal prices by id', async () => {
      expect(await ids({ sort: 'price_asc' })).toEqual([4, 9, 8, 5, 10, 3, 6, 1, 11, 7, 2]);
    });

    it('price_desc, equal prices by id', async () => {
      expect(await ids({ sort: 'price_desc' })).toEqual([2, 7, 11, 1, 3, 6, 10, 5, 8, 9, 4]);
    });

    it('newest, equal creation times by id descending', async () => {
      expect(await ids({ sort: 'newest' })).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    });

    it('relevance without q: by id', async () => {
      expect(await ids({ sort: 'relevance' })).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    });
  });

  describe('pagination', () => {
    it('pages neither repeat nor skip, and every page carries the same total and facets', async () => {
      const pages = await Promise.all(
        [1, 2, 3, 4].map((page) => search.search({ ...browse, sort: 'price_asc', page, size: 4 })),
      );
      expect(pages.map((page) => page.items.map((item) => item.id))).toEqual([
        [4, 9, 8, 5],
        [10, 3, 6, 1],
        [11, 7, 2],
        [],
      ]);
      for (const page of pages) {
        expect(page.total).toBe(11);
        expect(page.size).toBe(4);
        expect(page.aggregations).toEqual(pages[0].aggregations);
      }
      expect(pages.map((page) => page.page)).toEqual([1, 2, 3, 4]);
    });

    it('refuses a page beyond the result window before asking the node', async () => {
      await expect(search.search({ ...browse, page: 101, size: 100 })).rejects.toBeInstanceOf(
        SearchPageOutOfRangeError,
      );
    });
  });

  describe('getById', () => {
    it('returns the stored document', async () => {
      expect(await search.getById(11)).toEqual(PRODUCT_FIXTURES[10]);
    });

    it('returns null for an unknown or impossible id', async () => {
      expect(await search.getById(999_999)).toBeNull();
      expect(await search.getById(0)).toBeNull();
      expect(await search.getById(1.5)).toBeNull();
    });
  });

  describe('suggest', () => {
    it('completes a prefix, each name once', async () => {
      expect((await search.suggest('lin')).map((s) => s.name).sort()).toEqual([
        'Linen Blazer',
        'Linen Shirt',
      ]);
    });

    it('completes several words, case-insensitively', async () => {
      const suggestions = await search.suggest('LINEN bl');
      expect(suggestions.map((s) => s.name)).toEqual(['Linen Blazer']);
      expect([1, 11]).toContain(suggestions[0].id);
    });

    it('matches the start of any word of the name', async () => {
      expect((await search.suggest('sh')).map((s) => s.name).sort()).toEqual([
        'Cotton T-Shirt',
        'Linen Shirt',
        'Oxford Shirt',
      ]);
    });

    it('honours the limit, never above 10', async () => {
      expect(await search.suggest('wo', 1)).toHaveLength(1);
      expect((await search.suggest('wo', 50)).length).toBeLessThanOrEqual(10);
    });

    it('finds nothing for blank or unknown input', async () => {
      expect(await search.suggest('  ')).toEqual([]);
      expect(await search.suggest('zzz')).toEqual([]);
    });
  });
});

describe('ProductSearch when Elasticsearch cannot answer', () => {
  it('maps an unreachable node to SearchUnavailableError without its address', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const down = new Client({ node: 'http://127.0.0.1:1', maxRetries: 0 });
    const search = new ProductSearch(down, 'products');
    try {
      const failure = await search.search(browse).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SearchUnavailableError);
      expect((failure as Error).message).not.toContain('127.0.0.1');
      await expect(search.getById(1)).rejects.toBeInstanceOf(SearchUnavailableError);
      await expect(search.suggest('bla')).rejects.toBeInstanceOf(SearchUnavailableError);
      expect(await checkElasticsearchHealth(down)).toMatchObject({
        up: false,
        status: 'unreachable',
      });
    } finally {
      await down.close();
    }
  });

  it('maps a missing alias to SearchUnavailableError', async () => {
    const client = createElasticsearchClient(ELASTICSEARCH_TEST_NODES);
    const search = new ProductSearch(client, uniqueTestAlias('missing'));
    try {
      await expect(search.search(browse)).rejects.toBeInstanceOf(SearchUnavailableError);
      await expect(search.getById(1)).rejects.toBeInstanceOf(SearchUnavailableError);
    } finally {
      await client.close();
    }
  });

  it('reports a live node as up through _cluster/health', async () => {
    const client = createElasticsearchClient(ELASTICSEARCH_TEST_NODES);
    try {
      const health = await checkElasticsearchHealth(client);
      expect(health.up).toBe(true);
      expect(['green', 'yellow']).toContain(health.status);
    } finally {
      await client.close();
    }
  });
});
