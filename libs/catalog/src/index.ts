// The catalog's write side and its followers: product and category writes (MySQL + outbox, then the relay
// woken), the outbox relay, its metrics, the full reindex from MySQL, and category expansion for
// queries. What other rooms use is exported here.
export { CatalogWriteService } from './catalog-write.service';
export { type CategoryChangeListener, CategoryWriteService } from './category-write.service';
export { CatalogOutboxRelayService } from './catalog-outbox-relay.service';
export { registerCatalogOutboxMetrics } from './catalog-outbox-metrics';
export { CatalogReindexer, type CatalogReindexResult } from './catalog-reindexer';
export { categoryTaxonomy, expandCategorySlugs } from './category-expansion';
