import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import type { Kysely } from 'kysely';
import { probeDependency } from '@shop/observability';
import { Database, InjectDatabase, pingDatabase } from '@shop/persistence';
import { SearchHealth } from '@shop/search';

/**
 * 200 while the catalog can answer: Elasticsearch (reads) and MySQL (writes) respond. RabbitMQ
 * is not a dependency of an answer: writes land in the outbox and wait for the broker.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly search: SearchHealth,
    @InjectDatabase() private readonly db: Kysely<Database>,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => probeDependency(this.indicator, 'elasticsearch', () => this.search.assertUp()),
      () => probeDependency(this.indicator, 'mysql', () => pingDatabase(this.db)),
    ]);
  }
}
