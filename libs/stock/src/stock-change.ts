import { MAX_STOCK, STOCK_ACTIONS, StockAction } from '@shop/contracts';
import { InvalidStockRequestError } from './stock-errors';

/** One requested change: `amount` is the body's `stock` figure. */
export interface StockChange {
  action: StockAction;
  amount: number;
}

/** Answer of `StockLedger.apply`. `replayed` is true when an Idempotency-Key returned a stored answer. */
export interface StockChangeResult {
  id: number;
  stock: number;
  version: number;
  replayed: boolean;
}

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
/** Most ids `getMany` accepts in one call (one Lua script reads them all). */
export const MAX_IDS_PER_READ = 1000;

const PRODUCT_ID_PATTERN = /^[1-9][0-9]{0,15}$/;
// Visible ASCII only: the key ends up in a Redis key name and in logs.
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]+$/;

function isStockAction(value: unknown): value is StockAction {
  return typeof value === 'string' && (STOCK_ACTIONS as readonly string[]).includes(value);
}

/** A product id: a positive safe integer, or its decimal string (a route parameter). */
export function parseProductId(raw: unknown): number {
  const id =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && PRODUCT_ID_PATTERN.test(raw)
        ? Number(raw)
        : NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new InvalidStockRequestError(`Invalid product id ${JSON.stringify(raw)}`);
  }
  return id;
}

/** `?ids=1,2,3`: distinct ids in the given order, at most MAX_IDS_PER_READ. */
export function parseProductIdList(raw: unknown): number[] {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new InvalidStockRequestError('ids must be a comma-separated list of product ids');
  }
  const ids = [...new Set(raw.split(',').map((part) => parseProductId(part.trim())))];
  if (ids.length > MAX_IDS_PER_READ) {
    throw new InvalidStockRequestError(`At most ${MAX_IDS_PER_READ} ids per request`);
  }
  return ids;
}

/** Validates a change given as `{ action, amount }`. */
export function validateStockChange(change: { action: unknown; amount: unknown }): StockChange {
  if (!isStockAction(change.action)) {
    throw new InvalidStockRequestError(`action must be one of ${STOCK_ACTIONS.join(', ')}`);
  }
  const amount = change.amount;
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 0 || amount > MAX_STOCK) {
    throw new InvalidStockRequestError(`stock must be an integer from 0 to ${MAX_STOCK}`);
  }
  return { action: change.action, amount };
}

/**
 * The HTTP body `{ "stock": n, "action": "increment" | "decrement" | "set" }`. Strict on types:
 * `"5"` is not a number and `5.0` from JSON is the integer 5.
 */
export function parseStockChangeRequest(body: unknown): StockChange {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidStockRequestError('Body must be a JSON object { "stock": n, "action": ... }');
  }
  const record = body as Record<string, unknown>;
  return validateStockChange({ action: record.action, amount: record.stock });
}

export function validateIdempotencyKey(key: unknown): string {
  if (
    typeof key !== 'string' ||
    key.length > MAX_IDEMPOTENCY_KEY_LENGTH ||
    !IDEMPOTENCY_KEY_PATTERN.test(key)
  ) {
    throw new InvalidStockRequestError(
      `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters`,
    );
  }
  return key;
}

/** What an Idempotency-Key is bound to: replaying the key with another fingerprint is refused. */
export function idempotencyFingerprint(id: number, change: StockChange): string {
  return `${id}:${change.action}:${change.amount}`;
}
