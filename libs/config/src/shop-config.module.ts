import { Global, Inject, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { parseShopConfig, ShopConfig } from './shop-config';

export const SHOP_CONFIG = Symbol('SHOP_CONFIG');

/** Injects the validated, typed configuration: `@InjectShopConfig() config: ShopConfig`. */
export const InjectShopConfig = (): ParameterDecorator => Inject(SHOP_CONFIG);

/**
 * Validates the environment once at start-up (the app refuses to start on a bad value) and
 * exposes it as one typed object. Global because every module of every app reads it.
 */
@Global()
@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      ignoreEnvFile: process.env.NODE_ENV === 'test',
      // Validate only: @nestjs/config writes what validate returns back into process.env, and
      // the parsed form (defaults, arrays) is not what a later parse of process.env expects.
      validate: (env) => {
        parseShopConfig(env as Record<string, string | undefined>);
        return env;
      },
    }),
  ],
  providers: [{ provide: SHOP_CONFIG, useFactory: (): ShopConfig => parseShopConfig(process.env) }],
  exports: [SHOP_CONFIG],
})
export class ShopConfigModule {}
