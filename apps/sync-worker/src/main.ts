import 'reflect-metadata';
import { startShopApp } from '@shop/http';
import { connectReliableTransport, ReliableTransport } from '@shop/messaging';
import { SyncWorkerModule } from './sync-worker.module';

// `node dist/apps/sync-worker/src/main.js [--only stock,product-search]`: see sync-roles.ts.
void startShopApp(SyncWorkerModule, {
  port: (config) => config.SYNC_WORKER_PORT,
  openApi: {
    title: 'Sync worker',
    description: 'Health, Prometheus metrics and on-demand reconciliation of the sync worker',
  },
  // The consumers (the @EventPattern handlers of consumers/) run on our RabbitMQ transport.
  beforeListen: async (app) => {
    connectReliableTransport(app, app.get(ReliableTransport));
    await app.startAllMicroservices();
  },
});
