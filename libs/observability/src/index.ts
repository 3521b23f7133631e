export * from './shop-logger.module';
export * from './request-log';
export * from './metrics';
export * from './dependency-probe';
export * from './request-id';
export * from './http-metrics';
export * from './scraped-gauge';
