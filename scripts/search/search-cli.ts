import { Module } from '@nestjs/common';
import { CatalogReindexer } from '@shop/catalog';
import { ShopConfigModule } from '@shop/config';
import { PersistenceModule } from '@shop/persistence';
import { ElasticsearchModule } from '@shop/search';
import { withCliContext } from '../cli';

/**
 * The reindexer over the apps' own modules; the client waits up to a minute per request, as an
 * index build on a busy node may (an app's requests give up after 10 s).
 */
@Module({
  imports: [
    ShopConfigModule,
    PersistenceModule.forRoot({ connectionLimit: 2 }),
    ElasticsearchModule.forRoot({ requestTimeoutMs: 60_000 }),
  ],
  providers: [CatalogReindexer],
})
class CatalogReindexModule {}

/** Builds a CatalogReindexer for a command-line run, and closes its connections afterwards. */
export function withCatalogReindexer<T>(
  work: (reindexer: CatalogReindexer) => Promise<T>,
): Promise<T> {
  return withCliContext(CatalogReindexModule, (app) => work(app.get(CatalogReindexer)));
}
