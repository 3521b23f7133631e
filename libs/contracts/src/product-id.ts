/**
 * Largest product id: `products.id` is INT UNSIGNED (migration 0002). A bigger figure can never
 * name a product, and past 2^53 it would not even survive `Number()` intact.
 */
export const MAX_PRODUCT_ID = 4_294_967_295;

// Digits only: no sign, no spaces, no exponent ("1e3"), no hex ("0x10"), no leading zeros, so each
// product has exactly one spelling (one cache object, one tag). Eleven digits at most keeps the
// range check below on exact integers.
const PRODUCT_ID_TEXT = /^[1-9][0-9]{0,10}$/;
const SHOWN_INPUT_LENGTH = 40;

/** A value that cannot be a product id. `parameter` names where it came from (`id`, `ids`). */
export class InvalidProductIdError extends Error {
  override readonly name = 'InvalidProductIdError';

  constructor(
    readonly parameter: string,
    raw: unknown,
  ) {
    const shown = typeof raw === 'string' ? raw.slice(0, SHOWN_INPUT_LENGTH) : raw;
    super(
      `${parameter} must be a product id (digits only, 1 to ${MAX_PRODUCT_ID}), got ${String(JSON.stringify(shown))}`,
    );
  }
}

/**
 * The one parser of product ids, for route parameters, query lists and internal callers alike:
 * a decimal string of digits, or an integer, from 1 to MAX_PRODUCT_ID.
 * @throws InvalidProductIdError naming `parameter`
 */
export function parseProductId(raw: unknown, parameter = 'id'): number {
  const id =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && PRODUCT_ID_TEXT.test(raw)
        ? Number(raw)
        : NaN;
  if (!Number.isInteger(id) || id < 1 || id > MAX_PRODUCT_ID) {
    throw new InvalidProductIdError(parameter, raw);
  }
  return id;
}
