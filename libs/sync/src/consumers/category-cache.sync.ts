import { categoryTag, LISTING_TAG, MENU_TAG, productTag } from '@shop/http-cache';
import { distinct, type CategoryChange } from '../events';
import { notify, type SyncOutcomeListener } from '../outcomes';
import type { CachePurger, CategoryProductReader } from '../ports';

export interface CategoryCacheResult {
  events: number;
  hardTags: number;
  softTags: number;
}

/**
 * Category changes into Varnish. The change is in MySQL before its event is published, and the
 * menu and category pages are built from MySQL (`GET /categories` reads it afresh), so the purge
 * can go at once: hard for the menu and the pages of the categories the change touched (a new
 * category's cached 404 among them), soft for every listing (facets name categories) and, after a
 * rename, for the product pages that show the category's name. Products a delete moved have
 * their own `product.upserted`, which reindexes and purges them.
 */
export class CategoryCacheSync {
  constructor(
    private readonly categories: CategoryProductReader,
    private readonly purger: CachePurger,
    private readonly listener: SyncOutcomeListener = {},
  ) {}

  async handle(changes: readonly CategoryChange[]): Promise<CategoryCacheResult> {
    if (changes.length === 0) return { events: 0, hardTags: 0, softTags: 0 };
    const hard = [
      MENU_TAG,
      ...distinct(changes.flatMap((change) => change.affectedSlugs)).map(categoryTag),
    ];
    const renamed = distinct(
      changes.filter((change) => change.renamed).map((change) => change.slug),
    );
    const productIds = await this.categories.productIdsIn(renamed);
    const soft = [LISTING_TAG, ...productIds.map(productTag)];
    await this.purger.purge({ hard, soft });
    notify(() => {
      this.listener.purgedTags?.('category-cache', 'hard', hard.length);
      this.listener.purgedTags?.('category-cache', 'soft', soft.length);
    });
    return { events: changes.length, hardTags: hard.length, softTags: soft.length };
  }
}
