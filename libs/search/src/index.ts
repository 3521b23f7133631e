// Elasticsearch, in two rooms: indexing/ (the index definition, the one product-document builder,
// the writer with its zero-downtime reindex) and query/ (search bodies, response parsing, the
// reader). What other rooms use is exported here; the rest stays inside the lib.
export {
  createElasticsearchClient,
  ElasticsearchModule,
  type ElasticsearchClientOptions,
} from './elasticsearch.module';
export {
  ELASTICSEARCH_CLIENT,
  PRODUCT_INDEXER_OPTIONS,
  PRODUCTS_INDEX_ALIAS,
} from './search.tokens';
export {
  BulkIndexingError,
  isSearchUnavailable,
  SearchPageOutOfRangeError,
  SearchUnavailableError,
} from './search-errors';
export { SearchHealth } from './search-health';
export { toProductDocument } from './indexing/product-document';
export {
  ProductIndexer,
  type ProductIndexerOptions,
  type StockFlag,
} from './indexing/product-indexer';
export {
  buildProductSearchBody,
  FLAT_TAXONOMY,
  PRICE_RANGE_KEYS,
  PRICE_RANGES,
  type CategoryTaxonomy,
} from './query/build-product-search-body';
export { ProductSearch } from './query/product-search';
