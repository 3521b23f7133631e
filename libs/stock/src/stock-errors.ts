/**
 * Typed failures of the stock ledger, each with a stable `code`. What they mean over HTTP is the
 * app's business (stock-api's STOCK_API_ERRORS), as for every other lib's errors.
 */
export type StockErrorCode =
  | 'INVALID_STOCK_REQUEST'
  | 'STOCK_NOT_FOUND'
  | 'INSUFFICIENT_STOCK'
  | 'STOCK_HELD'
  | 'STOCK_LIMIT_EXCEEDED'
  | 'LEDGER_NOT_READY'
  | 'LEDGER_UNAVAILABLE'
  | 'IDEMPOTENCY_KEY_REUSED';

export abstract class StockLedgerError extends Error {
  abstract readonly code: StockErrorCode;

  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: unknown action, amount not an integer in 0..MAX_STOCK, malformed id or key. */
export class InvalidStockRequestError extends StockLedgerError {
  readonly code = 'INVALID_STOCK_REQUEST';

  constructor(message: string) {
    super(message);
  }
}

/** The catalog has no product with this id. */
export class StockNotFoundError extends StockLedgerError {
  readonly code = 'STOCK_NOT_FOUND';

  constructor(readonly productId: number) {
    super(`Product ${productId} does not exist`);
  }
}

/** A decrement would take stock below zero; nothing changed. */
export class InsufficientStockError extends StockLedgerError {
  readonly code = 'INSUFFICIENT_STOCK';

  constructor(
    readonly productId: number,
    readonly available: number,
    readonly requested: number,
  ) {
    super(`Product ${productId} has ${available} in stock, cannot take ${requested}`);
  }
}

/** A `set` would take on hand below the units carts hold; nothing changed. */
export class HeldStockError extends StockLedgerError {
  readonly code = 'STOCK_HELD';

  constructor(
    readonly productId: number,
    readonly held: number,
    readonly requested: number,
  ) {
    super(
      `Product ${productId} has ${held} unit(s) held in carts: on hand cannot be set to ${requested}`,
    );
  }
}

/**
 * An increment would take stock above MAX_STOCK; nothing changed. A conflict with the current
 * figure, not bad input: the same request could succeed after a decrement.
 */
export class StockLimitError extends StockLedgerError {
  readonly code = 'STOCK_LIMIT_EXCEEDED';

  constructor(
    readonly productId: number,
    readonly current: number,
    readonly requested: number,
    readonly limit: number,
  ) {
    super(`Product ${productId} has ${current} in stock, adding ${requested} exceeds ${limit}`);
  }
}

/** Redis lost the ledger (or it was never restored from MySQL): reads and writes must wait. */
export class LedgerNotReadyError extends StockLedgerError {
  readonly code = 'LEDGER_NOT_READY';

  constructor() {
    super('The stock ledger is being restored from MySQL; try again shortly');
  }
}

/** Redis did not answer (down, restarting, out of memory): the change may be retried. */
export class LedgerUnavailableError extends StockLedgerError {
  readonly code = 'LEDGER_UNAVAILABLE';

  constructor(cause: unknown) {
    // The client hears which dependency is down; the Redis client's own text (addresses, ioredis
    // states) stays in `cause`, which the error log prints.
    super('Redis is unavailable: the stock ledger cannot be read or changed; try again shortly');
    this.cause = cause;
  }
}

/**
 * An Idempotency-Key already answered a different request (other product, action or amount):
 * the key is misused, retrying will not help.
 */
export class IdempotencyKeyReusedError extends StockLedgerError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';

  constructor(readonly idempotencyKey: string) {
    super('This Idempotency-Key was already used for a different stock change');
  }
}
