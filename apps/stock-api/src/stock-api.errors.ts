import type { ErrorStatusMapping } from '@shop/http';
import { InvalidPriceRequestError, PriceConflictError, PriceNotFoundError } from '@shop/pricing';
import {
  HeldStockError,
  IdempotencyKeyReusedError,
  InsufficientStockError,
  InvalidStockRequestError,
  LedgerNotReadyError,
  LedgerUnavailableError,
  StockLimitError,
  StockNotFoundError,
} from '@shop/stock';

/** How the stock ledger's errors read over HTTP. */
export const STOCK_API_ERRORS: readonly ErrorStatusMapping[] = [
  [InvalidStockRequestError, 400],
  [StockNotFoundError, 404],
  [InsufficientStockError, 409],
  // A conflict with the current figure: the same request could succeed after a decrement.
  [StockLimitError, 409],
  // On hand cannot go below what carts hold; it can once they check out or let go.
  [HeldStockError, 409],
  // As in the IETF Idempotency-Key draft: the key is misused, retrying will not help.
  [IdempotencyKeyReusedError, 422],
  [InvalidPriceRequestError, 400],
  [PriceNotFoundError, 404],
  // Valid on its own, not against the current price or sale: the same request can succeed later.
  [PriceConflictError, 409],
  [LedgerNotReadyError, 503],
  [LedgerUnavailableError, 503],
];
