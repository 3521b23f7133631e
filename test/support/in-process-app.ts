import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import { initShopApp } from '@shop/http';

type ShopAppOptions = Parameters<typeof initShopApp>[1];

/**
 * An app's module with the given configuration, set up as the app runs it (pipes, guard, error
 * mapping, request ids) but not listening: the controller specs send requests with `app.inject`.
 */
export async function startInProcessApp(
  module: Type,
  config: ShopConfig,
  options: ShopAppOptions,
): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [module] })
    .overrideProvider(SHOP_CONFIG)
    .useValue(config)
    .compile();
  return initShopApp(moduleRef, options);
}

/** Headers of an admin JSON request for that configuration's token. */
export function adminJsonHeaders(config: ShopConfig): Record<string, string> {
  return { authorization: `Bearer ${config.ADMIN_TOKEN}`, 'content-type': 'application/json' };
}
