// Live prices in Redis (Lua, atomic, versioned) with their scheduled sales. Events go through the
// stock ledger's outbox and relay onto the `price` exchange.
export { PriceKeys } from './price-keys';
export {
  effectivePriceCents,
  fromCents,
  nextTransitionAt,
  parseMoney,
  parsePriceChange,
  saleRunsAt,
  type PriceChange,
  type PriceState,
  type SaleChange,
} from './price-change';
export { InvalidPriceRequestError, PriceConflictError, PriceNotFoundError } from './price-errors';
export {
  PriceBook,
  mysqlPriceBase,
  toPriceBase,
  toProductPrice,
  type PriceBaseRow,
  type PriceBaseSource,
  type PriceBookOptions,
  type PriceTransition,
  type StoredPrice,
} from './price-book';
export { PriceScheduler, type PriceSchedulerOptions } from './price-scheduler';
