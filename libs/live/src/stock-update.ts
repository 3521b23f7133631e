import { MAX_PRODUCT_ID, MAX_STOCK } from '@shop/contracts';
import type { LiveStockMessage } from './live-protocol';

/**
 * The fields of a `stock` exchange message (StockChangedEvent) the gateway forwards, as a
 * `LiveStockMessage`, or null when the body is not one: a malformed message is dropped (and
 * counted), never sent on to browsers.
 */
export function parseStockUpdate(body: Buffer | string): LiveStockMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { id, stock, version, occurredAt } = value as Record<string, unknown>;
  if (!isInteger(id, 1, MAX_PRODUCT_ID)) return null;
  if (!isInteger(stock, 0, MAX_STOCK)) return null;
  if (!isInteger(version, 0, Number.MAX_SAFE_INTEGER)) return null;
  if (typeof occurredAt !== 'string' || !Number.isFinite(Date.parse(occurredAt))) return null;
  return { type: 'stock', id, stock, version, at: occurredAt };
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
