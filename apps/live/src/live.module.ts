import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SHOP_CONFIG, ShopConfigModule, type ShopConfig } from '@shop/config';
import { AmqpConnection, AmqpHealthIndicator } from '@shop/messaging';
import { MetricsModule, ShopLoggerModule } from '@shop/observability';
import { StockModule } from '@shop/stock';
import { HealthController } from './health/health.controller';
import { LiveMetrics } from './live-metrics';
import { LiveStockService } from './live-stock.service';
import { LiveGateway } from './live.gateway';

/**
 * The live gateway: reads figures from the stock ledger (Redis, read only: no relay, no
 * restore) and consumes the `stock` exchange on a queue of its own. Only the connection and its
 * health check of the messaging lib: it publishes nothing, so MessagingModule's publisher would
 * be an idle channel.
 */
@Module({
  imports: [
    ShopConfigModule,
    ShopLoggerModule.forApp('live'),
    StockModule.forRoot(),
    MetricsModule,
    TerminusModule,
  ],
  controllers: [HealthController],
  providers: [
    {
      provide: AmqpConnection,
      inject: [SHOP_CONFIG],
      useFactory: (config: ShopConfig) =>
        new AmqpConnection({ url: config.AMQP_URL, name: 'live' }),
    },
    {
      provide: AmqpHealthIndicator,
      inject: [AmqpConnection],
      useFactory: (connection: AmqpConnection) => new AmqpHealthIndicator(connection),
    },
    LiveMetrics,
    LiveStockService,
    LiveGateway,
  ],
})
export class LiveModule {}
