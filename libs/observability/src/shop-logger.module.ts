import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { type Logger } from 'pino';
import { SHOP_CONFIG, ShopConfig } from '@shop/config';

/** The app's pino logger: Nest's own lines go through it, and so does the request log. */
export const SHOP_LOGGER = Symbol('SHOP_LOGGER');

/**
 * How pino's asynchronous destination writes: lines collect in memory until 4 KB are held (about
 * ten request lines) or 200 ms have passed, then go out in one write. Against pino's default (a
 * write whenever none is in flight), measured in `bench:checkout` on two shared cores in eight
 * alternated pairs of runs: in seven the stock API used 665–790 µs of CPU per order against
 * 760–1,000 and placed 9–48 % more orders a second (the eighth was disturbed). pino writes what
 * is held when the process exits, also after an uncaught exception; a `kill -9` loses what was
 * held (at most 4 KB, the last 200 ms).
 */
export const SHOP_LOG_DESTINATION = {
  sync: false,
  minLength: 4096,
  periodicFlush: 200,
} as const;

/** The app's logger, writing JSON lines to `dest` (stdout unless a test names a file). */
export function createShopLogger(
  app: string,
  config: Pick<ShopConfig, 'LOG_LEVEL'>,
  dest: number | string = 1,
): Logger {
  return pino(
    { name: app, level: config.LOG_LEVEL },
    pino.destination({ dest, ...SHOP_LOG_DESTINATION }),
  );
}

/**
 * JSON logs (pino) with the app's name on every line. No line carries request headers, so
 * credentials never reach a log file. Requests are logged by
 * `registerRequestLog` (request-log.ts, wired by @shop/http), not by nestjs-pino's pino-http
 * middleware: that one serializes every request into a child logger and routes every request
 * through Nest's middleware layer, which took 40 % of the stock API's CPU time per PUT.
 */
@Module({})
export class ShopLoggerModule {
  static forApp(app: string): DynamicModule {
    const pinoModule: DynamicModule = {
      module: class ShopPinoModule {},
      providers: [
        {
          provide: SHOP_LOGGER,
          inject: [SHOP_CONFIG],
          useFactory: (config: ShopConfig): Logger => createShopLogger(app, config),
        },
      ],
      exports: [SHOP_LOGGER],
    };
    return {
      module: ShopLoggerModule,
      imports: [
        pinoModule,
        LoggerModule.forRootAsync({
          imports: [pinoModule],
          inject: [SHOP_LOGGER],
          useFactory: (logger: Logger) => ({
            pinoHttp: { logger },
            // No route gets the pino-http middleware (see the class comment).
            forRoutes: [],
          }),
        }),
      ],
      exports: [LoggerModule, pinoModule],
    };
  }
}
