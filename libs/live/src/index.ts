// The live stock gateway's logic: the WebSocket protocol, subscriptions, per-product coalescing
// and the per-process fan-out queue on the `stock` exchange. apps/live wires it to sockets.
export { DEFAULT_MAX_BUFFERED_BYTES, LiveConnection, type LiveSocket } from './live-connection';
export { LiveHub, type LiveHubOptions, type StockLevelReader } from './live-hub';
export {
  type LiveClientMessage,
  type LiveErrorMessage,
  LiveProtocolError,
  type LiveServerMessage,
  type LiveStockMessage,
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_LIVE_PRODUCTS,
  parseLiveClientMessage,
  stockMessageOf,
} from './live-protocol';
export { LiveSubscriptions } from './live-subscriptions';
export { DEFAULT_COALESCE_WINDOW_MS, StockCoalescer } from './stock-coalescer';
export { StockFanout, type StockFanoutOptions } from './stock-fanout';
export { parseStockUpdate } from './stock-update';
