import { Injectable } from '@nestjs/common';
import type { CategoryChangeListener } from '@shop/catalog';
import type { CategoryNode } from '@shop/contracts';
import { CategoryRepository } from '@shop/persistence';

/**
 * The category tree changes rarely and every filtered search needs it to expand departments:
 * keep it in memory for a short while instead of asking MySQL per request. A category write in
 * this process drops it at once; another catalog-api process sees the change when its copy
 * expires (`TTL_MS`). The menu route reads MySQL itself (`fresh`), so a purged menu is never
 * rebuilt from an old copy.
 */
@Injectable()
export class CategoryTreeCache implements CategoryChangeListener {
  private static readonly TTL_MS = 30_000;
  private cached: { tree: CategoryNode[]; at: number } | undefined;

  constructor(private readonly categories: CategoryRepository) {}

  async tree(): Promise<CategoryNode[]> {
    if (this.cached && Date.now() - this.cached.at < CategoryTreeCache.TTL_MS) {
      return this.cached.tree;
    }
    return this.fresh();
  }

  /** The tree as MySQL has it now; also kept for `tree()`. */
  async fresh(): Promise<CategoryNode[]> {
    const tree = await this.categories.tree();
    this.cached = { tree, at: Date.now() };
    return tree;
  }

  /**
   * Drops the copy, so the next read asks MySQL: a category write (a rename changes the labels of
   * search facets, which come from this tree) calls it in the process that wrote. Other processes
   * follow within TTL_MS.
   */
  categoriesChanged(): void {
    this.cached = undefined;
  }
}
