import { Module } from '@nestjs/common';
import { METRICS_REGISTRY, MetricsModule } from '@shop/observability';
import { SyncMetrics } from '@shop/sync';
import type { Registry } from 'prom-client';

/** The worker's Prometheus metrics (`sync_*`), on the app's registry (GET /metrics). */
@Module({
  imports: [MetricsModule],
  providers: [
    {
      provide: SyncMetrics,
      inject: [METRICS_REGISTRY],
      useFactory: (registry: Registry) => new SyncMetrics(registry),
    },
  ],
  exports: [SyncMetrics],
})
export class SyncMetricsModule {}
