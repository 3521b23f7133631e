import { Injectable } from '@nestjs/common';
import type { Category, CategoryNode } from '@shop/contracts';
import { Kysely } from 'kysely';
import { InjectDatabase } from '../database.tokens';
import { orDatabaseUnavailable, UnknownCategoryError } from '../errors';
import type { Database } from '../schema';
import { inTransaction } from '../transaction';
import { buildCategoryTree } from './category-tree';

export interface CategoryInput {
  slug: string;
  name: string;
  parentSlug: string | null;
  /** Order among siblings in the menu; 0 when left out. */
  position?: number;
}

@Injectable()
export class CategoryRepository {
  constructor(@InjectDatabase() private readonly db: Kysely<Database>) {}

  /** Every category, siblings in menu order. */
  async all(): Promise<Category[]> {
    const rows = await this.db
      .selectFrom('categories as c')
      .leftJoin('categories as p', 'p.id', 'c.parent_id')
      .select(['c.id', 'c.slug', 'c.name', 'p.slug as parentSlug'])
      .orderBy('c.position')
      .orderBy('c.id')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      slug: row.slug,
      name: row.name,
      parentSlug: row.parentSlug,
    }));
  }

  /** The menu: top-level categories with their children. */
  async tree(): Promise<CategoryNode[]> {
    // Every catalog search asks for it: MySQL down must read as such, not as a 500.
    return orDatabaseUnavailable(async () => buildCategoryTree(await this.all()));
  }

  /**
   * Inserts or updates categories by slug (name, position and parent), in one transaction. A
   * parent may be in the same call, in any order, or already stored; an unknown parent slug
   * throws `UnknownCategoryError` and writes nothing. Returns how many categories were given.
   */
  async upsertMany(
    categories: readonly CategoryInput[],
    executor: Kysely<Database> = this.db,
  ): Promise<number> {
    if (categories.length === 0) return 0;
    await inTransaction(executor, async (trx) => {
      await trx
        .insertInto('categories')
        .values(
          categories.map((category) => ({
            slug: category.slug,
            name: category.name,
            position: category.position ?? 0,
          })),
        )
        .onDuplicateKeyUpdate((eb) => ({
          name: eb.fn<string>('values', [eb.ref('name')]),
          position: eb.fn<number>('values', [eb.ref('position')]),
        }))
        .execute();

      const parentSlugs = [
        ...new Set(
          categories.flatMap((category) => (category.parentSlug ? [category.parentSlug] : [])),
        ),
      ];
      const slugs = [...new Set([...categories.map((category) => category.slug), ...parentSlugs])];
      const rows = await trx
        .selectFrom('categories')
        .select(['id', 'slug'])
        .where('slug', 'in', slugs)
        .execute();
      const idOf = new Map(rows.map((row) => [row.slug, row.id]));
      const unknown = parentSlugs.filter((slug) => !idOf.has(slug));
      if (unknown.length > 0) throw new UnknownCategoryError(unknown);

      for (const category of categories) {
        await trx
          .updateTable('categories')
          .set({ parent_id: category.parentSlug ? (idOf.get(category.parentSlug) ?? null) : null })
          .where('slug', '=', category.slug)
          .execute();
      }
    });
    return categories.length;
  }
}
