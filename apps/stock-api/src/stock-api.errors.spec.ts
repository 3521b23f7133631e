import { classifyError } from '@shop/http';
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
import { STOCK_API_ERRORS } from './stock-api.errors';

describe('STOCK_API_ERRORS', () => {
  it.each([
    [new InvalidStockRequestError('stock must be an integer'), 400],
    [new StockNotFoundError(7), 404],
    [new InsufficientStockError(7, 3, 4), 409],
    [new StockLimitError(7, 10, 1, 10), 409],
    [new HeldStockError(7, 3, 1), 409],
    [new IdempotencyKeyReusedError('k'), 422],
    [new LedgerNotReadyError(), 503],
    [new LedgerUnavailableError(new Error('ECONNREFUSED')), 503],
  ])('%s answers %i with its own message', (error, status) => {
    expect(classifyError(error, STOCK_API_ERRORS)).toEqual({
      status,
      message: error.message,
      // A dependency down is logged with its cause; a client's mistake is not.
      unexpected: status >= 500,
    });
  });
});
