/**
 * A product's sale as MySQL holds it (set through PUT /products/:id/price): `price` applies from
 * `startsAt` (null = already) until `endsAt` (null = until ended).
 */
export interface ProductSale {
  price: number;
  startsAt: string | null;
  endsAt: string | null;
}

/** A product as MySQL holds it and as the admin API returns it. */
export interface Product {
  id: number;
  sku: string;
  name: string;
  description: string;
  /** The regular price: major currency units with two decimals, e.g. 19.99. */
  price: number;
  /** The sale set on the product (running or scheduled); absent or null = none. */
  sale?: ProductSale | null;
  /** Category slugs. */
  categories: string[];
  createdAt: string;
  updatedAt: string;
}

/**
 * What Elasticsearch stores for a product, and what GET /products/:id answers: `price` is the
 * EFFECTIVE price when the document was written (the sale price while a sale runs), so sorting,
 * range filters and price facets use what a shopper pays; `regularPrice` and the sale fields are
 * for display (the old price struck through). They are optional because documents written before
 * live prices lack them (there `price` is the regular price, with no sale).
 */
export interface ProductDocument extends Omit<Product, 'sale'> {
  inStock: boolean;
  regularPrice?: number;
  salePrice?: number | null;
  saleStartsAt?: string | null;
  saleEndsAt?: string | null;
}

export interface Category {
  id: number;
  slug: string;
  name: string;
  parentSlug: string | null;
}

/** Field limits of a category, for the admin API's validation and the repository alike. */
export const CATEGORY_LIMITS = {
  slugPattern: /^[a-z0-9-]{1,64}$/,
  slugMaxLength: 64,
  nameMaxLength: 80,
  maxPosition: 2_147_483_647,
} as const;

/** A category as the admin API answers it. */
export interface CategoryDetails {
  slug: string;
  name: string;
  parentSlug: string | null;
  /** Order among siblings in the menu. */
  position: number;
}

/**
 * Body of `category.upserted` on the `catalog` exchange (also the outbox payload). Consumers
 * purge from it; `affectedSlugs` are the categories whose pages or listings changed with it
 * (the category, its descendants, its old and new ancestors).
 */
export interface CategoryUpsertedEvent {
  category: CategoryDetails;
  /** The category before the write; null when it was created. */
  previous: CategoryDetails | null;
  affectedSlugs: string[];
  occurredAt: string;
}

/** Body of `category.deleted` on the `catalog` exchange. */
export interface CategoryDeletedEvent {
  slug: string;
  /** Where its products and children went; null when it had none. */
  reassignTo: string | null;
  /** Products moved to `reassignTo` (each also has its own `product.upserted`). */
  movedProducts: number;
  affectedSlugs: string[];
  occurredAt: string;
}

export interface CategoryNode {
  slug: string;
  name: string;
  children: CategoryNode[];
}

/** Body of `product.upserted` on the `catalog` exchange (also the outbox payload). */
export interface ProductUpsertedEvent {
  product: Product;
  /** Monotonic per product: MySQL's row version after the write. */
  version: number;
  occurredAt: string;
  /** Set when an edit changed the regular price (live prices take it over: @shop/pricing). */
  priceChanged?: boolean;
}

/** Body of `product.deleted` on the `catalog` exchange. */
export interface ProductDeletedEvent {
  id: number;
  version: number;
  occurredAt: string;
}

export const PRODUCT_SORTS = ['relevance', 'price_asc', 'price_desc', 'newest'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

/**
 * `GET /products`. `categories` and the price filters (`priceRanges`, `minPrice`/`maxPrice`) are
 * facet selections: they narrow the hits, and each facet's counts are taken with every selection
 * but its own (multi-select). `excludeCategories`, `q` and `inStock` narrow hits and every facet.
 */
export interface ProductSearchQuery {
  q?: string;
  /** Category slugs as asked: any of them (OR); a department stands for its subtree. */
  categories: string[];
  /** Category slugs whose products (subtrees included) are left out of hits and facets. */
  excludeCategories?: string[];
  /** Keys of the fixed price ranges (`*-25`, `25-50`, ...): any of them (OR). */
  priceRanges?: string[];
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
  sort: ProductSort;
  page: number;
  size: number;
}

export interface ProductSearchItem {
  id: number;
  sku: string;
  name: string;
  description: string;
  /** The effective price (see ProductDocument). */
  price: number;
  /** The regular price, when the search response carries it (shown struck through on a sale). */
  regularPrice?: number;
  categories: string[];
  inStock: boolean;
}

/** One value of the category facet. */
export interface CategoryFacetBucket {
  /** The category slug (the value of `category=`). */
  key: string;
  /** The category's name as the menu shows it (the slug when the category is unknown). */
  label: string;
  /** Products matching every other selection (price, q, inStock, exclusions). */
  count: number;
  /** Whether `key` is one of the requested `category` values. */
  selected: boolean;
}

/** One fixed price range: `from` inclusive, `to` exclusive. */
export interface PriceRangeBucket {
  /** The value of `priceRange=` that selects this range, e.g. `25-50`, `*-25`, `200-*`. */
  key: string;
  from: number | null;
  to: number | null;
  /** Products matching every other selection (categories, q, inStock, exclusions). */
  count: number;
  /** Whether `key` is one of the requested `priceRange` values. */
  selected: boolean;
}

export interface ProductSearchResult {
  items: ProductSearchItem[];
  total: number;
  page: number;
  size: number;
  aggregations: {
    /** Price statistics follow the price facet: every selection but the price filters. */
    avgPrice: number | null;
    minPrice: number | null;
    maxPrice: number | null;
    categories: CategoryFacetBucket[];
    priceRanges: PriceRangeBucket[];
  };
}
