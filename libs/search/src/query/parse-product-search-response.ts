import type { estypes } from '@elastic/elasticsearch';
import type {
  CategoryFacetBucket,
  PriceRangeBucket,
  ProductSearchItem,
  ProductSearchQuery,
  ProductSearchResult,
} from '@shop/contracts';
import {
  AGG,
  FLAT_TAXONOMY,
  priceRangeKey,
  type CategoryTaxonomy,
} from './build-product-search-body';

/** What a search hit's `_source` holds (the fields `buildProductSearchBody` asks for). */
export type ProductSearchSource = ProductSearchItem;

/** The aggregations `buildProductSearchBody` requests, as Elasticsearch returns them. */
export interface ProductSearchAggregations {
  [AGG.categoryFacet]: {
    doc_count: number;
    [AGG.categories]: { buckets: Array<{ key: string | number; doc_count: number }> };
  };
  [AGG.priceFacet]: {
    doc_count: number;
    [AGG.priceStats]: {
      count: number;
      min: number | null;
      max: number | null;
      avg: number | null;
    };
    [AGG.priceRanges]: { buckets: RangeBucket[] };
  };
}

interface RangeBucket {
  key?: string;
  from?: number | null;
  to?: number | null;
  doc_count: number;
}

/** The parts of a search response the parser reads; `SearchResponse` from the client fits it. */
export interface ProductSearchResponse {
  hits: {
    total?: number | estypes.SearchTotalHits;
    hits: Array<{ _source?: ProductSearchSource }>;
  };
  aggregations?: ProductSearchAggregations;
}

/**
 * Maps the Elasticsearch answer to the API's result. Prices are doubles on the node (no
 * `scaled_float` there), so every price and statistic is rounded to cents here; statistics of an
 * empty set are `null`, not 0, so "no products" is not shown as "free".
 *
 * Category buckets carry the category's name from `taxonomy` and whether the request selected
 * them; a selected category that nothing matches any more is still listed (count 0), so a page
 * can offer to untick it.
 */
export function parseProductSearchResponse(
  response: ProductSearchResponse,
  query: Pick<ProductSearchQuery, 'page' | 'size' | 'categories' | 'priceRanges'>,
  taxonomy: Pick<CategoryTaxonomy, 'label'> = FLAT_TAXONOMY,
): ProductSearchResult {
  const priceFacet = response.aggregations?.[AGG.priceFacet];
  const stats = priceFacet?.[AGG.priceStats];
  const hasMatches = (stats?.count ?? 0) > 0;
  return {
    items: response.hits.hits.flatMap((hit) => (hit._source ? [toItem(hit._source)] : [])),
    total: totalHits(response.hits.total),
    page: query.page,
    size: query.size,
    aggregations: {
      avgPrice: hasMatches ? roundPrice(stats?.avg) : null,
      minPrice: hasMatches ? roundPrice(stats?.min) : null,
      maxPrice: hasMatches ? roundPrice(stats?.max) : null,
      categories: categoryBuckets(
        response.aggregations?.[AGG.categoryFacet][AGG.categories].buckets ?? [],
        query.categories,
        taxonomy,
      ),
      priceRanges: (priceFacet?.[AGG.priceRanges].buckets ?? []).map((bucket) =>
        toPriceRange(bucket, query.priceRanges ?? []),
      ),
    },
  };
}

function categoryBuckets(
  buckets: ReadonlyArray<{ key: string | number; doc_count: number }>,
  selected: readonly string[],
  taxonomy: Pick<CategoryTaxonomy, 'label'>,
): CategoryFacetBucket[] {
  const wanted = new Set(selected);
  const bucket = (key: string, count: number): CategoryFacetBucket => ({
    key,
    label: taxonomy.label(key) ?? key,
    count,
    selected: wanted.has(key),
  });
  const found = buckets.map((entry) => bucket(String(entry.key), entry.doc_count));
  const listed = new Set(found.map((entry) => entry.key));
  const missing = [...wanted].filter((key) => !listed.has(key)).map((key) => bucket(key, 0));
  return [...found, ...missing];
}

export function toItem(source: ProductSearchSource): ProductSearchItem {
  return {
    id: Number(source.id),
    sku: source.sku,
    name: source.name,
    description: source.description,
    price: roundToCents(source.price),
    // Only a document written with live prices carries it; the tile strikes it through on a sale.
    ...(source.regularPrice === undefined
      ? {}
      : { regularPrice: roundToCents(source.regularPrice) }),
    categories: source.categories,
    inStock: source.inStock,
  };
}

function toPriceRange(bucket: RangeBucket, selected: readonly string[]): PriceRangeBucket {
  const key = bucket.key ?? priceRangeKey(bucket);
  return {
    key,
    from: bucket.from ?? null,
    to: bucket.to ?? null,
    count: bucket.doc_count,
    selected: selected.includes(key),
  };
}

function totalHits(total: number | estypes.SearchTotalHits | undefined): number {
  if (total === undefined) return 0;
  return typeof total === 'number' ? total : total.value;
}

function roundPrice(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value)
    ? null
    : roundToCents(value);
}

/**
 * Half-up to two decimals without binary noise: 1.005 * 100 is 100.49999999999999 in doubles,
 * which a plain Math.round would take down to 1.00. Fifteen significant digits is what a double
 * holds exactly, so `toPrecision(15)` restores the intended 100.5 first.
 */
export function roundToCents(value: number): number {
  const cents = Math.round(Number((value * 100).toPrecision(15)));
  // `+ 0` turns -0 (from rounding a tiny negative) into 0.
  return cents / 100 + 0;
}
