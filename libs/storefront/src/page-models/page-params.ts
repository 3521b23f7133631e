import { InvalidProductIdError, parseProductId, PRODUCT_SORTS, ProductSort } from '@shop/contracts';
import { BadPageRequest } from './page-errors';

/** Products per listing page. Fixed (no `?size=`) so a listing has few cache variants. */
export const LISTING_PAGE_SIZE = 12;
/** Elasticsearch pages at most 10 000 hits deep; past that a page could never be served. */
export const MAX_LISTING_PAGE = Math.floor(10_000 / LISTING_PAGE_SIZE);
export const MAX_SEARCH_QUERY_LENGTH = 200;
export const MAX_PRICE = 1_000_000_000;

/** The query string as Fastify parses it: repeated names become arrays. */
export type RawQuery = Record<string, unknown>;

/** What a listing (category or search) is asked to show, validated. */
export interface ListingQuery {
  page: number;
  sort: ProductSort;
  minPrice?: number;
  maxPrice?: number;
  /** Search only: narrow the results to one category. */
  category?: string;
  /** Search only: the trimmed full-text query (may be empty). */
  q?: string;
}

const CATEGORY_SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const PRICE = /^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$/;

/** One value of a query parameter; empty means absent (an HTML form sends `?minPrice=`). */
export function singleParam(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new BadPageRequest(`"${name}" must be given once`);
  return value === '' ? undefined : value;
}

export function isCategorySlug(raw: string): boolean {
  return CATEGORY_SLUG.test(raw);
}

/**
 * A product id from the path (`/p/:id`, `/fragments/stock/:id`), by the shop's one id parser;
 * what cannot name a product is a bad request, as in the APIs.
 * @throws BadPageRequest naming the parameter
 */
export function parseProductIdParam(raw: string, name = 'id'): number {
  try {
    return parseProductId(raw, name);
  } catch (error) {
    throw error instanceof InvalidProductIdError ? new BadPageRequest(error.message) : error;
  }
}

export function parsePage(raw: string | undefined): number {
  if (raw === undefined) return 1;
  if (!/^-?[0-9]+$/.test(raw)) throw new BadPageRequest('The page number must be a whole number');
  const page = Number(raw);
  if (page < 1) throw new BadPageRequest('The page number must be 1 or more');
  if (page > MAX_LISTING_PAGE) {
    throw new BadPageRequest(`The page number must be at most ${MAX_LISTING_PAGE}`);
  }
  return page;
}

export function parseSort(raw: string | undefined): ProductSort {
  if (raw === undefined) return 'relevance';
  const sort = PRODUCT_SORTS.find((candidate) => candidate === raw);
  if (!sort) throw new BadPageRequest(`The sort order must be one of ${PRODUCT_SORTS.join(', ')}`);
  return sort;
}

export function parsePrice(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!PRICE.test(raw)) throw new BadPageRequest(`"${name}" must be a price such as 19.99`);
  const price = Number(raw);
  if (price > MAX_PRICE) throw new BadPageRequest(`"${name}" must be at most ${MAX_PRICE}`);
  return price;
}

export function parseSearchText(raw: string | undefined): string {
  const q = (raw ?? '').trim();
  if (q.length > MAX_SEARCH_QUERY_LENGTH) {
    throw new BadPageRequest(
      `The search text must be at most ${MAX_SEARCH_QUERY_LENGTH} characters`,
    );
  }
  return q;
}

function parsePriceRange(query: RawQuery): Pick<ListingQuery, 'minPrice' | 'maxPrice'> {
  const minPrice = parsePrice(singleParam(query, 'minPrice'), 'minPrice');
  const maxPrice = parsePrice(singleParam(query, 'maxPrice'), 'maxPrice');
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    throw new BadPageRequest('minPrice must not be above maxPrice');
  }
  return { minPrice, maxPrice };
}

/** `/c/:slug?page=&sort=&minPrice=&maxPrice=`; other parameters are ignored. */
export function parseCategoryQuery(query: RawQuery): ListingQuery {
  return {
    page: parsePage(singleParam(query, 'page')),
    sort: parseSort(singleParam(query, 'sort')),
    ...parsePriceRange(query),
  };
}

/** `/search?q=&category=&page=&sort=&minPrice=&maxPrice=`; other parameters are ignored. */
export function parseSearchQuery(query: RawQuery): ListingQuery {
  const category = singleParam(query, 'category');
  if (category !== undefined && !isCategorySlug(category)) {
    throw new BadPageRequest('"category" must be a category slug');
  }
  return {
    q: parseSearchText(singleParam(query, 'q')),
    category,
    page: parsePage(singleParam(query, 'page')),
    sort: parseSort(singleParam(query, 'sort')),
    ...parsePriceRange(query),
  };
}
