import type { estypes } from '@elastic/elasticsearch';
import type { ProductSearchQuery, ProductSort } from '@shop/contracts';
import { SearchPageOutOfRangeError } from '../search-errors';

/** Elasticsearch's default `index.max_result_window`: `from + size` beyond it is refused. */
export const MAX_RESULT_WINDOW = 10_000;

/** Enough buckets for the whole category menu; a catalog with more needs a smarter facet. */
export const CATEGORY_FACET_SIZE = 100;

/** Fixed price buckets: `from` inclusive, `to` exclusive, as Elasticsearch's `range` defines. */
export const PRICE_RANGES: ReadonlyArray<{ key: string; from?: number; to?: number }> = [
  { to: 25 },
  { from: 25, to: 50 },
  { from: 50, to: 100 },
  { from: 100, to: 200 },
  { from: 200 },
].map((range) => ({ key: priceRangeKey(range), ...range }));

/** The values `priceRange=` accepts, in bucket order. */
export const PRICE_RANGE_KEYS: readonly string[] = PRICE_RANGES.map((range) => range.key);

/** `25-50`, `*-25`, `200-*`: the bounds as typed in a URL, `*` for an open end. */
export function priceRangeKey(range: { from?: number | null; to?: number | null }): string {
  return `${range.from ?? '*'}-${range.to ?? '*'}`;
}

/** Name boost for full-text: a hit in the name outranks the same word in a description. */
export const NAME_BOOST = 3;

/** The `_source` fields a search hit needs (dates and other bulk stay on the node). */
export const SEARCH_ITEM_FIELDS = [
  'id',
  'sku',
  'name',
  'description',
  'price',
  'regularPrice',
  'categories',
  'inStock',
] as const;

/**
 * Aggregation names. Each facet's aggregations sit inside a `filter` aggregation named after the
 * facet (`category_facet`, `price_facet`) that holds every selection but the facet's own.
 */
export const AGG = {
  categoryFacet: 'category_facet',
  priceFacet: 'price_facet',
  priceStats: 'price_stats',
  categories: 'categories',
  priceRanges: 'price_ranges',
} as const;

/** How category slugs are read: a department stands for its subtree, and a slug has a name. */
export interface CategoryTaxonomy {
  /** The slugs a filter on `slugs` matches: each one and its descendants, without repeats. */
  expand(slugs: readonly string[]): string[];
  /** The name a page shows for `slug`, or undefined when the category is unknown. */
  label(slug: string): string | undefined;
}

/** No tree: every slug stands for itself and has no name (tests, tools without MySQL). */
export const FLAT_TAXONOMY: CategoryTaxonomy = {
  expand: (slugs) => [...new Set(slugs)],
  label: () => undefined,
};

export type ProductSearchBody = Required<
  Pick<
    estypes.SearchRequest,
    'query' | 'sort' | 'from' | 'size' | 'track_total_hits' | '_source' | 'aggregations'
  >
> &
  Pick<estypes.SearchRequest, 'post_filter'>;

/** The facets a shopper selects values of; each is OR within itself, AND with the others. */
type Facet = 'category' | 'price';

/**
 * The one Elasticsearch request behind `GET /products`: the page of hits and every facet and
 * price statistic, so a listing costs one round trip.
 *
 * Multi-select facets: a selected facet value (categories, price ranges or bounds) narrows the
 * hits through `post_filter`, which Elasticsearch applies after the aggregations. Each facet's
 * aggregations are wrapped in a `filter` aggregation holding every selection but the facet's own,
 * so the category facet keeps counting the categories a shopper has not ticked (as if the
 * category selection were not there) while a selected price range still narrows it, and the
 * other way round. The price statistics (min/max/avg) belong to the price facet: they describe
 * what the other selections leave, whatever price range is ticked, so a price slider keeps its
 * full span.
 *
 * Filters that are no facet (`q`, `inStock`, `excludeCategories` as `must_not`) stay in `query`:
 * they narrow hits and every facet alike, and in filter context the node caches them.
 */
export function buildProductSearchBody(
  query: ProductSearchQuery,
  taxonomy: CategoryTaxonomy = FLAT_TAXONOMY,
): ProductSearchBody {
  const selections: Record<Facet, estypes.QueryDslQueryContainer | undefined> = {
    category: categorySelection(query, taxonomy),
    price: priceSelection(query),
  };
  const allBut = (facet: Facet | undefined): estypes.QueryDslQueryContainer =>
    allOf(
      (Object.keys(selections) as Facet[])
        .filter((name) => name !== facet)
        .flatMap((name) => selections[name] ?? []),
    );
  const postFilter = allBut(undefined);
  return {
    query: buildQuery(query, taxonomy),
    ...(isMatchAll(postFilter) ? {} : { post_filter: postFilter }),
    sort: buildSort(query.sort),
    from: (query.page - 1) * query.size,
    size: query.size,
    track_total_hits: true,
    _source: [...SEARCH_ITEM_FIELDS],
    aggregations: {
      [AGG.categoryFacet]: {
        filter: allBut('category'),
        aggregations: {
          [AGG.categories]: {
            terms: {
              field: 'categories',
              size: CATEGORY_FACET_SIZE,
              // Ties by name so the menu order does not wobble between requests.
              order: [{ _count: 'desc' }, { _key: 'asc' }],
            },
          },
        },
      },
      [AGG.priceFacet]: {
        filter: allBut('price'),
        aggregations: {
          // `stats` gives min, max, avg (and count) in one pass.
          [AGG.priceStats]: { stats: { field: 'price' } },
          [AGG.priceRanges]: {
            range: { field: 'price', ranges: PRICE_RANGES.map((range) => ({ ...range })) },
          },
        },
      },
    },
  };
}

function allOf(clauses: estypes.QueryDslQueryContainer[]): estypes.QueryDslQueryContainer {
  if (clauses.length === 0) return { match_all: {} };
  return clauses.length === 1 ? clauses[0] : { bool: { filter: clauses } };
}

function isMatchAll(clause: estypes.QueryDslQueryContainer): boolean {
  return clause.match_all !== undefined;
}

/** Several categories mean "any of them", as ticking two boxes in a menu does. */
function categorySelection(
  query: ProductSearchQuery,
  taxonomy: CategoryTaxonomy,
): estypes.QueryDslQueryContainer | undefined {
  if (query.categories.length === 0) return undefined;
  return { terms: { categories: taxonomy.expand(query.categories) } };
}

/**
 * Ticked ranges are OR'ed; typed bounds (`minPrice`/`maxPrice`) belong to the same facet and
 * narrow what the ranges let through.
 */
function priceSelection(query: ProductSearchQuery): estypes.QueryDslQueryContainer | undefined {
  const clauses: estypes.QueryDslQueryContainer[] = [];
  const ticked = PRICE_RANGES.filter((range) => query.priceRanges?.includes(range.key));
  if (ticked.length > 0) {
    const ranges = ticked.map((range): estypes.QueryDslQueryContainer => ({
      range: {
        price: {
          ...(range.from !== undefined ? { gte: range.from } : {}),
          ...(range.to !== undefined ? { lt: range.to } : {}),
        },
      },
    }));
    clauses.push(
      ranges.length === 1 ? ranges[0] : { bool: { should: ranges, minimum_should_match: 1 } },
    );
  }
  if (query.minPrice !== undefined || query.maxPrice !== undefined) {
    clauses.push({
      range: {
        price: {
          ...(query.minPrice !== undefined ? { gte: query.minPrice } : {}),
          ...(query.maxPrice !== undefined ? { lte: query.maxPrice } : {}),
        },
      },
    });
  }
  return clauses.length === 0 ? undefined : allOf(clauses);
}

function buildQuery(
  query: ProductSearchQuery,
  taxonomy: CategoryTaxonomy,
): estypes.QueryDslQueryContainer {
  const filter: estypes.QueryDslQueryContainer[] =
    query.inStock === undefined ? [] : [{ term: { inStock: query.inStock } }];
  const excluded = query.excludeCategories ?? [];
  const mustNot: estypes.QueryDslQueryContainer[] =
    excluded.length === 0 ? [] : [{ terms: { categories: taxonomy.expand(excluded) } }];
  const text = query.q?.trim();
  const must = text ? [buildFullText(text)] : [];
  if (must.length + filter.length + mustNot.length === 0) return { match_all: {} };
  return {
    bool: {
      ...(must.length > 0 ? { must } : {}),
      ...(filter.length > 0 ? { filter } : {}),
      ...(mustNot.length > 0 ? { must_not: mustNot } : {}),
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
