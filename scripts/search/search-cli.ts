import { parseShopConfig } from '@shop/config';
import { CatalogReindexer } from '@shop/catalog';
import {
  createDatabase,
  OutboxRepository,
  ProductRepository,
  StockRepository,
} from '@shop/persistence';
import { createElasticsearchClient, ProductIndexer, ProductSearch } from '@shop/search';
import { errorMessage } from '@shop/common';

/** Builds a CatalogReindexer for a command-line run, and closes its connections afterwards. */
export async function withCatalogReindexer<T>(
  work: (reindexer: CatalogReindexer) => Promise<T>,
): Promise<T> {
  const config = parseShopConfig(process.env);
  const db = createDatabase(config.MYSQL_URL, { connectionLimit: 2 });
  const client = createElasticsearchClient(config.ELASTICSEARCH_URL, { requestTimeoutMs: 60_000 });
  try {
    const outbox = new OutboxRepository(db);
    const reindexer = new CatalogReindexer(
      new ProductRepository(db, outbox),
      new StockRepository(db),
      outbox,
      new ProductIndexer(client, config.PRODUCTS_INDEX_ALIAS),
      new ProductSearch(client, config.PRODUCTS_INDEX_ALIAS),
    );
    return await work(reindexer);
  } finally {
    await client.close();
    await db.destroy();
  }
}

export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(errorMessage(error));
    process.exit(1);
  });
}
