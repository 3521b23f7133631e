// The stock ledger in Redis (Lua, atomic, versioned), its outbox relay to RabbitMQ, its restore
// from MySQL and its metrics. What other rooms use is exported here; the scripts, key layout
// details and outbox parsing stay inside.
export {
  DEFAULT_STOCK_KEY_PREFIX,
  isValidKeyPrefix,
  isValidShardCount,
  MAX_STOCK_SHARDS,
  shardHashTag,
  StockKeys,
  StockShardKeys,
} from './stock-keys';
// The level arithmetic (on hand, held, sellable) that the cart scripts share with the ledger's.
export { STOCK_LEVEL_LUA } from './stock-scripts';
export type { OutboxMessageBody, StockOutgoingMessage } from './stock-outbox';
export {
  HeldStockError,
  IdempotencyKeyReusedError,
  InsufficientStockError,
  InvalidStockRequestError,
  LedgerNotReadyError,
  LedgerUnavailableError,
  StockLimitError,
  StockNotFoundError,
} from './stock-errors';
export { parseProductIdList, parseStockChangeBody, validateIdempotencyKey } from './stock-change';
export {
  StockLedger,
  type StockLedgerOptions,
  type StockRestoreResult,
  type StockRestoreRow,
  type StockSnapshotPage,
} from './stock-ledger';
export { ProductIdRegistry } from './product-id-registry';
export { IdempotencyClaims, type ClaimOutcome } from './idempotency-claims';
export {
  StockLedgerRestorer,
  type StockLedgerRestorerOptions,
  type StockRestoreReport,
  type StockRestoreSource,
} from './stock-ledger-restorer';
export { StockOutboxRelay, type StockOutboxRelayOptions } from './stock-outbox-relay';
export { StockOutboxRelays } from './stock-outbox-relays';
export {
  STOCK_EVENT_PUBLISHER,
  STOCK_REDIS,
  STOCK_RESTORE_SOURCE,
  StockModule,
  type StockModuleOptions,
} from './stock.module';
export { MysqlStockRestoreSource } from './mysql-stock-restore-source';
export { PublishedStockEvents, type StockBarrierTransport } from './published-stock-events';
export { registerStockOutboxMetrics } from './stock-outbox-metrics';
