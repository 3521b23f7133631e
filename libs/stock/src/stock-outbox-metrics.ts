import { scrapedGauge } from '@shop/observability';
import { Counter, type Registry } from 'prom-client';
import type { StockOutboxRelays } from './stock-outbox-relays';

export type StockOutboxMetricsSource = Pick<
  StockOutboxRelays,
  'pendingCount' | 'oldestPendingAt' | 'stats'
>;

/**
 * The stock outbox on the stock API's /metrics, read at scrape time:
 *
 *   stock_outbox_pending_events              entries not yet confirmed by the broker (backlog)
 *   stock_outbox_oldest_pending_age_seconds  age of the oldest of them (relay lag; 0 when empty)
 *   stock_outbox_relay_leader                outbox shards whose relay lease this process holds
 *                                            (1 or 0 with one shard)
 *   stock_outbox_published_total             entries this process published (confirmed)
 *   stock_outbox_publish_failures_total      entries whose publish failed in a round (retried)
 *
 * With several stock-api processes, the backlog gauges are the same figure on each (the same
 * streams); the counters are per process. With several shards, every figure covers all of them.
 */
export function registerStockOutboxMetrics(
  registry: Registry,
  relay: StockOutboxMetricsSource,
  now: () => number = Date.now,
): void {
  scrapedGauge({
    registry,
    name: 'stock_outbox_pending_events',
    help: 'Stock change events in the Redis outbox, not yet confirmed by RabbitMQ',
    read: () => relay.pendingCount(),
  });
  scrapedGauge({
    registry,
    name: 'stock_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest event in the stock outbox (0 when empty): the relay lag',
    read: async () => {
      const oldest = await relay.oldestPendingAt();
      return oldest ? Math.max(0, (now() - oldest.getTime()) / 1000) : 0;
    },
  });
  scrapedGauge({
    registry,
    name: 'stock_outbox_relay_leader',
    help: 'Outbox shards whose relay lease this process holds (publishes); 1 or 0 with one shard',
    read: () => Promise.resolve(relay.stats().leases),
  });
  // The relay keeps running totals; each scrape adds what accrued since the last one.
  const seen = { published: 0, failed: 0 };
  new Counter({
    name: 'stock_outbox_published_total',
    help: 'Stock outbox entries published and confirmed by this process',
    registers: [registry],
    collect() {
      const { published } = relay.stats();
      this.inc(Math.max(0, published - seen.published));
      seen.published = published;
    },
  });
  new Counter({
    name: 'stock_outbox_publish_failures_total',
    help: 'Stock outbox entries whose publish failed in a round (kept and retried)',
    registers: [registry],
    collect() {
      const { failed } = relay.stats();
      this.inc(Math.max(0, failed - seen.failed));
      seen.failed = failed;
    },
  });
}
