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

export interface ProductSearchQuery {
  q?: string;
  categories: string[];
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

export interface PriceRangeBucket {
  from: number | null;
  to: number | null;
  count: number;
}

export interface ProductSearchResult {
  items: ProductSearchItem[];
  total: number;
  page: number;
  size: number;
  aggregations: {
    avgPrice: number | null;
    minPrice: number | null;
    maxPrice: number | null;
    categories: { key: string; count: number }[];
    priceRanges: PriceRangeBucket[];
  };
}
