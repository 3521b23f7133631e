import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  OutboxRepository,
  PRODUCT_AGGREGATE,
  ProductRepository,
  StockRepository,
} from '@shop/persistence';
import { ProductIndexer, ProductSearch, toProductDocument } from '@shop/search';
import { productDocumentsFromMysql } from './mysql-product-documents';

export interface CatalogReindexResult {
  index: string;
  documents: number;
  /** Products written while the new index loaded, applied again after the swap. */
  caughtUp: number;
  tookMs: number;
}

/**
 * Rebuilds the search index from MySQL with no downtime: load a new index, swap the alias,
 * then replay the products that changed during the load (their writes reached the old index,
 * which is gone now). The outbox tells which ones: every write appends an event.
 */
@Injectable()
export class CatalogReindexer {
  private readonly logger = new Logger(CatalogReindexer.name);

  // Tokens named explicitly: `npm run reindex` runs under tsx, which emits no decorator metadata.
  constructor(
    @Inject(ProductRepository) private readonly products: ProductRepository,
    @Inject(StockRepository) private readonly stock: StockRepository,
    @Inject(OutboxRepository) private readonly outbox: OutboxRepository,
    @Inject(ProductIndexer) private readonly indexer: ProductIndexer,
    @Inject(ProductSearch) private readonly search: ProductSearch,
  ) {}

  async reindex(batchSize = 1000): Promise<CatalogReindexResult> {
    const started = Date.now();
    const result = await this.indexer.reindex(
      productDocumentsFromMysql(this.products, this.stock, batchSize),
    );
    const caughtUp = await this.catchUp(result.startedAt);
    return {
      index: result.index,
      documents: result.documents,
      caughtUp,
      tookMs: Date.now() - started,
    };
  }

  /**
   * For start-up: makes sure the alias exists, and fills it from MySQL when it is empty while
   * MySQL is not (a fresh node, or data wiped). Returns null when nothing had to be done.
   */
  async ensureIndexed(): Promise<CatalogReindexResult | null> {
    await this.indexer.ensureIndex();
    const indexed = (
      await this.search.search({ categories: [], sort: 'relevance', page: 1, size: 1 })
    ).total;
    const stored = await this.products.countAll();
    if (indexed > 0 || stored === 0) return null;
    this.logger.log(`search index is empty while MySQL has ${stored} products: reindexing`);
    return this.reindex();
  }

  private async catchUp(since: Date): Promise<number> {
    const ids = (await this.outbox.aggregatesChangedSince(PRODUCT_AGGREGATE, since)).map(Number);
    if (ids.length === 0) return 0;
    const current = await this.products.findByIds(ids);
    const levels = await this.stock.findByIds(current.map((product) => product.id));
    const quantity = new Map(levels.map((level) => [level.id, level.stock]));
    await this.indexer.upsert(current.map((p) => toProductDocument(p, quantity.get(p.id) ?? 0)));
    const present = new Set(current.map((product) => product.id));
    await this.indexer.remove(ids.filter((id) => !present.has(id)));
    return ids.length;
  }
}
