import { Registry } from 'prom-client';
import { registerStockOutboxMetrics, type StockOutboxMetricsSource } from './stock-outbox-metrics';
import type { StockOutboxRelayStats } from './stock-outbox-relay';

describe('registerStockOutboxMetrics', () => {
  it('reports backlog, relay lag, leadership and publish totals at scrape time', async () => {
    const registry = new Registry();
    let pending = 4;
    let oldest: Date | null = new Date(10_000);
    let stats: StockOutboxRelayStats = {
      running: true,
      leader: true,
      leases: 1,
      published: 10,
      failed: 2,
      rounds: 3,
    };
    const relay: StockOutboxMetricsSource = {
      pendingCount: () => Promise.resolve(pending),
      oldestPendingAt: () => Promise.resolve(oldest),
      stats: () => stats,
    };
    registerStockOutboxMetrics(registry, relay, () => 12_500);

    let text = await registry.metrics();
    expect(text).toContain('stock_outbox_pending_events 4');
    expect(text).toContain('stock_outbox_oldest_pending_age_seconds 2.5');
    expect(text).toContain('stock_outbox_relay_leader 1');
    expect(text).toContain('stock_outbox_published_total 10');
    expect(text).toContain('stock_outbox_publish_failures_total 2');

    pending = 0;
    oldest = null;
    stats = { ...stats, leader: false, leases: 0, published: 15 };
    text = await registry.metrics();
    expect(text).toContain('stock_outbox_pending_events 0');
    expect(text).toContain('stock_outbox_oldest_pending_age_seconds 0');
    expect(text).toContain('stock_outbox_relay_leader 0');
    // A counter: it accrues what the relay did since the last scrape, never counts twice.
    expect(text).toContain('stock_outbox_published_total 15');
    expect(text).toContain('stock_outbox_publish_failures_total 2');
  });
});
