export type StockState = 'in-stock' | 'out-of-stock' | 'unknown';

export interface StockBadge {
  state: StockState;
  label: string;
  /** Units on hand when known. */
  stock: number | null;
}

/**
 * The badge for a stock level; null means the ledger does not know the product (nothing to sell),
 * undefined means we could not ask it.
 */
export function stockBadge(level: { stock: number } | null | undefined): StockBadge {
  if (level === undefined) return { state: 'unknown', label: 'Stock unavailable', stock: null };
  if (level === null || level.stock <= 0) {
    return { state: 'out-of-stock', label: 'Out of stock', stock: 0 };
  }
  return { state: 'in-stock', label: `In stock (${level.stock})`, stock: level.stock };
}
