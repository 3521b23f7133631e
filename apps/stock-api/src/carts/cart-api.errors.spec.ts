import {
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
import { classifyError } from '@shop/http';
import { STOCK_API_ERRORS } from '../stock-api.errors';
import { CART_API_ERRORS } from './cart-api.errors';

describe('CART_API_ERRORS', () => {
  it.each([
    [new InvalidCartRequestError('Idempotency-Key header is required'), 400],
    [new CartLineLimitError(50), 400],
    [new CartNotFoundError(), 404],
    [new CartProductNotFoundError(7), 404],
    [new CartLineNotFoundError(7), 404],
    [new OrderNotFoundError(), 404],
    [new CartStockConflictError([{ productId: 7, available: 0, requested: 1 }], 'hold'), 409],
    [new CartClosedError('a'.repeat(32)), 409],
    [new CartEmptyError(), 409],
    [new CartChangedError(), 409],
    [new CheckoutKeyReusedError(), 422],
  ])('%s answers %i with its own message', (error, status) => {
    expect(classifyError(error, [...STOCK_API_ERRORS, ...CART_API_ERRORS])).toEqual({
      status,
      message: error.message,
      unexpected: false,
    });
  });

  it('names every line that cannot be had, and what is left of it', () => {
    const error = new CartStockConflictError(
      [
        { productId: 7, available: 0, requested: 1 },
        { productId: 9, available: 2, requested: 3 },
      ],
      'checkout',
    );
    expect(error.message).toBe(
      "The cart's holds expired and these lines can no longer be had: " +
        'product 7: 0 left, 1 wanted; product 9: 2 left, 3 wanted',
    );
  });
});
