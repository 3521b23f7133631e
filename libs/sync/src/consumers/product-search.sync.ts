import { toProductDocument } from '@shop/search';
import type { ProductDocument } from '@shop/contracts';
import { categoryTag, LISTING_TAG, productTag } from '@shop/http-cache';
import { SILENT_LOGGER, type LoggerLike } from '@shop/common';
import { distinct, type CatalogChange } from '../events';
import { notify, type SyncOutcomeListener } from '../outcomes';
import {
  type CachePurger,
  type LiveStockReader,
  type ProductDocumentWriter,
  type ProductReader,
  type StockRowReader,
} from '../ports';
import { currentQuantities } from './live-stock';

export interface ProductSearchResult {
  events: number;
  upserted: number;
  removed: number;
  /** Extra write rounds because MySQL or the ledger moved while we wrote. */
  rewrites: number;
  purgedTags: number;
}

/** Beyond this many category tags, the soft purge of `listing` (on every listing) covers them. */
export const MAX_CATEGORY_TAGS = 32;
const MAX_ROUNDS = 3;

/** What a written document depends on: a re-read that differs means the write may be stale. */
type Fingerprint = string;
const ABSENT: Fingerprint = 'absent';

/**
 * Product changes into Elasticsearch. The event only says WHICH products changed: each is re-read
 * from MySQL (and its stock from the ledger) and written as it is now, or removed when MySQL no
 * longer has it, so any delivery order converges on MySQL's state. After the write (visible, the
 * indexer waits for the refresh) the products' pages are purged hard and the listings softly;
 * purging first would let Varnish re-cache the old document.
 */
export class ProductSearchSync {
  constructor(
    private readonly products: ProductReader,
    private readonly stock: StockRowReader,
    private readonly ledger: LiveStockReader,
    private readonly indexer: ProductDocumentWriter,
    private readonly purger: CachePurger,
    private readonly logger: LoggerLike = SILENT_LOGGER,
    private readonly listener: SyncOutcomeListener = {},
  ) {}

  async handle(changes: readonly CatalogChange[]): Promise<ProductSearchResult> {
    const ids = distinct(changes.map((change) => change.id));
    const result: ProductSearchResult = {
      events: changes.length,
      upserted: 0,
      removed: 0,
      rewrites: 0,
      purgedTags: 0,
    };
    if (ids.length === 0) return result;
    const categories = new Set(
      changes.flatMap((change) => (change.kind === 'upserted' ? change.categories : [])),
    );

    let pending = ids;
    let current = await this.read(pending);
    for (let round = 1; ; round += 1) {
      const documents = pending.flatMap((id) => {
        const document = current.documents.get(id);
        return document ? [document] : [];
      });
      const gone = pending.filter((id) => !current.documents.has(id));
      // A forced refresh, not `wait_for`: the purge below must find the new document searchable,
      // and an admin's edit should reach shoppers at once rather than at the next refresh
      // (product writes are rare; the stock consumers, which are not, keep `wait_for`).
      await this.indexer.upsert(documents, { refresh: true });
      await this.indexer.remove(gone, { refresh: true });
      result.upserted += documents.length;
      result.removed += gone.length;
      documents.forEach((document) => document.categories.forEach((slug) => categories.add(slug)));
      notify(() => {
        this.listener.searchWrites?.('product-search', 'upsert', documents.length);
        this.listener.searchWrites?.('product-search', 'remove', gone.length);
      });

      // Another consumer (or a reconciler) may have written an older reading after ours: the one
      // who writes last always re-reads, and writes again where the source moved meanwhile.
      const written = current.fingerprints;
      const again = await this.read(pending);
      pending = pending.filter((id) => again.fingerprints.get(id) !== written.get(id));
      if (pending.length === 0) break;
      if (round >= MAX_ROUNDS) {
        this.logger.warn(
          `${pending.length} product(s) still changing; their next event settles them`,
        );
        break;
      }
      result.rewrites += 1;
      current = again;
    }

    const hard = ids.map(productTag);
    const soft = [LISTING_TAG];
    if (categories.size <= MAX_CATEGORY_TAGS) {
      for (const slug of categories) {
        const tag = safeCategoryTag(slug);
        if (tag) soft.push(tag);
      }
    }
    await this.purger.purge({ hard, soft });
    result.purgedTags = hard.length + soft.length;
    notify(() => {
      this.listener.purgedTags?.('product-search', 'hard', hard.length);
      this.listener.purgedTags?.('product-search', 'soft', soft.length);
    });
    return result;
  }

  /** The products' documents as MySQL and the ledger have them now, with their fingerprints. */
  private async read(ids: readonly number[]): Promise<{
    documents: Map<number, ProductDocument>;
    fingerprints: Map<number, Fingerprint>;
  }> {
    const records = await this.products.findByIds(ids);
    const quantities = await currentQuantities(
      records.map((record) => record.id),
      this.ledger,
      this.stock,
      this.logger,
    );
    const documents = new Map<number, ProductDocument>();
    const fingerprints = new Map<number, Fingerprint>(ids.map((id) => [id, ABSENT]));
    for (const record of records) {
      const document = toProductDocument(record, quantities.get(record.id) ?? 0);
      documents.set(record.id, document);
      // The price version too: a price change leaves the catalog's row version as it was.
      fingerprints.set(
        record.id,
        `${record.version}:${record.priceVersion ?? 0}:${document.price}:${document.inStock}`,
      );
    }
    return { documents, fingerprints };
  }
}

/** A slug that cannot be a tag (it should not exist) is skipped: `listing` covers its pages. */
function safeCategoryTag(slug: string): string | undefined {
  try {
    return categoryTag(slug);
  } catch {
    return undefined;
  }
}
