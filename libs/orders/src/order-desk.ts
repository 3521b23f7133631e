import type { OrderView } from '@shop/contracts';
import { isOpaqueId, OrderNotFoundError, type Carts } from '@shop/cart';
import { SILENT_LOGGER, type LoggerLike } from '@shop/common';
import type { OrderRepository, StoredOrder } from '@shop/persistence';
import { StockNotFoundError, type StockLedger } from '@shop/stock';
import { OrderStatusConflictError, statusesLeadingTo } from './order-status';

export type StoredOrders = Pick<OrderRepository, 'findById' | 'transition'>;
export type PendingOrders = Pick<Carts, 'getOrder'>;
export type StockReturns = Pick<StockLedger, 'apply'>;

/**
 * How long after a cancel a repeated cancel still replays the stock returns (to finish one a crash
 * interrupted). Well inside the ledger's Idempotency-Key memory (24 h), past which a replay could
 * return the units a second time.
 */
export const CANCEL_REPLAY_WINDOW_MS = 60 * 60 * 1000;

/** The Idempotency-Key of the stock change that puts a cancelled line's units back. */
export function cancelReturnKey(orderId: string, productId: number): string {
  return `order-cancel:${orderId}:${productId}`;
}

function toView(order: StoredOrder): OrderView {
  const { cancelledAt: _cancelledAt, ...view } = order;
  return view;
}

/**
 * Orders after checkout: what `GET /orders/:id` shows and the admin's cancel.
 *
 * Reads go to MySQL first, the source of truth, and fall back to the Redis copy the checkout
 * stored: MySQL has every status after `pending` (a cancel is a MySQL write), Redis only the order
 * as placed, so updating the Redis copy on confirmation would be a second writer of the same
 * status for no gain; the order worker only shortens its TTL to an hour once MySQL has the order
 * (PlacedOrderCopies). While MySQL is down a read is a 503, not a `pending` that may be false.
 */
export class OrderDesk {
  constructor(
    private readonly stored: StoredOrders,
    private readonly pending: PendingOrders,
    private readonly stock: StockReturns,
    private readonly logger: LoggerLike = SILENT_LOGGER,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async get(id: unknown): Promise<OrderView> {
    if (!isOpaqueId(id)) throw new OrderNotFoundError();
    const stored = await this.stored.findById(id);
    return stored ? toView(stored) : this.pending.getOrder(id);
  }

  /**
   * Cancels a confirmed order and puts its units back on hand, one stock change (and so one stock
   * event) per line through the Redis ledger, so Redis stays the stock authority and every
   * consumer follows as for any change.
   *
   * The status moves first, a compare-and-set in MySQL (of a cancel and a future payment, one
   * wins); then each line's units go back under an Idempotency-Key of its own. Cancelling an
   * already cancelled order answers 200 with the order (idempotent); within
   * CANCEL_REPLAY_WINDOW_MS it also replays those changes: one already made is not made twice,
   * one a crash left out is made now. A pending order (not yet in MySQL) is a 409.
   */
  async cancel(id: unknown, options: { correlationId?: string } = {}): Promise<OrderView> {
    if (!isOpaqueId(id)) throw new OrderNotFoundError();
    const order = await this.stored.findById(id);
    if (!order) {
      // Throws OrderNotFoundError when Redis has none either.
      const pending = await this.pending.getOrder(id);
      throw new OrderStatusConflictError(id, pending.status, 'cancelled');
    }
    const now = this.clock();
    let cancelledAt = order.cancelledAt ?? now;
    if (order.status !== 'cancelled') {
      const moved = await this.stored.transition(
        id,
        statusesLeadingTo('cancelled'),
        'cancelled',
        now,
      );
      if (!moved) {
        // Someone else moved it meanwhile: a concurrent cancel is fine, anything else is not.
        const current = await this.stored.findById(id);
        if (current?.status !== 'cancelled') {
          throw new OrderStatusConflictError(id, current?.status ?? order.status, 'cancelled');
        }
        cancelledAt = current.cancelledAt ?? now;
      }
    }
    if (now.getTime() - cancelledAt.getTime() <= CANCEL_REPLAY_WINDOW_MS) {
      await this.returnUnits(order, options.correlationId);
    }
    return { ...toView(order), status: 'cancelled' };
  }

  private async returnUnits(order: StoredOrder, correlationId: string | undefined): Promise<void> {
    for (const line of order.lines) {
      try {
        await this.stock.apply(
          line.productId,
          { action: 'increment', amount: line.quantity },
          { idempotencyKey: cancelReturnKey(order.id, line.productId), correlationId },
        );
      } catch (error) {
        if (!(error instanceof StockNotFoundError)) throw error;
        // Deleted since: there is no shelf to put its units back on.
        this.logger.warn(
          `order ${order.id} cancelled: product ${line.productId} no longer exists, ` +
            `${line.quantity} unit(s) not returned`,
        );
      }
    }
  }
}
