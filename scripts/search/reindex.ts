/**
 * Zero-downtime full reindex: `npm run reindex`. Reads MySQL in batches into a new index, swaps
 * the `products` alias in one step, drops the old index, then replays products written meanwhile.
 */
import { parseArgs } from 'node:util';
import { runCli } from '../cli';
import { withCatalogReindexer } from './search-cli';

runCli(async () => {
  parseArgs({ options: {} }); // takes none: an unknown flag is an error, not ignored
  const result = await withCatalogReindexer((reindexer) => reindexer.reindex());
  console.log(
    `reindexed ${result.documents} products into ${result.index} in ${result.tookMs} ms ` +
      `(${result.caughtUp} written during the load replayed)`,
  );
});
