// Logs, metrics, request ids and health probes for every app. Exported: what other rooms use.
export { probeDependency } from './dependency-probe';
export { registerHttpMetrics } from './http-metrics';
export { METRICS_REGISTRY, MetricsModule } from './metrics';
export { registerRequestIdHeader, requestIdOf } from './request-id';
export { registerRequestLog } from './request-log';
export { scrapedGauge } from './scraped-gauge';
export { SHOP_LOGGER, ShopLoggerModule } from './shop-logger.module';
