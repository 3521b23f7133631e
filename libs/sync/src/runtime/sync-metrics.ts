import type { BatchObserver, ConsumerMetricsListener, DeadReason } from '@shop/messaging';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SyncOutcomeListener } from '../outcomes';
import { RECONCILE_KINDS, type ReconcileReport } from '../reconcile/reconcile-report';
import type { QueueDepth } from './queue-depth-poller';

/** Every `DeadReason`, so a queue's dead-letter series exist (at 0) before the first one. */
const DEAD_REASONS: readonly DeadReason[] = ['poison', 'retries-exhausted'];

/**
 * The sync worker's Prometheus metrics, registered on the app's registry (GET /metrics). One
 * object is every listener the consumers, the queue poller and the reconciler report to.
 *
 * Consumers, labelled by queue:     sync_messages_{processed,failed,retried}_total,
 *                                   sync_messages_dead_lettered_total{reason}
 * Queue lag (polled), by queue:     sync_queue_messages_ready, sync_queue_messages_retrying,
 *                                   sync_queue_messages_dead, sync_queue_consumers
 * Batches, by consumer:             sync_batch_duration_seconds{outcome}, sync_batch_size
 * What they did:                    sync_stock_rows_total{outcome}, sync_search_writes_total,
 *                                   sync_purged_tags_total{mode}
 * Reconciler, by kind:              sync_reconcile_found / _fixed (last run, gauges),
 *                                   sync_reconcile_found_total / _fixed_total,
 *                                   sync_reconcile_runs_total{outcome},
 *                                   sync_reconcile_last_run_timestamp_seconds,
 *                                   sync_reconcile_last_duration_seconds
 */
export class SyncMetrics implements ConsumerMetricsListener, BatchObserver, SyncOutcomeListener {
  private readonly processedTotal: Counter<'queue'>;
  private readonly failedTotal: Counter<'queue'>;
  private readonly retriedTotal: Counter<'queue'>;
  private readonly deadLetteredTotal: Counter<'queue' | 'reason'>;
  private readonly batchDuration: Histogram<'consumer' | 'outcome'>;
  private readonly batchSize: Histogram<'consumer'>;
  private readonly stockRowsTotal: Counter<'outcome'>;
  private readonly searchWritesTotal: Counter<'consumer' | 'operation'>;
  private readonly purgedTagsTotal: Counter<'consumer' | 'mode'>;
  private readonly queueReady: Gauge<'queue'>;
  private readonly queueRetrying: Gauge<'queue'>;
  private readonly queueDead: Gauge<'queue'>;
  private readonly queueConsumers: Gauge<'queue'>;
  private readonly reconcileFound: Gauge<'kind'>;
  private readonly reconcileFixed: Gauge<'kind'>;
  private readonly reconcileFoundTotal: Counter<'kind'>;
  private readonly reconcileFixedTotal: Counter<'kind'>;
  private readonly reconcileRuns: Counter<'outcome'>;
  private readonly reconcileLastRun: Gauge;
  private readonly reconcileLastDuration: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.processedTotal = new Counter({
      name: 'sync_messages_processed_total',
      help: 'Messages handled and acked',
      labelNames: ['queue'],
      registers,
    });
    this.failedTotal = new Counter({
      name: 'sync_messages_failed_total',
      help: 'Handling attempts that failed (retried or dead-lettered afterwards)',
      labelNames: ['queue'],
      registers,
    });
    this.retriedTotal = new Counter({
      name: 'sync_messages_retried_total',
      help: 'Messages sent to a retry queue',
      labelNames: ['queue'],
      registers,
    });
    this.deadLetteredTotal = new Counter({
      name: 'sync_messages_dead_lettered_total',
      help: 'Messages moved to the dead-letter queue',
      labelNames: ['queue', 'reason'],
      registers,
    });
    this.batchDuration = new Histogram({
      name: 'sync_batch_duration_seconds',
      help: 'Time to handle one batch',
      labelNames: ['consumer', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'sync_batch_size',
      help: 'Messages per handled batch',
      labelNames: ['consumer'],
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
      registers,
    });
    this.stockRowsTotal = new Counter({
      name: 'sync_stock_rows_total',
      help: 'Stock rows offered to MySQL: applied (newer), stale (duplicate or late), unknown_product (deleted)',
      labelNames: ['outcome'],
      registers,
    });
    this.searchWritesTotal = new Counter({
      name: 'sync_search_writes_total',
      help: 'Elasticsearch writes by the consumers',
      labelNames: ['consumer', 'operation'],
      registers,
    });
    this.purgedTagsTotal = new Counter({
      name: 'sync_purged_tags_total',
      help: 'Cache tags purged on Varnish',
      labelNames: ['consumer', 'mode'],
      registers,
    });
    this.queueReady = new Gauge({
      name: 'sync_queue_messages_ready',
      help: 'Messages waiting in the queue (consumer lag)',
      labelNames: ['queue'],
      registers,
    });
    this.queueRetrying = new Gauge({
      name: 'sync_queue_messages_retrying',
      help: 'Messages waiting out a retry delay',
      labelNames: ['queue'],
      registers,
    });
    this.queueDead = new Gauge({
      name: 'sync_queue_messages_dead',
      help: 'Messages in the dead-letter queue',
      labelNames: ['queue'],
      registers,
    });
    this.queueConsumers = new Gauge({
      name: 'sync_queue_consumers',
      help: 'Consumers subscribed to the queue (all worker processes)',
      labelNames: ['queue'],
      registers,
    });
    this.reconcileFound = new Gauge({
      name: 'sync_reconcile_found',
      help: 'Drift found by the last reconciliation',
      labelNames: ['kind'],
      registers,
    });
    this.reconcileFixed = new Gauge({
      name: 'sync_reconcile_fixed',
      help: 'Drift repaired by the last reconciliation',
      labelNames: ['kind'],
      registers,
    });
    this.reconcileFoundTotal = new Counter({
      name: 'sync_reconcile_found_total',
      help: 'Drift found by reconciliations',
      labelNames: ['kind'],
      registers,
    });
    this.reconcileFixedTotal = new Counter({
      name: 'sync_reconcile_fixed_total',
      help: 'Drift repaired by reconciliations',
      labelNames: ['kind'],
      registers,
    });
    this.reconcileRuns = new Counter({
      name: 'sync_reconcile_runs_total',
      help: 'Reconciliations run, by outcome (ok, error)',
      labelNames: ['outcome'],
      registers,
    });
    this.reconcileLastRun = new Gauge({
      name: 'sync_reconcile_last_run_timestamp_seconds',
      help: 'When the last reconciliation finished (Unix time)',
      registers,
    });
    this.reconcileLastDuration = new Gauge({
      name: 'sync_reconcile_last_duration_seconds',
      help: 'How long the last reconciliation took',
      registers,
    });
    // Every kind from the start, so dashboards see zeros rather than gaps.
    for (const kind of RECONCILE_KINDS) {
      this.reconcileFoundTotal.inc({ kind }, 0);
      this.reconcileFixedTotal.inc({ kind }, 0);
    }
  }

  /** Zero series for a queue, so a quiet queue shows 0 rather than nothing. */
  registerQueue(queue: string): void {
    this.processedTotal.inc({ queue }, 0);
    this.failedTotal.inc({ queue }, 0);
    this.retriedTotal.inc({ queue }, 0);
    for (const reason of DEAD_REASONS) this.deadLetteredTotal.inc({ queue, reason }, 0);
  }

  processed(queue: string, count: number): void {
    this.processedTotal.inc({ queue }, count);
  }

  failed(queue: string, count: number): void {
    this.failedTotal.inc({ queue }, count);
  }

  retried(queue: string, count: number): void {
    this.retriedTotal.inc({ queue }, count);
  }

  deadLettered(queue: string, count: number, reason: DeadReason): void {
    this.deadLetteredTotal.inc({ queue, reason }, count);
  }

  batch(name: string, size: number, durationMs: number, outcome: 'ok' | 'error'): void {
    this.batchDuration.observe({ consumer: name, outcome }, durationMs / 1000);
    this.batchSize.observe({ consumer: name }, size);
  }

  stockRows(outcome: 'applied' | 'stale' | 'unknown_product', count: number): void {
    if (count > 0) this.stockRowsTotal.inc({ outcome }, count);
  }

  searchWrites(consumer: string, operation: 'upsert' | 'remove' | 'in_stock', count: number): void {
    if (count > 0) this.searchWritesTotal.inc({ consumer, operation }, count);
  }

  purgedTags(consumer: string, mode: 'hard' | 'soft', count: number): void {
    if (count > 0) this.purgedTagsTotal.inc({ consumer, mode }, count);
  }

  queueDepth(depth: QueueDepth): void {
    this.queueReady.set({ queue: depth.queue }, depth.ready);
    this.queueRetrying.set({ queue: depth.queue }, depth.retrying);
    this.queueDead.set({ queue: depth.queue }, depth.dead);
    this.queueConsumers.set({ queue: depth.queue }, depth.consumers);
  }

  reconciled(report: ReconcileReport): void {
    for (const kind of RECONCILE_KINDS) {
      const { found, fixed } = report.kinds[kind];
      this.reconcileFound.set({ kind }, found);
      this.reconcileFixed.set({ kind }, fixed);
      this.reconcileFoundTotal.inc({ kind }, found);
      this.reconcileFixedTotal.inc({ kind }, fixed);
    }
    this.reconcileRuns.inc({ outcome: report.ok ? 'ok' : 'error' });
    this.reconcileLastRun.set(Date.parse(report.finishedAt) / 1000);
    this.reconcileLastDuration.set(report.durationMs / 1000);
  }
}
