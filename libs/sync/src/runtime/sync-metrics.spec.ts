import { Registry } from 'prom-client';
import { emptyCounts, type ReconcileReport } from '../reconcile/reconcile-report';
import { SyncMetrics } from './sync-metrics';

describe('SyncMetrics', () => {
  it('exposes consumer counters, queue lag and reconciler findings', async () => {
    const registry = new Registry();
    const metrics = new SyncMetrics(registry);
    metrics.registerQueue('sync.stock');
    metrics.processed('sync.stock', 500);
    metrics.failed('sync.stock', 2);
    metrics.retried('sync.stock', 1);
    metrics.deadLettered('sync.stock', 1, 'poison');
    metrics.batch('stock', 500, 42, 'ok');
    metrics.stockRows('applied', 480);
    metrics.queueDepth({
      queue: 'sync.stock',
      ready: 12,
      retrying: 1,
      dead: 3,
      consumers: 2,
    });
    const kinds = emptyCounts();
    kinds['stock.redisNewer'] = { found: 3, fixed: 3 };
    const report: ReconcileReport = {
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:00:01.500Z',
      durationMs: 1500,
      checked: { stock: 10, price: 0, search: 10 },
      kinds,
      errors: [],
      ok: true,
    };
    metrics.reconciled(report);

    const text = await registry.metrics();
    expect(text).toContain('sync_messages_processed_total{queue="sync.stock"} 500');
    expect(text).toContain('sync_messages_failed_total{queue="sync.stock"} 2');
    expect(text).toContain('sync_messages_retried_total{queue="sync.stock"} 1');
    expect(text).toContain(
      'sync_messages_dead_lettered_total{queue="sync.stock",reason="poison"} 1',
    );
    expect(text).toContain('sync_queue_messages_ready{queue="sync.stock"} 12');
    expect(text).toContain('sync_queue_messages_dead{queue="sync.stock"} 3');
    expect(text).toContain('sync_stock_rows_total{outcome="applied"} 480');
    expect(text).toContain('sync_reconcile_found{kind="stock.redisNewer"} 3');
    expect(text).toContain('sync_reconcile_fixed_total{kind="stock.redisNewer"} 3');
    expect(text).toContain('sync_reconcile_found_total{kind="search.stale"} 0');
    expect(text).toContain('sync_reconcile_runs_total{outcome="ok"} 1');
    expect(text).toContain('sync_reconcile_last_run_timestamp_seconds 1735689601.5');
    expect(text).toContain('sync_batch_size_count{consumer="stock"} 1');
  });
});
