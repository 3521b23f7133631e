/** The shared `@elastic/elasticsearch` Client (one per process, closed on shutdown). */
export const ELASTICSEARCH_CLIENT = Symbol('ELASTICSEARCH_CLIENT');

/** Optional `ElasticsearchClientOptions` for that client (`ElasticsearchModule.forRoot`). */
export const ELASTICSEARCH_CLIENT_OPTIONS = Symbol('ELASTICSEARCH_CLIENT_OPTIONS');

/** The read/write alias of the product index (`ShopConfig.PRODUCTS_INDEX_ALIAS`, e.g. `products`). */
export const PRODUCTS_INDEX_ALIAS = Symbol('PRODUCTS_INDEX_ALIAS');

/** Optional `ProductIndexerOptions` for the ProductIndexer provider. */
export const PRODUCT_INDEXER_OPTIONS = Symbol('PRODUCT_INDEXER_OPTIONS');
