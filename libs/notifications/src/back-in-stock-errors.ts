/** The sign-up body is not `{ productId, email }` as documented (HTTP 400); names the field. */
export class InvalidBackInStockRequestError extends Error {
  override readonly name = 'InvalidBackInStockRequestError';
}

/** No product has this id (HTTP 404). */
export class BackInStockProductNotFoundError extends Error {
  override readonly name = 'BackInStockProductNotFoundError';

  constructor(readonly productId: number) {
    super(`product ${productId} not found`);
  }
}

/** The product can be bought now: there is nothing to wait for (HTTP 409). */
export class ProductInStockError extends Error {
  override readonly name = 'ProductInStockError';

  constructor(
    readonly productId: number,
    readonly stock: number,
  ) {
    super(
      `product ${productId} is in stock (${stock} left): back-in-stock emails are for sold-out products`,
    );
  }
}
