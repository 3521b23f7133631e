import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { AmqpHealthIndicator, MessagingError, ReliableTransport } from '@shop/messaging';
import { probeDependency } from '@shop/observability';
import { InjectDatabase, pingDatabase, type Database } from '@shop/persistence';
import { SearchHealth } from '@shop/search';
import { STOCK_REDIS } from '@shop/stock';
import type { RedisClient } from '@shop/redis';
import type { Kysely } from 'kysely';

/** 200 while the worker can do its job: every store answers and every consumer is subscribed. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly amqp: AmqpHealthIndicator,
    private readonly search: SearchHealth,
    private readonly transport: ReliableTransport,
    @InjectDatabase() private readonly db: Kysely<Database>,
    @Inject(STOCK_REDIS) private readonly redis: RedisClient,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.amqp.check('rabbitmq'),
      () => probeDependency(this.indicator, 'mysql', () => pingDatabase(this.db)),
      () => probeDependency(this.indicator, 'redis', () => this.redis.ping()),
      () => probeDependency(this.indicator, 'elasticsearch', () => this.search.assertUp()),
      () =>
        probeDependency(this.indicator, 'consumers', () => this.transport.assertConsuming(), 2000, [
          MessagingError,
        ]),
    ]);
  }
}
