import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ShopConfigModule } from '@shop/config';
import { CATALOG_EXCHANGE, syncQueuesBoundTo } from '@shop/contracts';
import { MessagingModule } from '@shop/messaging';
import {
  CatalogOutboxRelayService,
  CatalogWriteService,
  CategoryWriteService,
  registerCatalogOutboxMetrics,
} from '@shop/catalog';
import { METRICS_REGISTRY, MetricsModule, ShopLoggerModule } from '@shop/observability';
import { CategoryRepository, OutboxRepository, PersistenceModule } from '@shop/persistence';
import type { Registry } from 'prom-client';
import { ElasticsearchModule } from '@shop/search';
import { AdminCategoriesController } from './admin/admin-categories.controller';
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
    AdminCategoriesController,
    HealthController,
  ],
  providers: [
    CategoryTreeCache,
    CatalogOutboxRelayService,
    CatalogWriteService,
    {
      // A category write in this process drops its copy of the tree at once.
      provide: CategoryWriteService,
      inject: [CategoryRepository, CatalogOutboxRelayService, CategoryTreeCache],
      useFactory: (
        categories: CategoryRepository,
        relay: CatalogOutboxRelayService,
        tree: CategoryTreeCache,
      ): CategoryWriteService => {
        const writes = new CategoryWriteService(categories, relay);
        writes.onChange(tree);
        return writes;
      },
    },
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
