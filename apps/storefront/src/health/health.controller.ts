import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { probeDependency } from '@shop/observability';
import { CatalogClient, StockClient } from '../upstream';

/**
 * Healthy when both APIs the pages read answer their own /health. Varnish probes this: while a
 * peer is down it marks the storefront sick and serves cached pages (grace) instead of 503 pages.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly catalog: CatalogClient,
    private readonly stock: StockClient,
  ) {}

  @Get()
  @HealthCheck() // also sends Cache-Control: no-cache, no-store
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => probeDependency(this.indicators, 'catalog-api', () => this.catalog.health()),
      () => probeDependency(this.indicators, 'stock-api', () => this.stock.health()),
    ]);
  }
}
