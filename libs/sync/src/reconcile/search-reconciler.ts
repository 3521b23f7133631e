import { toProductDocument } from '@shop/search';
import type { ProductDocument } from '@shop/contracts';
import { LISTING_TAG, productTag } from '@shop/http-cache';
import { errorMessage, SILENT_LOGGER, type LoggerLike } from '@shop/common';
import { currentQuantities } from '../consumers/live-stock';
import {
  type CachePurger,
  type LiveStockReader,
  type ProductDocumentSource,
  type ProductPager,
  type StockRowReader,
} from '../ports';
import type { ReconcileKind, ReconcileTally } from './reconcile-report';

export interface SearchReconcilerDeps {
  readonly products: ProductPager;
  readonly stock: StockRowReader;
  /** In-stock flags come from the live ledger (MySQL's copy where it does not know a product). */
  readonly ledger: LiveStockReader;
  readonly indexer: ProductDocumentSource;
  /** Purges repaired products' pages hard and the listings softly, after the writes. */
  readonly purger?: CachePurger;
  readonly logger?: LoggerLike;
}

export interface SearchReconcilerOptions {
  /** Products per MySQL page and documents per index page. Default 1000. */
  readonly pageSize?: number;
  /** Repairs gathered before they are written (one bulk request each way). Default 500. */
  readonly writeBatch?: number;
  /**
   * A product changed in MySQL less than this long ago is most likely on its way through the
   * product-search consumer: left to it, not counted. Default 5000.
   */
  readonly graceMs?: number;
  readonly now?: () => number;
}

export interface SearchReconcileResult {
  /** Products and documents compared (each id once). */
  readonly checked: number;
}

/** Fields of a document that MySQL (and the ledger) decide; the names of those that differ. */
export function staleFields(expected: ProductDocument, indexed: ProductDocument): string[] {
  const differs: string[] = [];
  const plain = ['sku', 'name', 'description', 'price', 'inStock'] as const;
  for (const field of plain) {
    if (expected[field] !== indexed[field]) differs.push(field);
  }
  // Live prices: the effective `price` above moves when a sale starts or ends; these show it.
  for (const field of ['regularPrice', 'salePrice'] as const) {
    if ((expected[field] ?? null) !== (indexed[field] ?? null)) differs.push(field);
  }
  for (const field of ['saleStartsAt', 'saleEndsAt'] as const) {
    const want = expected[field] ? Date.parse(expected[field]) : null;
    const have = indexed[field] ? Date.parse(indexed[field]) : null;
    if (want !== have) differs.push(field);
  }
  const categories = indexed.categories ?? [];
  if (
    expected.categories.length !== categories.length ||
    expected.categories.some((slug, index) => slug !== categories[index])
  ) {
    differs.push('categories');
  }
  for (const field of ['createdAt', 'updatedAt'] as const) {
    if (Date.parse(expected[field]) !== Date.parse(indexed[field])) differs.push(field);
  }
  return differs;
}

/** Pulls items one at a time out of an async iterable of batches, with a look-ahead. */
class Cursor<T> {
  private buffer: T[] = [];
  private done = false;

  constructor(private readonly source: AsyncIterator<readonly T[]>) {}

  async peek(): Promise<T | undefined> {
    while (this.buffer.length === 0 && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else this.buffer = [...next.value];
    }
    return this.buffer[0];
  }

  take(): void {
    this.buffer.shift();
  }
}

/**
 * MySQL's products against the search index, merged by id (both are read in id order): a
 * product the index lacks is indexed, a document MySQL does not have is removed, a document whose
 * fields differ is rewritten. Each repair re-reads the product from MySQL right before writing it,
 * so a repair never writes an older reading over a consumer's newer one.
 */
export class SearchReconciler {
  private readonly pageSize: number;
  private readonly writeBatch: number;
  private readonly graceMs: number;
  private readonly now: () => number;
  private readonly logger: LoggerLike;

  constructor(
    private readonly deps: SearchReconcilerDeps,
    options: SearchReconcilerOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 1000;
    this.writeBatch = options.writeBatch ?? 500;
    this.graceMs = options.graceMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.logger = deps.logger ?? SILENT_LOGGER;
  }

  async reconcile(tally: ReconcileTally): Promise<SearchReconcileResult> {
    const expected = new Cursor(this.expectedDocuments()[Symbol.asyncIterator]());
    const indexed = new Cursor(this.deps.indexer.iterateDocuments(this.pageSize));
    const repairs = new Map<number, ReconcileKind>();
    let checked = 0;

    for (;;) {
      const want = await expected.peek();
      const have = await indexed.peek();
      if (want === undefined && have === undefined) break;
      checked += 1;
      if (have === undefined || (want !== undefined && want.id < have.id)) {
        expected.take();
        if (!this.recent(want!)) this.flag(repairs, tally, want!.id, 'search.missing');
      } else if (want === undefined || have.id < want.id) {
        indexed.take();
        this.flag(repairs, tally, have.id, 'search.extra');
      } else {
        expected.take();
        indexed.take();
        const fields = staleFields(want, have);
        if (fields.length > 0 && !this.recent(want)) {
          this.logger.debug?.(`search document ${want.id} stale: ${fields.join(', ')}`);
          this.flag(repairs, tally, want.id, 'search.stale');
        }
      }
      if (repairs.size >= this.writeBatch) await this.repair(repairs, tally);
    }
    if (repairs.size > 0) await this.repair(repairs, tally);
    return { checked };
  }

  private recent(document: ProductDocument): boolean {
    return this.now() - Date.parse(document.updatedAt) < this.graceMs;
  }

  private flag(
    repairs: Map<number, ReconcileKind>,
    tally: ReconcileTally,
    id: number,
    kind: ReconcileKind,
  ): void {
    tally.found(kind);
    repairs.set(id, kind);
  }

  /** Writes the flagged products as MySQL has them now, then purges their pages. */
  private async repair(repairs: Map<number, ReconcileKind>, tally: ReconcileTally): Promise<void> {
    const ids = [...repairs.keys()];
    const records = await this.deps.products.findByIds(ids);
    const quantities = await currentQuantities(
      records.map((record) => record.id),
      this.deps.ledger,
      this.deps.stock,
      this.logger,
    );
    const documents = records.map((record) =>
      toProductDocument(record, quantities.get(record.id) ?? 0),
    );
    const present = new Set(records.map((record) => record.id));
    const gone = ids.filter((id) => !present.has(id));
    await this.deps.indexer.upsert(documents);
    await this.deps.indexer.remove(gone);
    for (const kind of repairs.values()) tally.fixed(kind);
    if (this.deps.purger) {
      // The repair stands even when Varnish does not answer: its copies expire on their own.
      await this.deps.purger
        .purge({ hard: ids.map(productTag), soft: [LISTING_TAG] })
        .catch((error: unknown) =>
          tally.problem(`search: purge after repair failed: ${errorMessage(error)}`),
        );
    }
    repairs.clear();
  }

  /** MySQL's products as search documents, page by page in id order. */
  private async *expectedDocuments(): AsyncGenerator<ProductDocument[]> {
    for (let afterId: number | null = 0; afterId !== null;) {
      const page = await this.deps.products.listPage(afterId, this.pageSize);
      if (page.items.length === 0) return;
      const quantities = await currentQuantities(
        page.items.map((product) => product.id),
        this.deps.ledger,
        this.deps.stock,
        this.logger,
      );
      yield page.items.map((product) =>
        toProductDocument(product, quantities.get(product.id) ?? 0),
      );
      afterId = page.nextAfterId;
    }
  }
}
