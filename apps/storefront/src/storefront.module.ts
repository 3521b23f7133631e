import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SHOP_CONFIG, ShopConfig, ShopConfigModule } from '@shop/config';
import { MetricsModule, ShopLoggerModule } from '@shop/observability';
import { AssetsController } from './assets/assets.controller';
import { ASSETS_DIR, LiveAssets } from './assets/live-assets';
import { FragmentsController } from './fragments/fragments.controller';
import { StorefrontFragments } from './fragments/storefront-fragments';
import { HealthController } from './health/health.controller';
import { PagesController } from './pages/pages.controller';
import { StorefrontPages } from './pages/storefront-pages';
import { ViewRenderer } from './rendering/view-renderer';
import { FormBodyParser } from './shop/form-body';
import { ShopController } from './shop/shop.controller';
import { StorefrontShop } from './shop/storefront-shop';
import { CartClient, CatalogClient, StockClient } from './upstream';
import { VIEWS_DIR } from './views-dir';

/** Peers answer within these or the page degrades (a badge) or answers 503 (the catalog). */
const CATALOG_TIMEOUT_MS = 1500;
const STOCK_TIMEOUT_MS = 1000;
/** Cart writes hold stock in one Redis step: they answer in milliseconds, or something is wrong. */
const CART_TIMEOUT_MS = 3000;
/** A back-in-stock sign-up is one MySQL write. */
const SIGNUP_TIMEOUT_MS = 3000;

@Module({
  imports: [ShopConfigModule, ShopLoggerModule.forApp('storefront'), TerminusModule, MetricsModule],
  controllers: [
    ShopController,
    AssetsController,
    PagesController,
    FragmentsController,
    HealthController,
  ],
  providers: [
    {
      provide: CatalogClient,
      inject: [SHOP_CONFIG],
      useFactory: (config: ShopConfig) =>
        new CatalogClient(config.CATALOG_API_URL, CATALOG_TIMEOUT_MS),
    },
    {
      provide: StockClient,
      inject: [SHOP_CONFIG],
      useFactory: (config: ShopConfig) =>
        new StockClient(config.STOCK_API_URL, STOCK_TIMEOUT_MS, SIGNUP_TIMEOUT_MS),
    },
    {
      provide: CartClient,
      inject: [SHOP_CONFIG],
      useFactory: (config: ShopConfig) => new CartClient(config.STOCK_API_URL, CART_TIMEOUT_MS),
    },
    { provide: LiveAssets, useFactory: () => LiveAssets.load(ASSETS_DIR) },
    {
      provide: ViewRenderer,
      inject: [SHOP_CONFIG, LiveAssets],
      useFactory: (config: ShopConfig, assets: LiveAssets) =>
        new ViewRenderer(VIEWS_DIR, {
          liveScriptUrl: assets.liveScriptUrl,
          lowStockBelow: config.STOREFRONT_LOW_STOCK_BELOW,
        }),
    },
    StorefrontFragments,
    StorefrontPages,
    StorefrontShop,
    FormBodyParser,
  ],
})
export class StorefrontModule {}
