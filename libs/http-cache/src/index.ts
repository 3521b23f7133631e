export * from './cache-tags';
export * from './cache-headers';
export * from './purge-plan';
export * from './varnish-purger';
export * from './settling-purger';
export * from './http-cache.module';
