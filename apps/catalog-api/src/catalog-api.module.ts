import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ShopConfigModule } from '@shop/config';
import { CATALOG_EXCHANGE, syncQueuesBoundTo } from '@shop/contracts';
import { MessagingModule } from '@shop/messaging';
import {
  CatalogOutboxRelayService,
  CatalogWriteService,
  registerCatalogOutboxMetrics,
} from '@shop/catalog';
import { METRICS_REGISTRY, MetricsModule, ShopLoggerModule } from '@shop/observability';
import { OutboxRepository, PersistenceModule } from '@shop/persistence';
import type { Registry } from 'prom-client';
import { ElasticsearchModule } from '@shop/search';
import { AdminProductsController } from './admin/admin-products.controller';
import { CategoriesController } from './categories/categories.controller';
import { CategoryTreeCache } from './categories/category-tree.cache';
import { HealthController } from './health/health.controller';
import { ProductsController } from './products/products.controller';

const CATALOG_OUTBOX_METRICS = Symbol('CATALOG_OUTBOX_METRICS');

@Module({
  imports: [
    ShopConfigModule,
    ShopLoggerModule.forApp('catalog-api'),
    PersistenceModule.forRoot(),
    ElasticsearchModule,
    MessagingModule.forRoot({
      connectionName: 'catalog-api',
      declareQueues: syncQueuesBoundTo(CATALOG_EXCHANGE),
    }),
    TerminusModule,
    MetricsModule,
  ],
  controllers: [
    ProductsController,
    CategoriesController,
    AdminProductsController,
    HealthController,
  ],
  providers: [
    CategoryTreeCache,
    CatalogOutboxRelayService,
    CatalogWriteService,
    {
      // Registers the outbox backlog gauges on GET /metrics; nothing injects it.
      provide: CATALOG_OUTBOX_METRICS,
      inject: [METRICS_REGISTRY, OutboxRepository],
      useFactory: (registry: Registry, outbox: OutboxRepository): true => {
        registerCatalogOutboxMetrics(registry, outbox);
        return true;
      },
    },
  ],
})
export class CatalogApiModule {}
