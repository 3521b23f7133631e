import { OPAQUE_ID_PATTERN } from '@shop/contracts';
import { isValidKeyPrefix, taggedKeyPrefix } from '@shop/stock';

/**
 * Redis layout of carts, checkouts and pending orders; `<p>` is the key prefix (default `shop:`,
 * tests pass a random one) followed by the shop's hash tag, as the ledger's keys are. The stock
 * levels and the outbox they change are the stock ledger's (see libs/stock/src/stock-keys.ts): a
 * hold changes a cart and a level in one Lua step, so both layouts share the tag (one slot).
 *
 * | key                         | type   | content                                                 |
 * |-----------------------------|--------|---------------------------------------------------------|
 * | `<p>cart:<id>`              | hash   | `status` (open, expired, ordered), `createdAt`,         |
 * |                             |        | `updatedAt`, `expiresAt` (epoch ms), `orderId`          |
 * | `<p>cart:<id>:lines`        | hash   | product id → quantity (held while the cart is open)     |
 * | `<p>cart:<id>:info`         | hash   | product id → JSON `{ name, unitPriceCents }` as it was  |
 * |                             |        | when the line was added                                 |
 * | `<p>cart-deadlines`         | zset   | cart id, score = expiresAt: the sweeper's work list     |
 * | `<p>checkout:<key>`         | hash   | `fingerprint` (cart id + body hash), `orderId` of the   |
 * |                             |        | first checkout with this Idempotency-Key; EXPIRE 24 h   |
 * | `<p>order:<id>`             | hash   | `status` (pending), `order` (the order.placed JSON)     |
 *
 * An open cart's keys have no TTL (its holds must be returned by the sweeper, not vanish); once
 * expired or ordered they get one (CART_RETENTION_SECONDS).
 */
export const DEFAULT_CART_KEY_PREFIX = 'shop:';

export class CartKeys {
  readonly deadlines: string;
  /** The prefix and the hash tag: what every key starts with. */
  private readonly tagged: string;

  constructor(readonly prefix: string = DEFAULT_CART_KEY_PREFIX) {
    if (!isValidKeyPrefix(prefix)) {
      throw new Error(`Invalid cart key prefix ${JSON.stringify(prefix)}`);
    }
    this.tagged = taggedKeyPrefix(prefix);
    this.deadlines = `${this.tagged}cart-deadlines`;
  }

  cart(id: string): string {
    return `${this.tagged}cart:${id}`;
  }

  lines(id: string): string {
    return `${this.tagged}cart:${id}:lines`;
  }

  info(id: string): string {
    return `${this.tagged}cart:${id}:info`;
  }

  checkout(idempotencyKey: string): string {
    return `${this.tagged}checkout:${idempotencyKey}`;
  }

  order(id: string): string {
    return `${this.tagged}order:${id}`;
  }
}

/** Whether `raw` can be a cart or order id (anything else is a 404, never a Redis key). */
export function isOpaqueId(raw: unknown): raw is string {
  return typeof raw === 'string' && OPAQUE_ID_PATTERN.test(raw);
}
