import { Injectable } from '@nestjs/common';
import type { CategoryDetails } from '@shop/contracts';
import {
  CategoryRepository,
  type CategoryCreate,
  type CategoryDeleteOptions,
  type CategoryDeletion,
  type CategoryPatch,
  type ProductWriteOptions,
} from '@shop/persistence';
import { CatalogOutboxRelayService } from './catalog-outbox-relay.service';

/** Told after every committed category write, e.g. to drop an in-memory copy of the tree. */
export interface CategoryChangeListener {
  categoriesChanged(): void;
}

/**
 * Merchandisers' category writes. As with products, MySQL and the outbox commit together
 * (CategoryRepository), then this process's relay is woken so the `category.*` event (and the
 * `product.upserted` of products a delete moved) goes out at once; the sync worker purges the
 * menu and listings and reindexes moved products. A write that fails commits nothing and tells
 * no one.
 */
@Injectable()
export class CategoryWriteService {
  private readonly listeners: CategoryChangeListener[] = [];

  constructor(
    private readonly categories: CategoryRepository,
    private readonly relay: CatalogOutboxRelayService,
  ) {}

  /** `listener` hears of every committed write from now on. */
  onChange(listener: CategoryChangeListener): void {
    this.listeners.push(listener);
  }

  async create(input: CategoryCreate, options: ProductWriteOptions = {}): Promise<CategoryDetails> {
    return this.committed(await this.categories.create(input, options));
  }

  async update(
    slug: string,
    patch: CategoryPatch,
    options: ProductWriteOptions = {},
  ): Promise<CategoryDetails> {
    return this.committed(await this.categories.update(slug, patch, options));
  }

  async delete(slug: string, options: CategoryDeleteOptions = {}): Promise<CategoryDeletion> {
    return this.committed(await this.categories.delete(slug, options));
  }

  private committed<T>(result: T): T {
    this.relay.notify();
    for (const listener of this.listeners) listener.categoriesChanged();
    return result;
  }
}
