import { startShopApp } from '@shop/http';
import { StorefrontModule } from './storefront.module';

void startShopApp(StorefrontModule, { port: (config) => config.STOREFRONT_PORT });
