import 'reflect-metadata';
import { startShopApp } from '@shop/http';
import { SyncWorkerModule } from './sync-worker.module';

// `node dist/apps/sync-worker/src/main.js [--only stock-mysql,product-search]`; see @shop/sync.
void startShopApp(SyncWorkerModule, {
  port: (config) => config.SYNC_WORKER_PORT,
  openApi: {
    title: 'Sync worker',
    description: 'Health, Prometheus metrics and on-demand reconciliation of the sync worker',
  },
});
