export * from './shop-config';
export * from './shop-config.module';
