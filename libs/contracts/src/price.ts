/** Largest price (and sale price) the price route accepts, in major currency units. */
export const MAX_PRICE = 1_000_000;

/**
 * Why a product's price changed: an admin `set` (PUT /products/:id/price), or the scheduler
 * starting or ending a sale at its time (`sale-start`, `sale-end`).
 */
export type PriceChangeReason = 'set' | 'sale-start' | 'sale-end';

/**
 * Body of every message on the `price` exchange (routing key `info`): a superset of `{ id, price }`,
 * plain JSON, no framework envelope. Amounts are major units with two decimals.
 */
export interface PriceChangedEvent {
  id: number;
  /** The regular price. */
  price: number;
  /** The sale price while a sale is set (scheduled or running); null without one. */
  salePrice: number | null;
  /** ISO-8601 start of the sale; null = started when it was set. */
  saleStartsAt: string | null;
  /** ISO-8601 end of the sale; null = runs until ended. */
  saleEndsAt: string | null;
  /** What a shopper pays at `occurredAt`: the sale price while the sale runs, else `price`. */
  effectivePrice: number;
  /** Per-product, strictly increasing. */
  version: number;
  reason: PriceChangeReason;
  /** ISO-8601 instant at which Redis applied the change. */
  occurredAt: string;
}

/** A product's price state: the answer of the price route and of the price book's reads. */
export type ProductPrice = Omit<PriceChangedEvent, 'reason' | 'occurredAt'>;
