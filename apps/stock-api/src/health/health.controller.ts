import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import type { RedisClient } from '@shop/redis';
import { probeDependency } from '@shop/observability';
import { LedgerNotReadyError, LedgerUnavailableError, STOCK_REDIS, StockLedger } from '@shop/stock';

/**
 * 200 while stock can be read and changed: Redis answers and the ledger has been restored from
 * MySQL. RabbitMQ is not needed for an answer: changes wait in the Redis outbox for the broker.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(STOCK_REDIS) private readonly redis: RedisClient,
    private readonly ledger: StockLedger,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => probeDependency(this.indicator, 'redis', () => this.redis.ping()),
      () =>
        probeDependency(this.indicator, 'ledger', () => this.ledger.assertReady(), 2000, [
          LedgerNotReadyError,
          LedgerUnavailableError,
        ]),
    ]);
  }
}
