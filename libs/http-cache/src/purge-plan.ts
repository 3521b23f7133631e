import type { StockChangedEvent } from '@shop/contracts';
import {
  assertCacheTag,
  categoryTag,
  LISTING_TAG,
  MENU_TAG,
  productTag,
  stockTag,
} from './cache-tags';

/**
 * What to purge for a change. Hard: the objects are dropped, the next view fetches the new
 * data. Soft: the objects expire but stay usable for grace, so the next view still gets the old
 * copy once while Varnish refreshes it in the background; right for listings, which show many
 * products and are expensive to rebuild all at once.
 */
export interface PurgePlan {
  readonly hard: readonly string[];
  readonly soft: readonly string[];
}

export const EMPTY_PURGE_PLAN: PurgePlan = { hard: [], soft: [] };

/**
 * A stock change: the product's stock badge and stock JSON at once. When the stock crosses zero
 * the product's in-stock flag changes too: its product page and JSON, and the listings (in-stock
 * filters and facets) softly.
 */
export function stockChangePurge(
  event: Pick<StockChangedEvent, 'id' | 'stock' | 'delta'>,
): PurgePlan {
  const before = event.stock - event.delta;
  const crossedZero = before > 0 !== event.stock > 0;
  if (!crossedZero) return { hard: [stockTag(event.id)], soft: [] };
  return { hard: [stockTag(event.id), productTag(event.id)], soft: [LISTING_TAG] };
}

/** A product created, edited or deleted: its own pages at once, every listing softly. */
export function productChangePurge(product: { readonly id: number }): PurgePlan {
  return { hard: [productTag(product.id)], soft: [LISTING_TAG] };
}

/** A category created, renamed, moved or deleted: the menu and its pages. */
export function categoryChangePurge(slugs: readonly string[]): PurgePlan {
  return { hard: [MENU_TAG, ...slugs.map(categoryTag)], soft: [LISTING_TAG] };
}

/**
 * Several plans as one (a batch of events, one PURGE per host): duplicates removed, and a tag
 * purged hard is not purged softly as well.
 */
export function mergePurgePlans(plans: readonly PurgePlan[]): PurgePlan {
  const hard = new Set<string>();
  const soft = new Set<string>();
  for (const plan of plans) {
    for (const tag of plan.hard) hard.add(assertCacheTag(tag));
    for (const tag of plan.soft) soft.add(assertCacheTag(tag));
  }
  for (const tag of hard) soft.delete(tag);
  return { hard: [...hard], soft: [...soft] };
}
