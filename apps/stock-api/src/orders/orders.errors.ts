import type { ErrorStatusMapping } from '@shop/http';
import { OrderStatusConflictError } from '@shop/orders';
import { DatabaseUnavailableError } from '@shop/persistence';

/** How the orders' errors read over HTTP (an unknown order is the carts' OrderNotFoundError). */
export const ORDER_API_ERRORS: readonly ErrorStatusMapping[] = [
  [OrderStatusConflictError, 409],
  // Orders are read from MySQL first: without it, a 503 rather than a `pending` that may be false.
  [DatabaseUnavailableError, 503],
];
