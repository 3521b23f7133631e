import 'reflect-metadata';
import { startShopApp } from '@shop/http';
import { CATALOG_API_ERRORS } from './catalog-api.errors';
import { CatalogApiModule } from './catalog-api.module';

void startShopApp(CatalogApiModule, {
  port: (config) => config.CATALOG_API_PORT,
  errors: CATALOG_API_ERRORS,
  openApi: {
    title: 'Catalog API',
    description: 'Products, categories, search with aggregations, and admin product writes',
  },
});
