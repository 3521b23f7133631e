import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { type Logger } from 'pino';
import { SHOP_CONFIG, ShopConfig } from '@shop/config';

/** The app's pino logger: Nest's own lines go through it, and so does the request log. */
export const SHOP_LOGGER = Symbol('SHOP_LOGGER');

/**
 * Lines go to stdout through pino's asynchronous destination: a write in flight collects the lines
 * logged meanwhile into the next one, instead of one blocking write(2) per line (a synchronous
 * line per stock PUT took about a tenth of the stock API's CPU under load). When idle, a line is
 * written at once; pino flushes what is buffered when the process exits; a `kill -9` can lose
 * the lines collected while a write was in flight.
 */
export function createShopLogger(app: string, config: Pick<ShopConfig, 'LOG_LEVEL'>): Logger {
  return pino({ name: app, level: config.LOG_LEVEL }, pino.destination({ dest: 1, sync: false }));
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
