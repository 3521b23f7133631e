import { jsonBody, parseJsonBody } from '@shop/common';
import { MAX_STOCK, parseProductId, STOCK_ACTIONS, StockAction } from '@shop/contracts';
import { z } from 'zod';
import { InvalidStockRequestError } from './stock-errors';

/** One requested change: `amount` is the body's `stock` figure. */
export interface StockChange {
  action: StockAction;
  amount: number;
}

/** Answer of `StockLedger.apply`. `replayed` is true when an Idempotency-Key returned a stored answer. */
export interface StockChangeResult {
  id: number;
  /** What can be sold after the change: `onHand - held`. */
  stock: number;
  onHand: number;
  held: number;
  version: number;
  replayed: boolean;
}

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
/** Most ids `getMany` accepts in one call (one Lua script reads them all). */
export const MAX_IDS_PER_READ = 1000;

// Visible ASCII only: the key ends up in a Redis key name and in logs.
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]+$/;

function isStockAction(value: unknown): value is StockAction {
  return typeof value === 'string' && (STOCK_ACTIONS as readonly string[]).includes(value);
}

/** `?ids=1,2,3`: distinct ids in the given order, at most MAX_IDS_PER_READ. */
export function parseProductIdList(raw: unknown): number[] {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new InvalidStockRequestError('ids must be a comma-separated list of product ids');
  }
  // Spaces around the commas are a list's formatting, not part of an id: `1, 2` is fine.
  const ids = [...new Set(raw.split(',').map((part) => parseProductId(part.trim(), 'ids')))];
  if (ids.length > MAX_IDS_PER_READ) {
    throw new InvalidStockRequestError(`At most ${MAX_IDS_PER_READ} ids per request`);
  }
  return ids;
}

const STOCK_MESSAGE = `stock must be an integer from 0 to ${MAX_STOCK}`;
const ACTION_MESSAGE = `action must be one of ${STOCK_ACTIONS.join(', ')}`;

const stockChangeBody = jsonBody({
  stock: z
    .number({
      error: (issue) => (issue.input === undefined ? 'stock is required' : STOCK_MESSAGE),
    })
    .int({ error: STOCK_MESSAGE })
    .min(0, { error: STOCK_MESSAGE })
    .max(MAX_STOCK, { error: STOCK_MESSAGE }),
  action: z.enum(STOCK_ACTIONS, {
    error: (issue) => (issue.input === undefined ? 'action is required' : ACTION_MESSAGE),
  }),
});

/**
 * The body of `PUT /products/:id/stock`, `{ stock, action }`: every wrong field named, an unknown
 * field refused, nothing coerced (`"5"` is not 5). Checked with zod rather than a class-validator
 * DTO: the decorator path cost the stock PUT more CPU than the rest of its validation.
 * @throws InvalidStockRequestError naming what is wrong
 */
export function parseStockChangeBody(raw: unknown): StockChange {
  const body = parseJsonBody(
    stockChangeBody,
    raw,
    (message) => new InvalidStockRequestError(message),
  );
  return { action: body.action, amount: body.stock };
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
