import type { OrderStatus } from '@shop/contracts';

/**
 * The order's status machine, the one place that says which moves exist:
 *
 *   pending ──(order worker: in MySQL)──► confirmed ──(payment step)──► paid
 *                                              └──────(admin cancel)───► cancelled
 *
 * `pending` lives only in Redis (the checkout); MySQL rows start at `confirmed`. `paid` and
 * `cancelled` are final. A payment step plugs in as the `confirmed → paid` move (see the README).
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['confirmed'],
  confirmed: ['paid', 'cancelled'],
  paid: [],
  cancelled: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/** The statuses an order can be moved to `to` from. */
export function statusesLeadingTo(to: OrderStatus): OrderStatus[] {
  return (Object.keys(ORDER_TRANSITIONS) as OrderStatus[]).filter((from) =>
    canTransition(from, to),
  );
}

/** The order is not in a status from which the asked move exists (HTTP 409). */
export class OrderStatusConflictError extends Error {
  readonly code = 'ORDER_STATUS_CONFLICT';

  constructor(
    readonly orderId: string,
    readonly status: OrderStatus,
    readonly wanted: OrderStatus,
  ) {
    super(
      status === 'pending'
        ? `Order ${orderId} is pending (not yet confirmed): it cannot be ${wanted} yet`
        : `Order ${orderId} is ${status}: it cannot be ${wanted}`,
    );
    this.name = 'OrderStatusConflictError';
  }
}
