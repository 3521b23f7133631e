import { Injectable } from '@nestjs/common';
import {
  CatalogRoutingKey,
  type Category,
  type CategoryDeletedEvent,
  type CategoryDetails,
  type CategoryNode,
  type CategoryUpsertedEvent,
} from '@shop/contracts';
import { Kysely, Transaction } from 'kysely';
import { InjectDatabase } from '../database.tokens';
import {
  CategoryCycleError,
  CategoryNotEmptyError,
  CategoryNotFoundError,
  DuplicateCategoryError,
  isDeadlockError,
  isDuplicateKeyError,
  orDatabaseUnavailable,
  UnknownCategoryError,
} from '../errors';
import { OutboxRepository } from '../outbox/outbox.repository';
import { ProductRepository, type ProductWriteOptions } from '../products/product.repository';
import type { Database } from '../schema';
import { inTransaction } from '../transaction';
import { CategoryGraph, distinctSlugs, type CategoryNodeRow } from './category-graph';
import { buildCategoryTree } from './category-tree';

export const CATEGORY_AGGREGATE = 'category';

/** What an admin sends to create a category. */
export interface CategoryCreate {
  slug: string;
  name: string;
  parentSlug?: string | null;
  /** Order among siblings; left out: after the last sibling. */
  position?: number;
}

/** What an admin may change of a category: absent fields keep their value, null parent: a root. */
export interface CategoryPatch {
  name?: string;
  parentSlug?: string | null;
  position?: number;
}

export interface CategoryDeleteOptions extends ProductWriteOptions {
  /** Moves the category's products and children there first, in the same transaction. */
  reassignTo?: string;
}

export interface CategoryDeletion {
  slug: string;
  reassignTo: string | null;
  /** Products moved to `reassignTo`, each republished with a new version. */
  movedProducts: number[];
  /** Child categories moved under `reassignTo`. */
  movedChildren: string[];
}

const SLUG_KEY = 'uq_categories_slug';
/** A deadlock with a concurrent product write rolls one back: run a category write again. */
const DEADLOCK_ATTEMPTS = 3;

function toDetails(row: CategoryNodeRow): CategoryDetails {
  return { slug: row.slug, name: row.name, parentSlug: row.parentSlug, position: row.position };
}

export interface CategoryInput {
  slug: string;
  name: string;
  parentSlug: string | null;
  /** Order among siblings in the menu; 0 when left out. */
  position?: number;
}

/**
 * Categories in MySQL. The admin writes (create, update, delete) each run in one transaction that
 * locks every category row first (categories are few and their writes rare, so this serialises
 * them and no two concurrent moves can close a cycle between them), and append a
 * `category.upserted`/`category.deleted` outbox event, plus `product.upserted` for each product a
 * delete moves; a write that fails changes nothing and announces nothing.
 */
@Injectable()
export class CategoryRepository {
  constructor(
    @InjectDatabase() private readonly db: Kysely<Database>,
    private readonly outbox: OutboxRepository = new OutboxRepository(db),
    private readonly products: ProductRepository = new ProductRepository(db, outbox),
  ) {}

  /** One category, or null. */
  async find(slug: string): Promise<CategoryDetails | null> {
    return orDatabaseUnavailable(async () => {
      const graph = new CategoryGraph(await this.rows(this.db));
      const row = graph.get(slug);
      return row ? toDetails(row) : null;
    });
  }

  /** Ids of the products filed directly under any of `slugs`, ascending. */
  async productIdsIn(slugs: readonly string[]): Promise<number[]> {
    if (slugs.length === 0) return [];
    const rows = await this.db
      .selectFrom('product_categories as pc')
      .innerJoin('categories as c', 'c.id', 'pc.category_id')
      .select('pc.product_id')
      .distinct()
      .where('c.slug', 'in', [...slugs])
      .orderBy('pc.product_id')
      .execute();
    return rows.map((row) => row.product_id);
  }

  /**
   * @throws DuplicateCategoryError, CategoryNotFoundError (the parent)
   */
  async create(input: CategoryCreate, options: ProductWriteOptions = {}): Promise<CategoryDetails> {
    return this.write(async (trx) => {
      const graph = new CategoryGraph(await this.lockAll(trx));
      if (graph.has(input.slug)) throw new DuplicateCategoryError(input.slug);
      const parentSlug = input.parentSlug ?? null;
      const parent = parentSlug === null ? undefined : graph.get(parentSlug);
      if (parentSlug !== null && !parent) throw new CategoryNotFoundError(parentSlug, 'parent');
      const position = input.position ?? graph.nextPosition(parentSlug);
      try {
        await trx
          .insertInto('categories')
          .values({ slug: input.slug, name: input.name, parent_id: parent?.id ?? null, position })
          .execute();
      } catch (error) {
        // Row locks do not cover a slug inserted meanwhile: the unique key has the last word.
        if (isDuplicateKeyError(error, SLUG_KEY)) throw new DuplicateCategoryError(input.slug);
        throw error;
      }
      const created: CategoryDetails = { slug: input.slug, name: input.name, parentSlug, position };
      await this.appendUpserted(
        trx,
        created,
        null,
        [input.slug, ...(parentSlug === null ? [] : [parentSlug, ...graph.ancestors(parentSlug)])],
        options,
      );
      return created;
    });
  }

  /**
   * Applies `patch`; one that changes nothing answers the category as it is, with no event.
   * @throws CategoryNotFoundError (the category or the parent), CategoryCycleError
   */
  async update(
    slug: string,
    patch: CategoryPatch,
    options: ProductWriteOptions = {},
  ): Promise<CategoryDetails> {
    return this.write(async (trx) => {
      const graph = new CategoryGraph(await this.lockAll(trx));
      const current = graph.get(slug);
      if (!current) throw new CategoryNotFoundError(slug);
      const parentSlug = patch.parentSlug === undefined ? current.parentSlug : patch.parentSlug;
      const parent = parentSlug === null ? undefined : graph.get(parentSlug);
      if (parentSlug !== null && !parent) throw new CategoryNotFoundError(parentSlug, 'parent');
      if (parentSlug !== null && graph.isWithin(parentSlug, slug)) {
        throw new CategoryCycleError(
          parentSlug === slug
            ? `category ${slug} cannot be its own parent`
            : `category ${slug} cannot move under ${parentSlug}, which lies below it`,
        );
      }
      const next: CategoryDetails = {
        slug,
        name: patch.name ?? current.name,
        parentSlug,
        position: patch.position ?? current.position,
      };
      const previous = toDetails(current);
      if (
        next.name === previous.name &&
        next.parentSlug === previous.parentSlug &&
        next.position === previous.position
      ) {
        return previous;
      }
      await trx
        .updateTable('categories')
        .set({ name: next.name, parent_id: parent?.id ?? null, position: next.position })
        .where('id', '=', current.id)
        .execute();
      // Its own and its descendants' pages show its name in their trail; the listings of its old
      // and new ancestors include its products.
      await this.appendUpserted(
        trx,
        next,
        previous,
        distinctSlugs(
          [slug],
          graph.descendants(slug),
          graph.ancestors(slug),
          parentSlug === null ? [] : [parentSlug, ...graph.ancestors(parentSlug)],
        ),
        options,
      );
      return next;
    });
  }

  /**
   * Deletes a category. While products or child categories remain it refuses
   * (`CategoryNotEmptyError`) unless `reassignTo` names another category outside this one's
   * branch: then its products are filed there instead (keeping their place in each product's
   * list; a product already there keeps that link) and republished, and its children move under
   * it, all in the same transaction as the delete.
   * @throws CategoryNotFoundError (the category or reassignTo), CategoryNotEmptyError, CategoryCycleError
   */
  async delete(slug: string, options: CategoryDeleteOptions = {}): Promise<CategoryDeletion> {
    return this.write(async (trx) => {
      const graph = new CategoryGraph(await this.lockAll(trx));
      const current = graph.get(slug);
      if (!current) throw new CategoryNotFoundError(slug);
      const target = options.reassignTo === undefined ? undefined : graph.get(options.reassignTo);
      if (options.reassignTo !== undefined) {
        if (!target) throw new CategoryNotFoundError(options.reassignTo, 'reassignTo');
        if (graph.isWithin(target.slug, slug)) {
          throw new CategoryCycleError(
            `reassignTo must name a category outside ${slug}, not ${target.slug}`,
          );
        }
      }
      const children = graph.children(slug);
      const productIds = (
        await trx
          .selectFrom('product_categories')
          .select('product_id')
          .where('category_id', '=', current.id)
          .orderBy('product_id')
          .execute()
      ).map((row) => row.product_id);
      if (!target && (children.length > 0 || productIds.length > 0)) {
        throw new CategoryNotEmptyError(slug, productIds.length, children.length);
      }

      if (target) {
        if (children.length > 0) {
          await trx
            .updateTable('categories')
            .set({ parent_id: target.id })
            .where('parent_id', '=', current.id)
            .execute();
        }
        if (productIds.length > 0) {
          // A product filed under both keeps its link to the target; the other link goes.
          // (Read first: MySQL refuses a DELETE whose subquery reads the same table.)
          const alreadyThere = (
            await trx
              .selectFrom('product_categories')
              .select('product_id')
              .where('category_id', '=', target.id)
              .where('product_id', 'in', productIds)
              .execute()
          ).map((row) => row.product_id);
          if (alreadyThere.length > 0) {
            await trx
              .deleteFrom('product_categories')
              .where('category_id', '=', current.id)
              .where('product_id', 'in', alreadyThere)
              .execute();
          }
          await trx
            .updateTable('product_categories')
            .set({ category_id: target.id })
            .where('category_id', '=', current.id)
            .execute();
          await this.products.republish(trx, productIds, options);
        }
      }
      await trx.deleteFrom('categories').where('id', '=', current.id).execute();

      const event: CategoryDeletedEvent = {
        slug,
        reassignTo: target?.slug ?? null,
        movedProducts: productIds.length,
        affectedSlugs: distinctSlugs(
          [slug],
          graph.ancestors(slug),
          graph.descendants(slug),
          target ? [target.slug, ...graph.ancestors(target.slug)] : [],
        ),
        occurredAt: new Date().toISOString(),
      };
      await this.outbox.append(trx, {
        aggregateType: CATEGORY_AGGREGATE,
        aggregateId: slug,
        eventType: CatalogRoutingKey.CategoryDeleted,
        payload: event,
        correlationId: options.correlationId,
      });
      return {
        slug,
        reassignTo: target?.slug ?? null,
        movedProducts: target ? productIds : [],
        movedChildren: target ? children : [],
      };
    });
  }

  /**
   * One category write: a transaction (run again after a deadlock, which rolled it back whole),
   * whose connection failures read as "MySQL is unavailable".
   */
  private async write<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return orDatabaseUnavailable(async () => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await this.db.transaction().execute(work);
        } catch (error) {
          if (!isDeadlockError(error) || attempt >= DEADLOCK_ATTEMPTS) throw error;
        }
      }
    });
  }

  private async lockAll(trx: Transaction<Database>): Promise<CategoryNodeRow[]> {
    return this.rows(trx, true);
  }

  private async rows(executor: Kysely<Database>, lock = false): Promise<CategoryNodeRow[]> {
    let query = executor
      .selectFrom('categories')
      .select(['id', 'slug', 'name', 'parent_id', 'position'])
      .orderBy('id');
    if (lock) query = query.forUpdate();
    const rows = await query.execute();
    const slugOf = new Map(rows.map((row) => [row.id, row.slug]));
    return rows.map((row) => ({
      id: row.id,
      slug: row.slug,
      name: row.name,
      parentSlug: row.parent_id === null ? null : (slugOf.get(row.parent_id) ?? null),
      position: row.position,
    }));
  }

  private async appendUpserted(
    trx: Transaction<Database>,
    category: CategoryDetails,
    previous: CategoryDetails | null,
    affectedSlugs: readonly string[],
    options: ProductWriteOptions,
  ): Promise<void> {
    const event: CategoryUpsertedEvent = {
      category,
      previous,
      affectedSlugs: distinctSlugs(affectedSlugs),
      occurredAt: new Date().toISOString(),
    };
    await this.outbox.append(trx, {
      aggregateType: CATEGORY_AGGREGATE,
      aggregateId: category.slug,
      eventType: CatalogRoutingKey.CategoryUpserted,
      payload: event,
      correlationId: options.correlationId,
    });
  }

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
