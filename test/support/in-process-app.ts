import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import { initShopApp } from '@shop/http';

type ShopAppOptions = Parameters<typeof initShopApp>[1];

/** A provider the spec replaces, e.g. one that reads build output the spec made itself. */
export interface ProviderOverride {
  provide: Type | string | symbol;
  useValue: unknown;
}

/**
 * An app's module with the given configuration, set up as the app runs it (pipes, guard, error
 * mapping, request ids) but not listening: the controller specs send requests with `app.inject`.
 */
export async function startInProcessApp(
  module: Type,
  config: ShopConfig,
  options: ShopAppOptions,
  overrides: readonly ProviderOverride[] = [],
): Promise<NestFastifyApplication> {
  let builder = Test.createTestingModule({ imports: [module] })
    .overrideProvider(SHOP_CONFIG)
    .useValue(config);
  for (const { provide, useValue } of overrides) {
    builder = builder.overrideProvider(provide).useValue(useValue);
  }
  return initShopApp(await builder.compile(), options);
}

/** Headers of an admin JSON request for that configuration's token. */
export function adminJsonHeaders(config: ShopConfig): Record<string, string> {
  return { authorization: `Bearer ${config.ADMIN_TOKEN}`, 'content-type': 'application/json' };
}
