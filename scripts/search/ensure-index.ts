/** Start-up step: the `products` alias exists, and is filled from MySQL when it is empty. */
import { runCli, withCatalogReindexer } from './search-cli';

runCli(async () => {
  const result = await withCatalogReindexer((reindexer) => reindexer.ensureIndexed());
  console.log(
    result
      ? `search index built: ${result.documents} products in ${result.index} (${result.tookMs} ms)`
      : 'search index already holds the catalog',
  );
});
