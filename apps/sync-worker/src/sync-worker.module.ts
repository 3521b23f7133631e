import { Logger, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ShopConfigModule } from '@shop/config';
import { MessageConsumers, ReliableTransport } from '@shop/messaging';
import { MetricsModule, ShopLoggerModule } from '@shop/observability';
import { PersistenceModule } from '@shop/persistence';
import { BatchLog, observeBatchesWith, SyncMetrics } from '@shop/sync';
import { SyncConsumersModule } from './consumers/sync-consumers.module';
import { HealthController } from './health/health.controller';
import { ReconcileController } from './reconcile/reconcile.controller';
import { ReconcileModule } from './reconcile/reconcile.module';
import { consumerPatterns, parseSyncRoles, type SyncRole } from './sync-roles';
import { SyncMessagingModule } from './sync-messaging.module';
import { SyncMetricsModule } from './sync-metrics.module';
import { SyncStoresModule } from './sync-stores.module';
import { SYNC_ROLES_SELECTED } from './sync-worker.tokens';
import { SyncWorkerService } from './sync-worker.service';

/**
 * The sync worker: the consumers' handlers (SyncConsumersModule) served by ReliableTransport
 * (connected in main.ts), the reconciler, health and metrics over HTTP.
 */
@Module({
  imports: [
    ShopConfigModule,
    ShopLoggerModule.forApp('sync-worker'),
    PersistenceModule.forRoot({ connectionLimit: 5 }),
    SyncStoresModule,
    SyncMessagingModule,
    MetricsModule,
    SyncMetricsModule,
    TerminusModule,
    SyncConsumersModule,
    ReconcileModule.forRoot({ imports: [SyncMetricsModule], reportTo: SyncMetrics }),
  ],
  controllers: [HealthController, ReconcileController],
  providers: [
    {
      provide: SYNC_ROLES_SELECTED,
      useFactory: (): SyncRole[] => parseSyncRoles(process.argv.slice(2), process.env),
    },
    {
      provide: ReliableTransport,
      inject: [MessageConsumers, SyncMetrics, SYNC_ROLES_SELECTED],
      useFactory: (consumers: MessageConsumers, metrics: SyncMetrics, roles: SyncRole[]) =>
        new ReliableTransport(consumers, {
          only: consumerPatterns(roles),
          metrics,
          observer: observeBatchesWith(metrics, new BatchLog(new Logger('SyncBatches'))),
          logger: new Logger('SyncConsumers'),
        }),
    },
    SyncWorkerService,
  ],
})
export class SyncWorkerModule {}
