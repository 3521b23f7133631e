import { Injectable } from '@nestjs/common';
import type { CategoryNode } from '@shop/contracts';
import { CategoryRepository } from '@shop/persistence';

/**
 * The category tree changes rarely and every filtered search needs it to expand departments:
 * keep it in memory for a short while instead of asking MySQL per request.
 */
@Injectable()
export class CategoryTreeCache {
  private static readonly TTL_MS = 30_000;
  private cached: { tree: CategoryNode[]; at: number } | undefined;

  constructor(private readonly categories: CategoryRepository) {}

  async tree(): Promise<CategoryNode[]> {
    if (this.cached && Date.now() - this.cached.at < CategoryTreeCache.TTL_MS) {
      return this.cached.tree;
    }
    const tree = await this.categories.tree();
    this.cached = { tree, at: Date.now() };
    return tree;
  }

  /**
   * Drops the copy, so the next read asks MySQL: a category write (a rename changes the labels of
   * search facets, which come from this tree) calls it in the process that wrote. Other processes
   * follow within TTL_MS.
   */
  invalidate(): void {
    this.cached = undefined;
  }
}
