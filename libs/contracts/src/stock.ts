export const STOCK_ACTIONS = ['increment', 'decrement', 'set'] as const;
export type StockAction = (typeof STOCK_ACTIONS)[number];

export const MAX_STOCK = 1_000_000_000;

/** Why a stock figure changed: an admin action, or a restore of the ledger from MySQL. */
export type StockChangeReason = StockAction | 'restore';

/**
 * Body of every message on the `stock` exchange. A superset of the original demo's `{ id, stock }`
 * so that old consumers keep working; no framework envelope.
 */
export interface StockChangedEvent {
  id: number;
  stock: number;
  /** Signed change applied by this event (stock after minus stock before). */
  delta: number;
  /** Per-product version, strictly increasing by one per change. */
  version: number;
  reason: StockChangeReason;
  /** ISO-8601 instant at which the ledger applied the change. */
  occurredAt: string;
}

export interface StockLevel {
  id: number;
  stock: number;
  version: number;
  updatedAt: string;
}
