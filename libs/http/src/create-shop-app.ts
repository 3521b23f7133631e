import { Type, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { SHOP_CONFIG, ShopConfig } from '@shop/config';
import { registerRequestLog, SHOP_LOGGER } from '@shop/observability';
import type { Logger as PinoLogger } from 'pino';
import { ErrorStatusMapping } from './error-body';
import { ShopExceptionFilter } from './shop-exception.filter';

export interface ShopAppOptions {
  /** Picks the listening port out of the validated configuration. */
  port: (config: ShopConfig) => number;
  /** Domain errors this app maps to HTTP statuses. */
  errors?: readonly ErrorStatusMapping[];
  /** When set, serves OpenAPI at /docs. */
  openApi?: { title: string; description: string };
}

/** Validation that answers 400 naming the field, and drops nothing silently. */
export function shopValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: true,
  });
}

/** Applies what every app shares; separate from listening so e2e tests can reuse it. */
export function configureShopApp(app: NestFastifyApplication, options: ShopAppOptions): void {
  app.useLogger(app.get(Logger));
  registerRequestLog(app.getHttpAdapter().getInstance(), app.get<PinoLogger>(SHOP_LOGGER));
  app.useGlobalFilters(new ShopExceptionFilter(options.errors ?? []));
  app.useGlobalPipes(shopValidationPipe());
  app.enableShutdownHooks();
  if (options.openApi) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle(options.openApi.title)
        .setDescription(options.openApi.description)
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('docs', app, document);
  }
}

export async function startShopApp(
  module: Type,
  options: ShopAppOptions,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({ bodyLimit: 1024 * 1024 }),
    { bufferLogs: true },
  );
  configureShopApp(app, options);
  const config = app.get<ShopConfig>(SHOP_CONFIG);
  await app.listen(options.port(config), config.HOST);
  return app;
}
