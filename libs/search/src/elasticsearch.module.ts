import { Client, ClusterConnectionPool } from '@elastic/elasticsearch';
import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import { ProductIndexer, type ProductIndexerOptions } from './indexing/product-indexer';
import { ProductSearch } from './query/product-search';
import { SearchHealth } from './search-health';
import {
  ELASTICSEARCH_CLIENT,
  ELASTICSEARCH_CLIENT_OPTIONS,
  PRODUCT_INDEXER_OPTIONS,
  PRODUCTS_INDEX_ALIAS,
} from './search.tokens';

export interface ElasticsearchClientOptions {
  /** Per-request timeout in ms. Default 10 000: a storefront search must fail over, not hang. */
  requestTimeoutMs?: number;
  /** Retries on connection errors (other nodes, or the same one). Default 2. */
  maxRetries?: number;
}

/**
 * The one client a process uses, over one node or several (`ShopConfig.ELASTICSEARCH_URL`): it
 * sends requests to them in turn and retries a request that could not connect on the next. Only
 * retries what is safe (connection failures); a response error is never retried by the client.
 *
 * The pool is the client's ClusterConnectionPool, not its default weighted one: after every node
 * had been away, the weighted pool kept answering "no living connections" for hundreds of
 * requests once they were back (its round-robin weight only drains one step per request), which
 * left a catalog-api answering 503 for minutes after a cluster restart. This one takes a dead
 * node back when it answers, and uses all of them while none is known alive.
 */
export function createElasticsearchClient(
  nodes: string | readonly string[],
  options: ElasticsearchClientOptions = {},
): Client {
  return new Client({
    nodes: typeof nodes === 'string' ? [nodes] : [...nodes],
    ConnectionPool: ClusterConnectionPool,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    maxRetries: options.maxRetries ?? 2,
  });
}

/**
 * Elasticsearch for an app: the client (from `ShopConfig.ELASTICSEARCH_URL`, closed on
 * shutdown), the alias name, ProductSearch, ProductIndexer and SearchHealth. Needs the global
 * ShopConfigModule. ProductIndexer creates indices with `ELASTICSEARCH_SHARDS` and
 * `ELASTICSEARCH_REPLICAS`; further options can be provided under PRODUCT_INDEXER_OPTIONS (they
 * win over the configuration). `forRoot(options)` sets the client's (a command-line reindex waits
 * longer than a request).
 */
@Module({
  providers: [
    {
      provide: ELASTICSEARCH_CLIENT,
      inject: [SHOP_CONFIG, { token: ELASTICSEARCH_CLIENT_OPTIONS, optional: true }],
      useFactory: (config: ShopConfig, options?: ElasticsearchClientOptions): Client =>
        createElasticsearchClient(config.ELASTICSEARCH_URL, options),
    },
    {
      provide: PRODUCTS_INDEX_ALIAS,
      inject: [SHOP_CONFIG],
      useFactory: (config: ShopConfig): string => config.PRODUCTS_INDEX_ALIAS,
    },
    {
      provide: ProductIndexer,
      inject: [
        ELASTICSEARCH_CLIENT,
        PRODUCTS_INDEX_ALIAS,
        SHOP_CONFIG,
        { token: PRODUCT_INDEXER_OPTIONS, optional: true },
      ],
      useFactory: (
        client: Client,
        alias: string,
        config: ShopConfig,
        options?: ProductIndexerOptions,
      ): ProductIndexer =>
        new ProductIndexer(client, alias, {
          shards: config.ELASTICSEARCH_SHARDS,
          replicas: config.ELASTICSEARCH_REPLICAS,
          ...options,
        }),
    },
    ProductSearch,
    SearchHealth,
  ],
  exports: [
    ELASTICSEARCH_CLIENT,
    PRODUCTS_INDEX_ALIAS,
    ProductSearch,
    ProductIndexer,
    SearchHealth,
  ],
})
export class ElasticsearchModule implements OnApplicationShutdown {
  static forRoot(options: ElasticsearchClientOptions): DynamicModule {
    return {
      module: ElasticsearchModule,
      providers: [{ provide: ELASTICSEARCH_CLIENT_OPTIONS, useValue: options }],
    };
  }

  constructor(@Inject(ELASTICSEARCH_CLIENT) private readonly client: Client) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
