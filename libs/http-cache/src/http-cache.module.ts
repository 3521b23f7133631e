import { Module, type DynamicModule } from '@nestjs/common';
import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import { VARNISH_PURGER_OPTIONS, VarnishPurger, type VarnishPurgerOptions } from './varnish-purger';

/**
 * Provides `VarnishPurger` (injectable by class). Plain import: purges `VARNISH_PURGE_URLS` of
 * the global ShopConfigModule. `HttpCacheModule.forRoot({...})`: other options, merged over those
 * URLs.
 */
@Module({
  providers: [
    {
      provide: VARNISH_PURGER_OPTIONS,
      inject: [SHOP_CONFIG],
      useFactory: (config: ShopConfig): VarnishPurgerOptions => ({
        urls: config.VARNISH_PURGE_URLS,
      }),
    },
    VarnishPurger,
  ],
  exports: [VarnishPurger],
})
export class HttpCacheModule {
  static forRoot(options: Partial<VarnishPurgerOptions> = {}): DynamicModule {
    return {
      module: HttpCacheModule,
      providers: [
        {
          provide: VARNISH_PURGER_OPTIONS,
          inject: [SHOP_CONFIG],
          useFactory: (config: ShopConfig): VarnishPurgerOptions => ({
            urls: config.VARNISH_PURGE_URLS,
            ...options,
          }),
        },
        VarnishPurger,
      ],
      exports: [VarnishPurger],
    };
  }
}
