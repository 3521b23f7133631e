import type { ErrorStatusMapping } from '@shop/http';
import {
  BackInStockProductNotFoundError,
  InvalidBackInStockRequestError,
  ProductInStockError,
} from '@shop/notifications';
import { DatabaseUnavailableError } from '@shop/persistence';

/** How the back-in-stock sign-up's errors read over HTTP. */
export const BACK_IN_STOCK_API_ERRORS: readonly ErrorStatusMapping[] = [
  [InvalidBackInStockRequestError, 400],
  [BackInStockProductNotFoundError, 404],
  // A conflict with the current figure: the same request succeeds once the product sells out.
  [ProductInStockError, 409],
  [DatabaseUnavailableError, 503],
];
