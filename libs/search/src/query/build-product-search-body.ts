import type { estypes } from '@elastic/elasticsearch';
import type { ProductSearchQuery, ProductSort } from '@shop/contracts';
import { SearchPageOutOfRangeError } from '../search-errors';

/** Elasticsearch's default `index.max_result_window`: `from + size` beyond it is refused. */
export const MAX_RESULT_WINDOW = 10_000;

/** Enough buckets for the whole category menu; a catalog with more needs a smarter facet. */
export const CATEGORY_FACET_SIZE = 100;

/** Fixed price buckets: `from` inclusive, `to` exclusive, as Elasticsearch's `range` defines. */
export const PRICE_RANGES: ReadonlyArray<{ from?: number; to?: number }> = [
  { to: 25 },
  { from: 25, to: 50 },
  { from: 50, to: 100 },
  { from: 100, to: 200 },
  { from: 200 },
];

/** Name boost for full-text: a hit in the name outranks the same word in a description. */
export const NAME_BOOST = 3;

/** The `_source` fields a search hit needs (dates and other bulk stay on the node). */
export const SEARCH_ITEM_FIELDS = [
  'id',
  'sku',
  'name',
  'description',
  'price',
  'categories',
  'inStock',
] as const;

export const AGG = {
  priceStats: 'price_stats',
  categories: 'categories',
  priceRanges: 'price_ranges',
} as const;

export type ProductSearchBody = Required<
  Pick<
    estypes.SearchRequest,
    'query' | 'sort' | 'from' | 'size' | 'track_total_hits' | '_source' | 'aggregations'
  >
>;

/**
 * The one Elasticsearch request behind `GET /products`: the page of hits and every facet and
 * price statistic, so a listing costs one round trip.
 *
 * Facets are computed over the matching set (the semantics: "what is in what I'm looking
 * at"), so every filter sits in the query's filter context rather than in `post_filter`. Filter
 * context neither scores nor varies per request, so the node caches those clauses.
 */
export function buildProductSearchBody(query: ProductSearchQuery): ProductSearchBody {
  return {
    query: buildQuery(query),
    sort: buildSort(query.sort),
    from: (query.page - 1) * query.size,
    size: query.size,
    track_total_hits: true,
    _source: [...SEARCH_ITEM_FIELDS],
    aggregations: {
      // `stats` gives min, max, avg (and count) in one pass over the matching set.
      [AGG.priceStats]: { stats: { field: 'price' } },
      [AGG.categories]: {
        terms: {
          field: 'categories',
          size: CATEGORY_FACET_SIZE,
          // Ties by name so the menu order does not wobble between requests.
          order: [{ _count: 'desc' }, { _key: 'asc' }],
        },
      },
      [AGG.priceRanges]: { range: { field: 'price', ranges: PRICE_RANGES.map((r) => ({ ...r })) } },
    },
  };
}

function buildQuery(query: ProductSearchQuery): estypes.QueryDslQueryContainer {
  const filter = buildFilters(query);
  const text = query.q?.trim();
  if (!text) {
    return filter.length === 0 ? { match_all: {} } : { bool: { filter } };
  }
  return {
    bool: {
      must: [buildFullText(text)],
      ...(filter.length > 0 ? { filter } : {}),
    },
  };
}

function buildFullText(text: string): estypes.QueryDslQueryContainer {
  return {
    bool: {
      should: [
        {
          multi_match: {
            query: text,
            fields: [`name^${NAME_BOOST}`, 'description'],
            // best_fields is the multi_match type that accepts fuzziness (cross_fields does not).
            type: 'best_fields',
            // Both fields use the english analyzer: "blazers" -> "blazer".
            fuzziness: 'AUTO',
            // The first letter is rarely the typo, and pinning it keeps fuzzy expansion cheap.
            prefix_length: 1,
            // Short queries need every word; longer ones may miss one in four ("blue linen blazer"
            // still finds "Linen Blazer" described as navy). Without it, OR semantics would drag
            // every "linen" product into the facets of "linen blazer".
            minimum_should_match: '2<75%',
            // A word found in both name and description adds a little over name alone.
            tie_breaker: 0.3,
          },
        },
        // Merchants and customer service paste SKUs: an exact SKU is the best possible hit.
        { term: { sku: { value: text, boost: 10 } } },
      ],
      minimum_should_match: 1,
    },
  };
}

function buildFilters(query: ProductSearchQuery): estypes.QueryDslQueryContainer[] {
  const filter: estypes.QueryDslQueryContainer[] = [];
  if (query.categories.length > 0) {
    // Several categories mean "any of them", as ticking two boxes in a menu does.
    filter.push({ terms: { categories: [...new Set(query.categories)] } });
  }
  if (query.minPrice !== undefined || query.maxPrice !== undefined) {
    filter.push({
      range: {
        price: {
          ...(query.minPrice !== undefined ? { gte: query.minPrice } : {}),
          ...(query.maxPrice !== undefined ? { lte: query.maxPrice } : {}),
        },
      },
    });
  }
  if (query.inStock !== undefined) {
    filter.push({ term: { inStock: query.inStock } });
  }
  return filter;
}

/** Every sort ends on `id` so equal keys keep one order and pages neither repeat nor skip. */
export function buildSort(sort: ProductSort): estypes.SortCombinations[] {
  switch (sort) {
    case 'relevance':
      return [{ _score: { order: 'desc' } }, { id: { order: 'asc' } }];
    case 'price_asc':
      return [{ price: { order: 'asc' } }, { id: { order: 'asc' } }];
    case 'price_desc':
      return [{ price: { order: 'desc' } }, { id: { order: 'asc' } }];
    case 'newest':
      return [{ createdAt: { order: 'desc' } }, { id: { order: 'desc' } }];
  }
}

/**
 * Throws SearchPageOutOfRangeError unless page and size are positive integers whose window lies
 * within what Elasticsearch pages through. Checked before sending, because the node's own refusal
 * is a 400 that would otherwise read like a bug.
 */
export function assertSearchPage(query: Pick<ProductSearchQuery, 'page' | 'size'>): void {
  if (!Number.isSafeInteger(query.page) || query.page < 1) {
    throw new SearchPageOutOfRangeError('page must be an integer of at least 1');
  }
  if (!Number.isSafeInteger(query.size) || query.size < 1) {
    throw new SearchPageOutOfRangeError('size must be an integer of at least 1');
  }
  if (query.page * query.size > MAX_RESULT_WINDOW) {
    throw new SearchPageOutOfRangeError(
      `page * size must not exceed ${MAX_RESULT_WINDOW} (asked for page ${query.page}, size ${query.size})`,
    );
  }
}
