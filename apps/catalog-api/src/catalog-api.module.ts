import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ShopConfigModule } from '@shop/config';
import { MessagingModule } from '@shop/messaging';
import { ShopLoggerModule } from '@shop/observability';
import { PersistenceModule } from '@shop/persistence';
import { ElasticsearchModule } from '@shop/search';
import { AdminProductsController } from './admin/admin-products.controller';
import { CatalogOutboxRelayService } from './admin/catalog-outbox-relay.service';
import { CategoriesController } from './categories/categories.controller';
import { CategoryTreeCache } from './categories/category-tree.cache';
import { HealthController } from './health/health.controller';
import { ProductsController } from './products/products.controller';

@Module({
  imports: [
    ShopConfigModule,
    ShopLoggerModule.forApp('catalog-api'),
    PersistenceModule.forRoot(),
    ElasticsearchModule,
    MessagingModule.forRoot({ connectionName: 'catalog-api' }),
    TerminusModule,
  ],
  controllers: [
    ProductsController,
    CategoriesController,
    AdminProductsController,
    HealthController,
  ],
  providers: [CategoryTreeCache, CatalogOutboxRelayService],
})
export class CatalogApiModule {}
