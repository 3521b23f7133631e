export * from './shop-logger.module';
export * from './metrics';
export * from './dependency-probe';
