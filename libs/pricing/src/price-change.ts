import { MAX_PRICE } from '@shop/contracts';
import { InvalidPriceRequestError } from './price-errors';

/** A validated body of PUT /products/:id/price; amounts in cents, times in epoch ms. */
export interface PriceChange {
  /** New regular price; absent = unchanged. */
  priceCents?: number;
  /** Absent = the sale stays as it is. */
  sale?: SaleChange;
}

export type SaleChange =
  | { kind: 'set'; saleCents: number; startsAt: number | null; endsAt: number | null }
  | { kind: 'clear' };

/** A price state in cents and epoch ms (what Redis keeps, and MySQL's row converted). */
export interface PriceState {
  priceCents: number;
  saleCents: number | null;
  startsAt: number | null;
  endsAt: number | null;
}

const FIELDS = ['price', 'salePrice', 'saleStartsAt', 'saleEndsAt'] as const;
// Offset required: a time without one would be read in the server's zone.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Major units with at most two decimals, > 0 and ≤ MAX_PRICE, as integer cents. */
export function parseMoney(field: string, value: unknown): number {
  const rule = `${field} must be a number above 0 and at most ${MAX_PRICE}, with at most 2 decimals`;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_PRICE) {
    throw new InvalidPriceRequestError(rule);
  }
  const cents = Math.round(value * 100);
  // 19.99 * 100 is 1998.9999999999998: compare with a tolerance far below a cent.
  if (Math.abs(value * 100 - cents) > 1e-6) throw new InvalidPriceRequestError(rule);
  return cents;
}

function parseInstant(field: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const rule = `${field} must be an ISO-8601 date-time with an offset, e.g. 2026-12-01T09:00:00Z`;
  if (typeof value !== 'string' || !ISO_8601.test(value)) {
    throw new InvalidPriceRequestError(rule);
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidPriceRequestError(rule);
  return ms;
}

/**
 * Validates a request body: `{ price }`, `{ salePrice, saleStartsAt?, saleEndsAt? }`,
 * `{ salePrice: null }` (ends the sale), or a price together with a sale. Unknown fields, strings
 * for numbers, more than two decimals, a sale not below the price given with it, a start not
 * before the end, or an end not after `now` are refused with a message naming the field.
 */
export function parsePriceChange(body: unknown, now: number = Date.now()): PriceChange {
  if (!isRecord(body)) throw new InvalidPriceRequestError('The body must be a JSON object');
  const unknown = Object.keys(body).filter((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new InvalidPriceRequestError(
      `Unknown field(s): ${unknown.join(', ')} (allowed: ${FIELDS.join(', ')})`,
    );
  }
  const hasPrice = body.price !== undefined;
  const hasSale = body.salePrice !== undefined;
  if (!hasPrice && !hasSale) {
    throw new InvalidPriceRequestError('Give price, salePrice, or both');
  }
  const hasTimes = body.saleStartsAt !== undefined || body.saleEndsAt !== undefined;
  const change: PriceChange = {};
  if (hasPrice) change.priceCents = parseMoney('price', body.price);
  if (!hasSale) {
    if (hasTimes) {
      throw new InvalidPriceRequestError('saleStartsAt and saleEndsAt need a salePrice');
    }
    return change;
  }
  if (body.salePrice === null) {
    if (hasTimes) {
      throw new InvalidPriceRequestError(
        'salePrice: null ends the sale: give no saleStartsAt or saleEndsAt with it',
      );
    }
    change.sale = { kind: 'clear' };
    return change;
  }
  const saleCents = parseMoney('salePrice', body.salePrice);
  const startsAt = parseInstant('saleStartsAt', body.saleStartsAt);
  const endsAt = parseInstant('saleEndsAt', body.saleEndsAt);
  if (change.priceCents !== undefined && saleCents >= change.priceCents) {
    throw new InvalidPriceRequestError('salePrice must be below price');
  }
  if (startsAt !== null && endsAt !== null && startsAt >= endsAt) {
    throw new InvalidPriceRequestError('saleStartsAt must be before saleEndsAt');
  }
  if (endsAt !== null && endsAt <= now) {
    throw new InvalidPriceRequestError('saleEndsAt must be in the future');
  }
  change.sale = { kind: 'set', saleCents, startsAt, endsAt };
  return change;
}

/** Whether the sale of `state` is running at `at`. */
export function saleRunsAt(state: PriceState, at: number): boolean {
  return (
    state.saleCents !== null &&
    (state.startsAt === null || state.startsAt <= at) &&
    (state.endsAt === null || at < state.endsAt)
  );
}

/** What a shopper pays at `at`, in cents: the sale price while the sale runs, else the price. */
export function effectivePriceCents(state: PriceState, at: number): number {
  return saleRunsAt(state, at) && state.saleCents !== null ? state.saleCents : state.priceCents;
}

/** When the effective price next changes by itself after `at` (start or end), or null. */
export function nextTransitionAt(state: PriceState, at: number): number | null {
  if (state.saleCents === null) return null;
  if (state.startsAt !== null && at < state.startsAt) return state.startsAt;
  if (state.endsAt !== null && at < state.endsAt) return state.endsAt;
  return null;
}

/** Cents to major units (exact for two decimals). */
export function fromCents(cents: number): number {
  return cents / 100;
}
