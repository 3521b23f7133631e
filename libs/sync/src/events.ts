import {
  CATEGORY_LIMITS,
  MAX_PRICE,
  MAX_STOCK,
  type PriceChangedEvent,
  type StockBarrier,
  type StockChangedEvent,
} from '@shop/contracts';
import { PoisonMessageError } from '@shop/messaging';
import { stockBadgeFor } from '@shop/storefront';
import { z } from 'zod';

/*
 * What the sync consumers accept off the wire. A body that fails here can never succeed, so it is
 * poison: straight to the dead-letter queue with the reason, instead of a round of retries.
 */

const productId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const isoInstant = z.string().refine((value) => !Number.isNaN(Date.parse(value)), {
  message: 'not an ISO-8601 instant',
});

const stockChangedSchema = z.object({
  id: productId,
  stock: z.number().int().min(0).max(MAX_STOCK),
  delta: z.number().int().min(-MAX_STOCK).max(MAX_STOCK),
  version: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  reason: z.string().min(1),
  occurredAt: isoInstant,
  // Absent on events from before holds (on hand was `stock`, none held).
  onHand: z.number().int().min(0).max(MAX_STOCK).optional(),
  held: z.number().int().min(0).max(MAX_STOCK).optional(),
});

function poison(what: string, error: z.ZodError): PoisonMessageError {
  return new PoisonMessageError(`not a ${what}: ${z.prettifyError(error).replace(/\s+/g, ' ')}`);
}

/** A `stock` exchange body (`{ id, stock, delta, version, reason, occurredAt }`). */
export function parseStockChangedEvent(raw: unknown): StockChangedEvent {
  const result = stockChangedSchema.safeParse(raw);
  if (!result.success) throw poison('stock event', result.error);
  const event = result.data;
  return {
    id: event.id,
    stock: event.stock,
    delta: event.delta,
    version: event.version,
    reason: event.reason as StockChangedEvent['reason'],
    occurredAt: event.occurredAt,
    ...(event.held === undefined ? {} : { held: event.held }),
    ...(event.onHand === undefined ? {} : { onHand: event.onHand }),
  };
}

const money = z.number().positive().max(MAX_PRICE);
const priceChangedSchema = z.object({
  id: productId,
  price: money,
  salePrice: money.nullable(),
  saleStartsAt: isoInstant.nullable(),
  saleEndsAt: isoInstant.nullable(),
  effectivePrice: money,
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  reason: z.enum(['set', 'sale-start', 'sale-end']),
  occurredAt: isoInstant,
});

/** A `price` exchange body (see PriceChangedEvent). */
export function parsePriceChangedEvent(raw: unknown): PriceChangedEvent {
  const result = priceChangedSchema.safeParse(raw);
  if (!result.success) throw poison('price event', result.error);
  return result.data;
}

const stockBarrierSchema = z.object({
  barrier: z.string().min(1).max(64),
  requestedAt: isoInstant,
});

/** What the stock queue carries: stock events, and a ledger rebuild's barriers. */
export type StockMessage = StockChangedEvent | StockBarrier;

export function isStockBarrier(message: StockMessage): message is StockBarrier {
  return 'barrier' in message;
}

/** A stock event, or a `StockBarrier` sent straight to the stock→MySQL queue. */
export function parseStockMessage(raw: unknown): StockMessage {
  if (typeof raw === 'object' && raw !== null && 'barrier' in raw) {
    const result = stockBarrierSchema.safeParse(raw);
    if (!result.success) throw poison('stock barrier', result.error);
    return result.data;
  }
  return parseStockChangedEvent(raw);
}

/** The stock before the change: `stock - delta`. */
export function stockBefore(event: Pick<StockChangedEvent, 'stock' | 'delta'>): number {
  return event.stock - event.delta;
}

/** The change moved the product between "none left" and "some left" (either way). */
export function crossesZero(event: Pick<StockChangedEvent, 'stock' | 'delta'>): boolean {
  return stockBefore(event) > 0 !== event.stock > 0;
}

/**
 * The change altered what a stock badge says, in the storefront's own words (`stockBadgeFor`):
 * "Sold out" at zero, "Only N left" below `lowStockBelow` (STOREFRONT_LOW_STOCK_BELOW), "In
 * stock" at or above it whatever the figure.
 */
export function changesBadgeLabel(
  event: Pick<StockChangedEvent, 'stock' | 'delta'>,
  lowStockBelow: number,
): boolean {
  const label = (stock: number): string => stockBadgeFor(stock, lowStockBelow).label;
  return label(stockBefore(event)) !== label(event.stock);
}

/**
 * A product change on the `catalog` exchange, reduced to what the consumers use: they re-read the
 * product from MySQL rather than trusting the body, so an old event can never write old data.
 */
export type CatalogChange =
  | {
      readonly kind: 'upserted';
      readonly id: number;
      readonly version: number;
      readonly categories: readonly string[];
      /** When the edit changed the regular price: that price and when it was written. */
      readonly priceChange?: { readonly price: number; readonly at: string };
    }
  | { readonly kind: 'deleted'; readonly id: number; readonly version: number };

const upsertedSchema = z.object({
  product: z.object({
    id: productId,
    categories: z.array(z.string()).default([]),
    price: z.number().positive().optional(),
  }),
  version: z.number().int().min(0),
  occurredAt: isoInstant,
  priceChanged: z.boolean().optional(),
});

const deletedSchema = z.object({
  id: productId,
  version: z.number().int().min(0),
  occurredAt: isoInstant,
});

/** `product.upserted` (`{ product, version, occurredAt }`) or `product.deleted` (`{ id, ... }`). */
export function parseCatalogChange(raw: unknown): CatalogChange {
  if (typeof raw === 'object' && raw !== null && 'product' in raw) {
    const result = upsertedSchema.safeParse(raw);
    if (!result.success) throw poison('product.upserted event', result.error);
    const { product, version, occurredAt, priceChanged } = result.data;
    return {
      kind: 'upserted',
      id: product.id,
      version,
      categories: product.categories,
      ...(priceChanged && product.price !== undefined
        ? { priceChange: { price: product.price, at: occurredAt } }
        : {}),
    };
  }
  const result = deletedSchema.safeParse(raw);
  if (!result.success) throw poison('product event', result.error);
  return { kind: 'deleted', id: result.data.id, version: result.data.version };
}

/**
 * A category change on the `catalog` exchange, reduced to what the cache consumer purges: the
 * slugs whose pages changed and, for a rename, which category's products show the new name.
 */
export interface CategoryChange {
  readonly kind: 'upserted' | 'deleted';
  readonly slug: string;
  readonly affectedSlugs: readonly string[];
  /** Its name changed: product pages of its products show it. */
  readonly renamed: boolean;
}

const categorySlug = z.string().regex(CATEGORY_LIMITS.slugPattern);
const categoryDetailsSchema = z.object({
  slug: categorySlug,
  name: z.string(),
  parentSlug: categorySlug.nullable(),
  position: z.number().int().min(0),
});

const categoryUpsertedSchema = z.object({
  category: categoryDetailsSchema,
  previous: categoryDetailsSchema.nullable(),
  affectedSlugs: z.array(categorySlug),
  occurredAt: isoInstant,
});

const categoryDeletedSchema = z.object({
  slug: categorySlug,
  reassignTo: categorySlug.nullable(),
  movedProducts: z.number().int().min(0),
  affectedSlugs: z.array(categorySlug),
  occurredAt: isoInstant,
});

/** `category.upserted` (`{ category, previous, ... }`) or `category.deleted` (`{ slug, ... }`). */
export function parseCategoryChange(raw: unknown): CategoryChange {
  if (typeof raw === 'object' && raw !== null && 'category' in raw) {
    const result = categoryUpsertedSchema.safeParse(raw);
    if (!result.success) throw poison('category.upserted event', result.error);
    const { category, previous, affectedSlugs } = result.data;
    return {
      kind: 'upserted',
      slug: category.slug,
      affectedSlugs: distinct([category.slug, ...affectedSlugs]),
      renamed: previous !== null && previous.name !== category.name,
    };
  }
  const result = categoryDeletedSchema.safeParse(raw);
  if (!result.success) throw poison('category event', result.error);
  const { slug, affectedSlugs } = result.data;
  return {
    kind: 'deleted',
    slug,
    affectedSlugs: distinct([slug, ...affectedSlugs]),
    renamed: false,
  };
}

/** Distinct values in first-seen order. */
export function distinct<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}
