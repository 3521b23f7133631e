export const STOCK_ACTIONS = ['increment', 'decrement', 'set'] as const;
export type StockAction = (typeof STOCK_ACTIONS)[number];

export const MAX_STOCK = 1_000_000_000;

/**
 * Why a stock figure changed: an admin action on on-hand (`increment`, `decrement`, `set`: the
 * original demo's names, kept so existing consumers keep reading them), a cart's `hold`, a hold
 * going back (`release`: the cart expired, a line was lowered or removed, or the ledger was
 * rebuilt without the carts that held it), an `order` (a checkout turned holds into a sale), or a
 * `restore` of the ledger from MySQL.
 */
export type StockChangeReason = StockAction | 'restore' | 'hold' | 'release' | 'order';

/**
 * Body of every message on the `stock` exchange. A superset of the original demo's `{ id, stock }`
 * so that old consumers keep working; no framework envelope.
 */
export interface StockChangedEvent {
  id: number;
  /** What can still be sold: on hand minus live holds. */
  stock: number;
  /** Signed change of `stock` by this event (stock after minus stock before). */
  delta: number;
  /** Per-product version, strictly increasing by one per change. */
  version: number;
  reason: StockChangeReason;
  /** ISO-8601 instant at which the ledger applied the change. */
  occurredAt: string;
  /**
   * Units in the warehouse, and units of it held by open carts (`stock = onHand - held`).
   * Absent on events published before holds existed: there, on hand was `stock` and held 0.
   */
  onHand?: number;
  held?: number;
}

export interface StockLevel {
  id: number;
  /** What can still be sold: `onHand - held`. */
  stock: number;
  version: number;
  updatedAt: string;
  /**
   * Units in the warehouse and units of them held by open carts. The ledger and MySQL always
   * give them; optional so that figures from before holds (on hand = stock) still fit.
   */
  onHand?: number;
  held?: number;
}
