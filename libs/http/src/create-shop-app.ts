import { Type, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { TestingModule } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import { SHOP_CONFIG, ShopConfig } from '@shop/config';
import {
  METRICS_REGISTRY,
  registerHttpMetrics,
  registerRequestIdHeader,
  registerRequestLog,
  requestIdOf,
  SHOP_LOGGER,
} from '@shop/observability';
import type { Logger as PinoLogger } from 'pino';
import type { Registry } from 'prom-client';
import { ErrorStatusMapping } from './error-body';
import { ignoreContentTypeWithoutBody } from './json-body';
import { ShopExceptionFilter } from './shop-exception.filter';

export interface ShopAppOptions {
  /** Picks the listening port out of the validated configuration. */
  port: (config: ShopConfig) => number;
  /** Domain errors this app maps to HTTP statuses. */
  errors?: readonly ErrorStatusMapping[];
  /** When set, serves OpenAPI at /docs. */
  openApi?: { title: string; description: string };
  /** Runs once the app is configured, before it listens (e.g. to start its microservice). */
  beforeListen?: (app: NestFastifyApplication) => Promise<void>;
}

/**
 * Nest's ValidationPipe with `transform` also coerces a named `@Param`/`@Query` typed `number`
 * with `+value`, before any parameter pipe runs: `1e3` became 1000, `0x10` 16, `%201` 1, so
 * `DELETE /admin/products/1e3` deleted product 1000. Here such values reach their pipe (e.g.
 * ProductIdPipe) as the text the client sent; DTO classes are still transformed as before.
 */
class NoPrimitiveCoercionValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown): unknown {
    return value;
  }
}

/** Validation that answers 400 naming the field, and drops nothing silently. */
export function shopValidationPipe(): ValidationPipe {
  return new NoPrimitiveCoercionValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: true,
  });
}

/** Applies what every app shares; separate from listening so e2e tests can reuse it. */
export function configureShopApp(app: NestFastifyApplication, options: ShopAppOptions): void {
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  ignoreContentTypeWithoutBody(fastify);
  registerRequestIdHeader(fastify);
  registerRequestLog(fastify, app.get<PinoLogger>(SHOP_LOGGER));
  // Every app imports MetricsModule (GET /metrics); this adds the per-route request histogram.
  registerHttpMetrics(fastify, app.get<Registry>(METRICS_REGISTRY));
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

/** Fastify as every app runs it: bodies up to 1 MiB, the request id from `requestIdOf`. */
export function shopFastifyAdapter(): FastifyAdapter {
  // The request id (`request.id`, logged as `req.id`): the caller's valid X-Request-Id or a
  // new one. Fastify's own header option would trust any value, hence genReqId.
  return new FastifyAdapter({ bodyLimit: 1024 * 1024, genReqId: requestIdOf });
}

/**
 * An app from an already compiled module (a Nest `TestingModule` in specs), set up exactly as
 * `startShopApp` sets up a real one, initialised but not listening: requests go through
 * `app.inject`.
 */
export async function initShopApp(
  moduleRef: Pick<TestingModule, 'createNestApplication'>,
  options: ShopAppOptions,
): Promise<NestFastifyApplication> {
  const app = moduleRef.createNestApplication<NestFastifyApplication>(shopFastifyAdapter());
  configureShopApp(app, options);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export async function startShopApp(
  module: Type,
  options: ShopAppOptions,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, shopFastifyAdapter(), {
    bufferLogs: true,
  });
  configureShopApp(app, options);
  await options.beforeListen?.(app);
  const config = app.get<ShopConfig>(SHOP_CONFIG);
  await app.listen(options.port(config), config.HOST);
  return app;
}
