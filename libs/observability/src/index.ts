export * from './shop-logger.module';
export * from './request-log';
export * from './metrics';
export * from './dependency-probe';
