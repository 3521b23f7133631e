import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { SHOP_CONFIG, ShopConfig } from '@shop/config';

/**
 * JSON logs (pino) with the app's name on every line, request logging without health-check
 * noise, and credentials redacted so a log file can be shared when debugging an incident.
 */
@Module({})
export class ShopLoggerModule {
  static forApp(app: string): DynamicModule {
    return {
      module: ShopLoggerModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [SHOP_CONFIG],
          useFactory: (config: ShopConfig) => ({
            pinoHttp: {
              name: app,
              level: config.LOG_LEVEL,
              redact: ['req.headers.authorization', 'req.headers.cookie'],
              autoLogging: {
                ignore: (req) => req.url === '/health' || req.url === '/metrics',
              },
              // A line per successful request costs a sale-day rush a good share of its
              // throughput: successes log at debug, client errors at warn, failures at error.
              customLogLevel: (_req, res, error) =>
                error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug',
            },
          }),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
