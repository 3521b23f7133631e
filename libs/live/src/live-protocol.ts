import { InvalidProductIdError, parseProductId, type StockLevel } from '@shop/contracts';

/** Most product ids one `subscribe` may name, and one connection may hold at once. */
export const MAX_LIVE_PRODUCTS = 200;

/** Longest client message read; a subscribe of 200 ids of 10 digits is about 2.3 kB. */
export const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

/** What a browser sends on `ws://<front>/live`. */
export type LiveClientMessage =
  | { readonly type: 'subscribe'; readonly products: readonly number[] }
  | { readonly type: 'unsubscribe'; readonly products: readonly number[] };

/** A product's sellable stock as of `version`; `at` is when the ledger applied that version. */
export interface LiveStockMessage {
  readonly type: 'stock';
  readonly id: number;
  readonly stock: number;
  readonly version: number;
  readonly at: string;
}

export interface LiveErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

export type LiveServerMessage = LiveStockMessage | LiveErrorMessage;

/** A client message the gateway refuses; its text goes back as `{"type":"error"}`. */
export class LiveProtocolError extends Error {
  override readonly name = 'LiveProtocolError';
}

const CLIENT_TYPES = new Set(['subscribe', 'unsubscribe']);

/**
 * Reads one text frame from a client. Strict: unknown types, extra fields, duplicate or invalid
 * ids and more than MAX_LIVE_PRODUCTS ids are refused, so a mistake in the page's script shows up
 * at once instead of as a badge that silently never moves.
 * @throws LiveProtocolError
 */
export function parseLiveClientMessage(text: string): LiveClientMessage {
  if (Buffer.byteLength(text) > MAX_CLIENT_MESSAGE_BYTES) {
    throw new LiveProtocolError(`message over ${MAX_CLIENT_MESSAGE_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new LiveProtocolError('message is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LiveProtocolError('message must be a JSON object');
  }
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !CLIENT_TYPES.has(type)) {
    throw new LiveProtocolError('type must be "subscribe" or "unsubscribe"');
  }
  const extra = Object.keys(record).filter((key) => key !== 'type' && key !== 'products');
  if (extra.length > 0) {
    throw new LiveProtocolError(`unknown field ${JSON.stringify(extra[0])}`);
  }
  const products = parseProductList(record.products);
  return type === 'subscribe' ? { type, products } : { type: 'unsubscribe', products };
}

function parseProductList(raw: unknown): number[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new LiveProtocolError('products must be a non-empty array of product ids');
  }
  if (raw.length > MAX_LIVE_PRODUCTS) {
    throw new LiveProtocolError(`products must hold at most ${MAX_LIVE_PRODUCTS} ids`);
  }
  const ids: number[] = [];
  const seen = new Set<number>();
  for (const [index, item] of raw.entries()) {
    let id: number;
    try {
      // Numbers only: a JSON string "1" is a different type in a typed protocol.
      if (typeof item !== 'number') throw new InvalidProductIdError(`products[${index}]`, item);
      id = parseProductId(item, `products[${index}]`);
    } catch (error) {
      if (error instanceof InvalidProductIdError) throw new LiveProtocolError(error.message);
      throw error;
    }
    if (seen.has(id)) throw new LiveProtocolError(`products[${index}] repeats product ${id}`);
    seen.add(id);
    ids.push(id);
  }
  return ids;
}

export function stockMessageOf(level: StockLevel): LiveStockMessage {
  return {
    type: 'stock',
    id: level.id,
    stock: level.stock,
    version: level.version,
    at: level.updatedAt,
  };
}
