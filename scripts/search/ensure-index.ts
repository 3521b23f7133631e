/** Start-up step: the `products` alias exists, and is filled from MySQL when it is empty. */
import { parseArgs } from 'node:util';
import { runCli } from '../cli';
import { withCatalogReindexer } from './search-cli';

runCli(async () => {
  parseArgs({ options: {} }); // takes none: an unknown flag is an error, not ignored
  const result = await withCatalogReindexer((reindexer) => reindexer.ensureIndexed());
  console.log(
    result
      ? `search index built: ${result.documents} products in ${result.index} (${result.tookMs} ms)`
      : 'search index already holds the catalog',
  );
});
