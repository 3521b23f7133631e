export * from './catalog-outbox-relay';
export * from './category-expansion';
export * from './product-documents';
export * from './catalog-reindexer';
export * from './catalog-outbox-metrics';
