/**
 * Typed failures of carts and checkout, each with a stable `code`; stock-api maps them to HTTP
 * statuses (CART_API_ERRORS). Every one of them means nothing changed.
 */
export type CartErrorCode =
  | 'INVALID_CART_REQUEST'
  | 'CART_NOT_FOUND'
  | 'CART_PRODUCT_NOT_FOUND'
  | 'CART_LINE_NOT_FOUND'
  | 'CART_LINE_LIMIT'
  | 'CART_STOCK_CONFLICT'
  | 'CART_CLOSED'
  | 'CART_EMPTY'
  | 'CART_CHANGED'
  | 'CART_BUSY'
  | 'CHECKOUT_KEY_REUSED'
  | 'ORDER_NOT_FOUND';

export abstract class CartError extends Error {
  abstract readonly code: CartErrorCode;

  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input; the message names the field. */
export class InvalidCartRequestError extends CartError {
  readonly code = 'INVALID_CART_REQUEST';

  constructor(message: string) {
    super(message);
  }
}

/** No such cart (also any id that is not 32 hex digits: it cannot be one). */
export class CartNotFoundError extends CartError {
  readonly code = 'CART_NOT_FOUND';

  constructor() {
    super('No such cart');
  }
}

export class CartProductNotFoundError extends CartError {
  readonly code = 'CART_PRODUCT_NOT_FOUND';

  constructor(readonly productId: number) {
    super(`Product ${productId} does not exist`);
  }
}

export class CartLineNotFoundError extends CartError {
  readonly code = 'CART_LINE_NOT_FOUND';

  constructor(readonly productId: number) {
    super(`The cart has no line for product ${productId}`);
  }
}

export class CartLineLimitError extends CartError {
  readonly code = 'CART_LINE_LIMIT';

  constructor(readonly limit: number) {
    super(`A cart holds at most ${limit} lines`);
  }
}

/** A line whose quantity cannot be had: what the shopper asked for and what is left to sell. */
export interface UnavailableLine {
  productId: number;
  requested: number;
  available: number;
}

function describeLines(lines: readonly UnavailableLine[]): string {
  return lines
    .map((line) => `product ${line.productId}: ${line.available} left, ${line.requested} wanted`)
    .join('; ');
}

/**
 * A hold (or, at checkout, a cart whose holds expired) needs more than can be sold. Names every
 * line concerned and what is left of it.
 */
export class CartStockConflictError extends CartError {
  readonly code = 'CART_STOCK_CONFLICT';

  constructor(
    readonly lines: readonly UnavailableLine[],
    context: 'hold' | 'checkout',
  ) {
    super(
      context === 'hold'
        ? `Not enough stock: ${describeLines(lines)}`
        : `The cart's holds expired and these lines can no longer be had: ${describeLines(lines)}`,
    );
  }
}

/** The cart was checked out already: it cannot change or be checked out again. */
export class CartClosedError extends CartError {
  readonly code = 'CART_CLOSED';

  constructor(readonly orderId: string) {
    super(`The cart was checked out already (order ${orderId})`);
  }
}

export class CartEmptyError extends CartError {
  readonly code = 'CART_EMPTY';

  constructor() {
    super('The cart is empty');
  }
}

/** The cart changed under every checkout attempt (lines edited concurrently): nothing placed. */
export class CartChangedError extends CartError {
  readonly code = 'CART_CHANGED';

  constructor() {
    super('The cart changed while it was being checked out; check it and try again');
  }
}

/** The cart is being checked out or expiring across shards (milliseconds): nothing changed. */
export class CartBusyError extends CartError {
  readonly code = 'CART_BUSY';

  constructor() {
    super('The cart is being checked out or is expiring; check it and try again');
  }
}

/** The Idempotency-Key already placed an order for another cart or another body. */
export class CheckoutKeyReusedError extends CartError {
  readonly code = 'CHECKOUT_KEY_REUSED';

  constructor() {
    super('This Idempotency-Key was already used for a different checkout');
  }
}

export class OrderNotFoundError extends CartError {
  readonly code = 'ORDER_NOT_FOUND';

  constructor() {
    super('No such order');
  }
}
