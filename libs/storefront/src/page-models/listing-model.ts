import {
  CategoryFacetBucket,
  PriceRangeBucket,
  ProductSearchItem,
  ProductSort,
} from '@shop/contracts';
import { formatPriceBound } from './format';
import { LISTING_PAGE_SIZE, ListingQuery } from './page-params';

/** What a listing asks the catalog API for: `GET /products?<these>`. */
export interface CatalogProductQuery {
  q?: string;
  /** Repeatable: any of these categories. */
  category?: string[];
  /** Repeatable: any of these price range keys. */
  priceRange?: string[];
  minPrice?: number;
  maxPrice?: number;
  sort?: ProductSort;
  page: number;
  size: number;
}

export function catalogQueryFor(
  query: ListingQuery,
  fixed: { categories?: string[] } = {},
): CatalogProductQuery {
  const categories = fixed.categories ?? query.categories;
  return {
    q: query.q || undefined,
    category: categories.length > 0 ? categories : undefined,
    priceRange: query.priceRanges.length > 0 ? query.priceRanges : undefined,
    minPrice: query.minPrice,
    maxPrice: query.maxPrice,
    // The catalog's own default order is "relevance"; leaving it out keeps its URLs canonical.
    sort: query.sort === 'relevance' ? undefined : query.sort,
    page: query.page,
    size: LISTING_PAGE_SIZE,
  };
}

type HrefParams = Record<string, string | number | readonly string[] | undefined>;

/**
 * A link with its parameters (and a repeated parameter's values) sorted and empty ones left out:
 * the same order Varnish's `std.querysort` gives, so every page links to the one cached copy of
 * another.
 */
export function buildHref(path: string, params: HrefParams): string {
  const search = new URLSearchParams();
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    const values = Array.isArray(value) ? [...(value as readonly string[])].sort() : [value];
    for (const one of values) {
      if (one === undefined || one === '') continue;
      search.append(name, String(one));
    }
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** Link to the same listing with some of its query changed; page 1 and relevance are implicit. */
export function listingHref(
  path: string,
  query: ListingQuery,
  changes: Partial<ListingQuery> = {},
): string {
  const next: ListingQuery = { ...query, ...changes };
  return buildHref(path, {
    q: next.q,
    category: next.categories,
    priceRange: next.priceRanges,
    minPrice: next.minPrice,
    maxPrice: next.maxPrice,
    sort: next.sort === 'relevance' ? undefined : next.sort,
    page: next.page === 1 ? undefined : next.page,
  });
}

export interface PageLink {
  number: number;
  href: string;
  current: boolean;
}

export interface Pagination {
  page: number;
  totalPages: number;
  previous: string | null;
  next: string | null;
  /** Pages to show; null marks a gap ("…"). */
  links: (PageLink | null)[];
}

/** Pages either side of the current one that get their own link. */
const PAGE_WINDOW = 2;

export function paginationModel(
  path: string,
  query: ListingQuery,
  total: number,
  pageSize = LISTING_PAGE_SIZE,
): Pagination {
  const totalPages = Math.max(1, Math.ceil(total / pageSize));
  const { page } = query;
  const link = (number: number): PageLink => ({
    number,
    href: listingHref(path, query, { page: number }),
    current: number === page,
  });
  const shown = new Set<number>([1, totalPages]);
  for (let n = page - PAGE_WINDOW; n <= page + PAGE_WINDOW; n += 1) {
    if (n >= 1 && n <= totalPages) shown.add(n);
  }
  const links: (PageLink | null)[] = [];
  let last = 0;
  for (const n of [...shown].sort((a, b) => a - b)) {
    if (n - last > 1) links.push(null);
    links.push(link(n));
    last = n;
  }
  return {
    page,
    totalPages,
    previous: page > 1 ? link(Math.min(page - 1, totalPages)).href : null,
    next: page < totalPages ? link(page + 1).href : null,
    links,
  };
}

export interface FacetLink {
  label: string;
  href: string;
  count: number | null;
  active: boolean;
  /**
   * `checkbox`: one value of a multi-select facet; the link toggles it in the URL and `active`
   * means ticked. `link`: plain navigation.
   */
  role: 'checkbox' | 'link';
}

/** `values` with `value` added, or removed when it is there already; sorted, each once. */
export function toggleValue(values: readonly string[], value: string): string[] {
  return values.includes(value)
    ? values.filter((item) => item !== value)
    : [...new Set([...values, value])].sort();
}

export function priceRangeLabel(bucket: Pick<PriceRangeBucket, 'from' | 'to'>): string {
  if (bucket.from === null && bucket.to === null) return 'Any price';
  if (bucket.from === null) return `Under ${formatPriceBound(bucket.to ?? 0)}`;
  if (bucket.to === null) return `${formatPriceBound(bucket.from)} and up`;
  return `${formatPriceBound(bucket.from)} – ${formatPriceBound(bucket.to)}`;
}

/**
 * Price-range checkboxes from the catalog's `priceRanges` facet: each link ticks or unticks its
 * range (`priceRange=` in the URL, several are OR'ed), counts are what the range would hold with
 * the other selections, empty unticked ranges are left out, and changing a filter goes back to
 * page 1. Typed bounds (`minPrice`/`maxPrice`) get a link that clears them.
 */
export function priceFacetLinks(
  path: string,
  query: ListingQuery,
  buckets: readonly PriceRangeBucket[],
): FacetLink[] {
  const links: FacetLink[] = [];
  for (const bucket of buckets) {
    const active = query.priceRanges.includes(bucket.key);
    if (bucket.count === 0 && !active) continue;
    links.push({
      label: priceRangeLabel(bucket),
      href: listingHref(path, query, {
        priceRanges: toggleValue(query.priceRanges, bucket.key),
        page: 1,
      }),
      count: bucket.count,
      active,
      role: 'checkbox',
    });
  }
  if (query.minPrice !== undefined || query.maxPrice !== undefined) {
    // A price filter typed into the URL is no checkbox, but still needs a way out.
    links.unshift({
      label: `Any price (clear ${priceRangeLabel({
        from: query.minPrice ?? null,
        to: query.maxPrice ?? null,
      })})`,
      href: listingHref(path, query, { minPrice: undefined, maxPrice: undefined, page: 1 }),
      count: null,
      active: false,
      role: 'link',
    });
  }
  return links;
}

/**
 * Category checkboxes from the catalog's category facet: each link ticks or unticks its category
 * (`category=` in the URL, several are OR'ed), labelled with the category's name. `within`
 * limits them to some categories (a department page offers its subcategories only). Empty
 * unticked categories are left out.
 */
export function categoryFacetLinks(
  path: string,
  query: ListingQuery,
  buckets: readonly CategoryFacetBucket[],
  within?: ReadonlySet<string>,
): FacetLink[] {
  return buckets
    .filter((bucket) => !within || within.has(bucket.key))
    .filter((bucket) => bucket.count > 0 || query.categories.includes(bucket.key))
    .map((bucket) => ({
      label: bucket.label,
      href: listingHref(path, query, {
        categories: toggleValue(query.categories, bucket.key),
        page: 1,
      }),
      count: bucket.count,
      active: query.categories.includes(bucket.key),
      role: 'checkbox',
    }));
}

const SORT_LABELS: Record<ProductSort, string> = {
  relevance: 'Best match',
  price_asc: 'Price: low to high',
  price_desc: 'Price: high to low',
  newest: 'Newest',
};

export function sortLinks(path: string, query: ListingQuery): FacetLink[] {
  return (Object.keys(SORT_LABELS) as ProductSort[]).map((sort) => ({
    label: SORT_LABELS[sort],
    href: listingHref(path, query, { sort, page: 1 }),
    count: null,
    active: query.sort === sort,
    role: 'link',
  }));
}

export interface ProductTile {
  id: number;
  name: string;
  /** What a shopper pays now. */
  price: number;
  /** The regular price while a sale runs (shown struck through), else null. */
  wasPrice: number | null;
  href: string;
}

/**
 * The price struck through next to `price`: the regular price while it is higher (a sale runs),
 * else null. Absent on documents written before live prices: no sale then.
 */
export function wasPrice(price: number, regularPrice: number | null | undefined): number | null {
  return regularPrice !== null && regularPrice !== undefined && regularPrice > price
    ? regularPrice
    : null;
}

export function productHref(id: number): string {
  return `/p/${id}`;
}

export function productTiles(items: readonly ProductSearchItem[]): ProductTile[] {
  return items.map((item) => ({
    id: item.id,
    name: item.name,
    price: item.price,
    wasPrice: wasPrice(item.price, item.regularPrice),
    href: productHref(item.id),
  }));
}
