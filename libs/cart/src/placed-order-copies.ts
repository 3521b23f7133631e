import type { RedisClient } from '@shop/redis';
import type { CartKeys } from './cart-keys';

/** How long the Redis copy of an order stays once MySQL has the order. */
export const CONFIRMED_ORDER_COPY_SECONDS = 60 * 60;

/**
 * The Redis copies of placed orders (`<p>order:<id>`, written by the checkout step), which
 * `GET /orders/:id` shows until MySQL has the order. After that the copy is never read again
 * (OrderDesk reads MySQL first), yet it would stay for the order TTL (30 days): about 780 bytes
 * per order, more than the closed cart itself, through a sale of hundreds of thousands of orders.
 * The order worker shortens it once the order is in MySQL; an hour leaves room for a reader that
 * looked up the order in MySQL just before the worker wrote it.
 */
export class PlacedOrderCopies {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: CartKeys,
    private readonly keepSeconds = CONFIRMED_ORDER_COPY_SECONDS,
  ) {}

  /** Shortens the copies of `orderIds` to `keepSeconds`; never lengthens one (EXPIRE ... LT). */
  async confirmed(orderIds: readonly string[]): Promise<void> {
    await Promise.all(
      orderIds.map((id) => this.redis.expire(this.keys.home(id).order(id), this.keepSeconds, 'LT')),
    );
  }
}
