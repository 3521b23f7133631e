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
  /** Ticked category facet values (`category=`, repeatable), sorted, each once. */
  categories: string[];
  /** Ticked price range keys (`priceRange=`, repeatable, e.g. `25-50`), sorted, each once. */
  priceRanges: string[];
  /** Search only: the trimmed full-text query (may be empty). */
  q?: string;
}

/** As many as the catalog API takes; more would not be a shopper ticking boxes. */
export const MAX_CATEGORY_SELECTIONS = 20;
/** There are five fixed ranges; the catalog API names the valid keys. */
export const MAX_PRICE_RANGE_SELECTIONS = 5;

const CATEGORY_SLUG = /^[a-z0-9-]{1,64}$/;
/** `*-25`, `25-50`, `200-*`: the catalog's price range keys. */
const PRICE_RANGE_KEY = /^(\*|[0-9]{1,10})-(\*|[0-9]{1,10})$/;
const PRICE = /^(0|[1-9][0-9]*)(\.[0-9]{1,2})?$/;

/** One value of a query parameter; empty means absent (an HTML form sends `?minPrice=`). */
export function singleParam(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new BadPageRequest(`"${name}" must be given once`);
  return value === '' ? undefined : value;
}

/**
 * Every value of a repeatable parameter, sorted and each once (the order Varnish's querysort
 * gives the URL); empty values are ignored, as an HTML form sends them.
 */
export function multiParam(query: RawQuery, name: string, max: number): string[] {
  const value = query[name];
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  if (!values.every((item): item is string => typeof item === 'string')) {
    throw new BadPageRequest(`"${name}" must be text`);
  }
  const distinct = [...new Set(values.filter((item) => item !== ''))].sort();
  if (distinct.length > max)
    throw new BadPageRequest(`"${name}" may be given at most ${max} times`);
  return distinct;
}

function parseCategories(query: RawQuery): string[] {
  const categories = multiParam(query, 'category', MAX_CATEGORY_SELECTIONS);
  if (!categories.every(isCategorySlug)) {
    throw new BadPageRequest('"category" must be a category slug');
  }
  return categories;
}

function parsePriceRanges(query: RawQuery): string[] {
  const ranges = multiParam(query, 'priceRange', MAX_PRICE_RANGE_SELECTIONS);
  if (!ranges.every((range) => PRICE_RANGE_KEY.test(range))) {
    throw new BadPageRequest('"priceRange" must be a price range such as 25-50');
  }
  return ranges;
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

/**
 * `/c/:slug?category=&priceRange=&page=&sort=&minPrice=&maxPrice=` (`category` names
 * subcategories of the page's one); other parameters are ignored.
 */
export function parseCategoryQuery(query: RawQuery): ListingQuery {
  return {
    categories: parseCategories(query),
    priceRanges: parsePriceRanges(query),
    page: parsePage(singleParam(query, 'page')),
    sort: parseSort(singleParam(query, 'sort')),
    ...parsePriceRange(query),
  };
}

/**
 * `/search?q=&category=&priceRange=&page=&sort=&minPrice=&maxPrice=`; other parameters are
 * ignored.
 */
export function parseSearchQuery(query: RawQuery): ListingQuery {
  return {
    q: parseSearchText(singleParam(query, 'q')),
    categories: parseCategories(query),
    priceRanges: parsePriceRanges(query),
    page: parsePage(singleParam(query, 'page')),
    sort: parseSort(singleParam(query, 'sort')),
    ...parsePriceRange(query),
  };
}
