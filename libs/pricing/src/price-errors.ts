/**
 * Typed failures of the price book. What they mean over HTTP is the app's business (stock-api's
 * STOCK_API_ERRORS). A Redis outage or a ledger being restored reuses the stock lib's
 * LedgerUnavailableError and LedgerNotReadyError: prices live in the same Redis, under its marker.
 */
export abstract class PricingError extends Error {
  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input (400): the body or a field is malformed, or the fields contradict each other. */
export class InvalidPriceRequestError extends PricingError {
  constructor(message: string) {
    super(message);
  }
}

/** The catalog has no such product (404). */
export class PriceNotFoundError extends PricingError {
  constructor(readonly productId: number) {
    super(`Product ${productId} does not exist`);
  }
}

/**
 * The change is valid on its own but not against the current state (409), e.g. a new price at or
 * below the running sale price, or a sale price at or above the current price.
 */
export class PriceConflictError extends PricingError {
  constructor(message: string) {
    super(message);
  }
}
