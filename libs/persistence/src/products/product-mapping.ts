import {
  CatalogRoutingKey,
  type Product,
  type ProductDeletedEvent,
  type ProductSale,
  type ProductUpsertedEvent,
} from '@shop/contracts';
import type { OutboxEventInput } from '../outbox/outbox.repository';
import type { ProductRow } from '../schema';

/** What an admin sends to create or replace a product. */
export interface ProductInput {
  sku: string;
  name: string;
  description: string;
  /** Major currency units; stored with two decimals. */
  price: number;
  /** Category slugs, in display order; duplicates are dropped. */
  categories: string[];
}

export type ProductPatch = Partial<ProductInput>;

/** A product as stored, with its row version (what events and the search index order by). */
export interface ProductRecord extends Product {
  version: number;
  /** The Redis price version MySQL last took (0 = never changed through the price route). */
  priceVersion?: number;
}

/**
 * Column sizes, for request validation to reject what the schema would (strict SQL mode turns an
 * over-long value into an error, not a truncation).
 */
export const PRODUCT_LIMITS = {
  skuMaxLength: 64,
  nameMaxLength: 255,
  /** TEXT holds 65,535 bytes; 4 bytes per character at worst in utf8mb4. */
  descriptionMaxLength: 16_000,
  categorySlugMaxLength: 128,
  maxPrice: 9_999_999_999.99,
} as const;

export const PRODUCT_AGGREGATE = 'product';

/** Two decimals, as DECIMAL(12,2) stores it, so a returned product equals the stored one. */
export function roundPrice(price: number): number {
  return Math.round(price * 100) / 100;
}

/** Trims nothing, drops repeats, keeps the first occurrence's position. */
export function uniqueSlugs(slugs: readonly string[]): string[] {
  return [...new Set(slugs)];
}

type PriceColumns = 'sale_price' | 'sale_starts_at' | 'sale_ends_at' | 'price_version';

/** A products row; the price columns are optional for rows built by a create before reading back. */
export type StoredProductRow = Omit<ProductRow, PriceColumns> &
  Partial<Pick<ProductRow, PriceColumns>>;

export function toProductRecord(row: StoredProductRow, categories: string[]): ProductRecord {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price: roundPrice(Number(row.price)),
    sale: toProductSale(row),
    categories,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
    priceVersion: Number(row.price_version ?? 0),
  };
}

/** The row's sale, or null (also for rows read before migration 0015, which have no columns). */
export function toProductSale(
  row: Partial<Pick<ProductRow, 'sale_price' | 'sale_starts_at' | 'sale_ends_at'>>,
): ProductSale | null {
  if (row.sale_price === null || row.sale_price === undefined) return null;
  return {
    price: roundPrice(Number(row.sale_price)),
    startsAt: row.sale_starts_at ? row.sale_starts_at.toISOString() : null,
    endsAt: row.sale_ends_at ? row.sale_ends_at.toISOString() : null,
  };
}

/** A product's price state as MySQL keeps it (see migration 0015). */
export interface ProductPriceRow {
  id: number;
  price: number;
  sale: ProductSale | null;
  /** `price_version`: the Redis price version last written, 0 = never. */
  version: number;
}

export function toProductPriceRow(
  row: Pick<ProductRow, 'id' | 'price' | PriceColumns>,
): ProductPriceRow {
  return {
    id: row.id,
    price: roundPrice(Number(row.price)),
    sale: toProductSale(row),
    version: Number(row.price_version),
  };
}

/** The contract's product, without the storage versions. */
export function toProduct(record: ProductRecord): Product {
  const { version: _version, priceVersion: _priceVersion, ...product } = record;
  return product;
}

export function productUpsertedEvent(
  record: ProductRecord,
  occurredAt: Date,
  priceChanged = false,
): ProductUpsertedEvent {
  return {
    product: toProduct(record),
    version: record.version,
    occurredAt: occurredAt.toISOString(),
    ...(priceChanged ? { priceChanged } : {}),
  };
}

export function productDeletedEvent(
  id: number,
  version: number,
  occurredAt: Date,
): ProductDeletedEvent {
  return { id, version, occurredAt: occurredAt.toISOString() };
}

export function upsertedOutboxEvent(
  record: ProductRecord,
  occurredAt: Date,
  priceChanged = false,
): OutboxEventInput {
  return {
    aggregateType: PRODUCT_AGGREGATE,
    aggregateId: record.id,
    eventType: CatalogRoutingKey.ProductUpserted,
    payload: productUpsertedEvent(record, occurredAt, priceChanged),
  };
}

export function deletedOutboxEvent(
  id: number,
  version: number,
  occurredAt: Date,
): OutboxEventInput {
  return {
    aggregateType: PRODUCT_AGGREGATE,
    aggregateId: id,
    eventType: CatalogRoutingKey.ProductDeleted,
    payload: productDeletedEvent(id, version, occurredAt),
  };
}

/** A patch applied over the stored product: absent fields keep their stored value. */
export function mergePatch(current: ProductInput, patch: ProductPatch): ProductInput {
  return {
    sku: patch.sku ?? current.sku,
    name: patch.name ?? current.name,
    description: patch.description ?? current.description,
    price: patch.price ?? current.price,
    categories: patch.categories ?? current.categories,
  };
}

/**
 * True when writing `input` would store exactly what `current` holds (prices as DECIMAL(12,2)
 * keeps them, categories in order without repeats): such a write is a no-op, with no new version
 * and no event, so nothing downstream reindexes or purges for it.
 */
export function isUnchanged(current: ProductRecord, input: ProductInput): boolean {
  const slugs = uniqueSlugs(input.categories);
  return (
    current.sku === input.sku &&
    current.name === input.name &&
    current.description === input.description &&
    current.price === roundPrice(input.price) &&
    current.categories.length === slugs.length &&
    current.categories.every((slug, index) => slug === slugs[index])
  );
}
