import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ShopConfigModule } from '@shop/config';
import { HttpCacheModule } from '@shop/http-cache';
import { MessagingModule } from '@shop/messaging';
import { MetricsModule, ShopLoggerModule } from '@shop/observability';
import { PersistenceModule } from '@shop/persistence';
import { ElasticsearchModule } from '@shop/search';
import { StockModule } from '@shop/stock';
import { HealthController } from './health/health.controller';
import { ReconcileController } from './reconcile/reconcile.controller';
import { SYNC_WORKER_PROVIDERS } from './sync-worker.providers';
import { SyncWorkerService } from './sync-worker.service';

@Module({
  imports: [
    ShopConfigModule,
    ShopLoggerModule.forApp('sync-worker'),
    PersistenceModule.forRoot({ connectionLimit: 5 }),
    ElasticsearchModule,
    StockModule.forRoot(),
    HttpCacheModule,
    MessagingModule.forRoot({ connectionName: 'sync-worker' }),
    MetricsModule,
    TerminusModule,
  ],
  controllers: [HealthController, ReconcileController],
  providers: [...SYNC_WORKER_PROVIDERS, SyncWorkerService],
})
export class SyncWorkerModule {}
