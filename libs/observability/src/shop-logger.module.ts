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
            },
          }),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
