import {
  CartBusyError,
  CartChangedError,
  CartClosedError,
  CartEmptyError,
  CartLineLimitError,
  CartLineNotFoundError,
  CartNotFoundError,
  CartProductNotFoundError,
  CartStockConflictError,
  CheckoutKeyReusedError,
  InvalidCartRequestError,
  OrderNotFoundError,
} from '@shop/cart';
import type { ErrorStatusMapping } from '@shop/http';

/** How the carts' errors read over HTTP. */
export const CART_API_ERRORS: readonly ErrorStatusMapping[] = [
  [InvalidCartRequestError, 400],
  // One of the input rules ("at most 50 lines"), like the quantity range.
  [CartLineLimitError, 400],
  [CartNotFoundError, 404],
  [CartProductNotFoundError, 404],
  [CartLineNotFoundError, 404],
  [OrderNotFoundError, 404],
  [CartStockConflictError, 409],
  [CartClosedError, 409],
  [CartEmptyError, 409],
  [CartChangedError, 409],
  [CartBusyError, 409],
  // As a reused stock Idempotency-Key: the key is misused, retrying will not help.
  [CheckoutKeyReusedError, 422],
];
