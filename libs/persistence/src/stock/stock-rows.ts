import type { StockLevel } from '@shop/contracts';
import type { StockRow } from '../schema';

/** One product's stock figure at one version, as a stock event or the Redis ledger has it. */
export interface VersionedStockRow {
  productId: number;
  quantity: number;
  version: number;
  updatedAt: Date | string;
  /** Units held by carts at this version; absent = 0 (events from before holds). */
  held?: number;
}

/**
 * One row per product, the highest version winning (a batch of events may hold several of one
 * product), sorted by product id so concurrent batches lock rows in the same order.
 */
export function latestPerProduct(rows: readonly VersionedStockRow[]): VersionedStockRow[] {
  const latest = new Map<number, VersionedStockRow>();
  for (const row of rows) {
    const seen = latest.get(row.productId);
    if (!seen || row.version > seen.version) latest.set(row.productId, row);
  }
  return [...latest.values()].sort((a, b) => a.productId - b.productId);
}

export function toStockLevel(row: StockRow): StockLevel {
  return {
    id: row.product_id,
    stock: row.quantity,
    onHand: row.on_hand,
    held: row.held,
    version: row.version,
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toDate(value: Date | string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a date: ${String(value)}`);
  return date;
}
