/**
 * What the consumers did, for metrics; every method is optional. `consumer` is the consumer's
 * name (`stock`, `product-search`, ...), not its queue.
 */
export interface SyncOutcomeListener {
  /** Rows offered to MySQL after collapsing a batch per product. */
  stockRows?(outcome: 'applied' | 'stale' | 'unknown_product', count: number): void;
  /** Documents written to Elasticsearch. */
  searchWrites?(consumer: string, operation: 'upsert' | 'remove' | 'in_stock', count: number): void;
  /** Tags purged on Varnish (per call, not per host). */
  purgedTags?(consumer: string, mode: 'hard' | 'soft', count: number): void;
}

/** Calls a listener method without letting a metrics bug fail a message. */
export function notify(action: () => void): void {
  try {
    action();
  } catch {
    // Metrics are best effort.
  }
}
