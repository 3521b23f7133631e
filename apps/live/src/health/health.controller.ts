import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import type { RedisClient } from '@shop/redis';
import { AmqpHealthIndicator, MessagingError } from '@shop/messaging';
import { probeDependency } from '@shop/observability';
import { STOCK_REDIS } from '@shop/stock';
import { LiveStockService } from '../live-stock.service';

/**
 * 200 while the gateway can do its job: RabbitMQ connected with this process's queue consumed
 * (changes arrive), and Redis answering (subscribes get current figures).
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly amqp: AmqpHealthIndicator,
    private readonly live: LiveStockService,
    @Inject(STOCK_REDIS) private readonly redis: RedisClient,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.amqp.check('rabbitmq'),
      () =>
        probeDependency(
          this.indicator,
          'stock-queue',
          () => this.live.fanout.assertConsuming(),
          2000,
          [MessagingError],
        ),
      () => probeDependency(this.indicator, 'redis', () => this.redis.ping()),
    ]);
  }
}
