import { Injectable } from '@nestjs/common';
import { Kysely, Transaction } from 'kysely';
import { InjectDatabase } from '../database.tokens';
import {
  DuplicateSkuError,
  isDuplicateKeyError,
  orDatabaseUnavailable,
  ProductNotFoundError,
  UnknownCategoryError,
} from '../errors';
import { OutboxRepository } from '../outbox/outbox.repository';
import type { Database, ProductRow } from '../schema';
import {
  deletedOutboxEvent,
  isUnchanged,
  mergePatch,
  ProductInput,
  ProductPatch,
  type ProductPriceRow,
  ProductRecord,
  roundPrice,
  toProductPriceRow,
  toProductRecord,
  uniqueSlugs,
  upsertedOutboxEvent,
} from './product-mapping';

export interface ProductPage {
  items: ProductRecord[];
  /** Pass as `afterId` for the next page; null when this page was the last. */
  nextAfterId: number | null;
}

export interface DeletedProduct {
  id: number;
  /** The version the delete event carries: the last stored version plus one. */
  version: number;
}

const SKU_KEY = 'uq_products_sku';

export interface ProductWriteOptions {
  /** The request id of the write: stored on its outbox row, published as `correlationId`. */
  correlationId?: string;
}

/**
 * Products in MySQL, the catalog's source of truth. Every write is one transaction that also
 * appends the matching outbox event (`product.upserted` with the whole product, or
 * `product.deleted`), so a committed change always reaches the views and a rolled-back one never
 * does. Writes lock the product row first, so events of one product get outbox ids in order.
 */
@Injectable()
export class ProductRepository {
  constructor(
    @InjectDatabase() private readonly db: Kysely<Database>,
    private readonly outbox: OutboxRepository = new OutboxRepository(db),
  ) {}

  async findById(id: number): Promise<ProductRecord | null> {
    const [record] = await this.findByIds([id]);
    return record ?? null;
  }

  /** The products that exist among `ids`, ordered by id. */
  async findByIds(ids: readonly number[]): Promise<ProductRecord[]> {
    if (ids.length === 0) return [];
    return orDatabaseUnavailable(async () => {
      const rows = await this.db
        .selectFrom('products')
        .selectAll()
        .where('id', 'in', [...new Set(ids)])
        .orderBy('id')
        .execute();
      return this.withCategories(this.db, rows);
    });
  }

  /**
   * A product's price state (regular price, sale, price version), or null when MySQL has no such
   * product: what the price book starts from for a product Redis has no price of.
   */
  async findPrice(id: number): Promise<ProductPriceRow | null> {
    return orDatabaseUnavailable(async () => {
      const row = await this.db
        .selectFrom('products')
        .select(['id', 'price', 'sale_price', 'sale_starts_at', 'sale_ends_at', 'price_version'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toProductPriceRow(row) : null;
    });
  }

  /** The price state of every product among `ids` (the reconciler compares them with Redis). */
  async findPrices(ids: readonly number[]): Promise<ProductPriceRow[]> {
    if (ids.length === 0) return [];
    return orDatabaseUnavailable(async () => {
      const rows = await this.db
        .selectFrom('products')
        .select(['id', 'price', 'sale_price', 'sale_starts_at', 'sale_ends_at', 'price_version'])
        .where('id', 'in', [...new Set(ids)])
        .orderBy('id')
        .execute();
      return rows.map(toProductPriceRow);
    });
  }

  /**
   * Writes each product's price state where its version is newer than the stored
   * `price_version` (one UPDATE per product; a batch holds a product once, its newest). Returns
   * the ids written; the others had that version or a newer one, or no longer exist. With
   * `force`, writes whatever the stored version (the reconciler, when Redis is the reference).
   * The catalog's own `version` and `updated_at` stay: a price is not a catalog edit.
   */
  async applyPrices(
    rows: readonly ProductPriceRow[],
    options: { force?: boolean } = {},
  ): Promise<number[]> {
    const newest = new Map<number, ProductPriceRow>();
    for (const row of rows) {
      const seen = newest.get(row.id);
      if (!seen || seen.version < row.version) newest.set(row.id, row);
    }
    if (newest.size === 0) return [];
    return this.transaction(async (trx) => {
      const written: number[] = [];
      for (const row of newest.values()) {
        let update = trx
          .updateTable('products')
          .set({
            price: row.price,
            sale_price: row.sale?.price ?? null,
            sale_starts_at: row.sale?.startsAt ? new Date(row.sale.startsAt) : null,
            sale_ends_at: row.sale?.endsAt ? new Date(row.sale.endsAt) : null,
            price_version: row.version,
          })
          .where('id', '=', row.id);
        if (!options.force) update = update.where('price_version', '<', row.version);
        const result = await update.executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0) written.push(row.id);
      }
      return written;
    });
  }

  /** Keyset pagination by id, for reindexing and reconciling: start with `afterId` 0. */
  async listPage(afterId: number, limit: number): Promise<ProductPage> {
    const rows = await this.db
      .selectFrom('products')
      .selectAll()
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    const items = await this.withCategories(this.db, rows);
    const last = items.at(-1);
    return { items, nextAfterId: last && items.length === limit ? last.id : null };
  }

  async countAll(): Promise<number> {
    const { count } = await this.db
      .selectFrom('products')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  /** Every product id, ascending. */
  async allIds(): Promise<number[]> {
    const rows = await this.db.selectFrom('products').select('id').orderBy('id').execute();
    return rows.map((row) => row.id);
  }

  /**
   * Creates a product with a stock row (quantity 0, version 0) so the stock API knows it.
   * @throws DuplicateSkuError, UnknownCategoryError
   */
  async create(input: ProductInput, options: ProductWriteOptions = {}): Promise<ProductRecord> {
    return this.transaction(async (trx) => {
      const slugs = uniqueSlugs(input.categories);
      const categoryIds = await this.resolveCategories(trx, slugs);
      const now = new Date();
      const values = {
        sku: input.sku,
        name: input.name,
        description: input.description,
        price: roundPrice(input.price),
        version: 1,
        created_at: now,
        updated_at: now,
      };
      const inserted = await this.guardSku(input.sku, () =>
        trx.insertInto('products').values(values).executeTakeFirstOrThrow(),
      );
      const id = Number(inserted.insertId);
      await this.linkCategories(trx, id, categoryIds);
      await trx
        .insertInto('stock')
        .ignore()
        .values({ product_id: id, quantity: 0, version: 0, updated_at: now })
        .execute();
      const record = toProductRecord({ id, ...values }, slugs);
      await this.outbox.append(trx, {
        ...upsertedOutboxEvent(record, now),
        correlationId: options.correlationId,
      });
      return record;
    });
  }

  /**
   * Overwrites every field of a product.
   * @throws ProductNotFoundError, DuplicateSkuError, UnknownCategoryError
   */
  async replace(
    id: number,
    input: ProductInput,
    options: ProductWriteOptions = {},
  ): Promise<ProductRecord> {
    return this.transaction(async (trx) => {
      const current = await this.lockForWrite(trx, id);
      return this.rewrite(trx, current, input, options);
    });
  }

  /**
   * Overwrites the given fields; absent ones (and absent `categories`) keep their value. A patch
   * that changes nothing returns the stored product as it is: no new version, no event.
   * @throws ProductNotFoundError, DuplicateSkuError, UnknownCategoryError
   */
  async patch(
    id: number,
    patch: ProductPatch,
    options: ProductWriteOptions = {},
  ): Promise<ProductRecord> {
    return this.transaction(async (trx) => {
      const current = await this.lockForWrite(trx, id);
      const stored = toProductRecord(
        current,
        (await this.categorySlugsOf(trx, [id])).get(id) ?? [],
      );
      const input = mergePatch(stored, patch);
      if (isUnchanged(stored, input)) return stored;
      return this.rewrite(trx, current, input, options);
    });
  }

  /**
   * Deletes a product; its categories links and stock row go with it (foreign key cascade).
   * @throws ProductNotFoundError
   */
  async delete(id: number, options: ProductWriteOptions = {}): Promise<DeletedProduct> {
    return this.transaction(async (trx) => {
      const current = await this.lockForWrite(trx, id);
      await trx.deleteFrom('products').where('id', '=', id).execute();
      const version = current.version + 1;
      await this.outbox.append(trx, {
        ...deletedOutboxEvent(id, version, new Date()),
        correlationId: options.correlationId,
      });
      return { id, version };
    });
  }

  /**
   * Gives each product a new version and appends its `product.upserted`, inside the caller's
   * transaction: for a write that changed products' category links from outside a product write
   * (a category deleted with `reassignTo`), so search and caches follow as after a product edit.
   * Locks the rows in id order, as product writes lock theirs. Returns the products as written.
   */
  async republish(
    trx: Transaction<Database>,
    ids: readonly number[],
    options: ProductWriteOptions = {},
  ): Promise<ProductRecord[]> {
    if (ids.length === 0) return [];
    const unique = [...new Set(ids)].sort((a, b) => a - b);
    await trx
      .selectFrom('products')
      .select('id')
      .where('id', 'in', unique)
      .orderBy('id')
      .forUpdate()
      .execute();
    const now = new Date();
    await trx
      .updateTable('products')
      .set((eb) => ({ version: eb('version', '+', 1), updated_at: now }))
      .where('id', 'in', unique)
      .execute();
    const rows = await trx
      .selectFrom('products')
      .selectAll()
      .where('id', 'in', unique)
      .orderBy('id')
      .execute();
    const records = await this.withCategories(trx, rows);
    for (const record of records) {
      await this.outbox.append(trx, {
        ...upsertedOutboxEvent(record, now),
        correlationId: options.correlationId,
      });
    }
    return records;
  }

  /** A transaction whose connection failures read as "MySQL is unavailable" (HTTP 503). */
  private transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return orDatabaseUnavailable(() => this.db.transaction().execute(work));
  }

  private async rewrite(
    trx: Transaction<Database>,
    current: ProductRow,
    input: ProductInput,
    options: ProductWriteOptions,
  ): Promise<ProductRecord> {
    const slugs = uniqueSlugs(input.categories);
    const categoryIds = await this.resolveCategories(trx, slugs);
    const now = new Date();
    const values = {
      sku: input.sku,
      name: input.name,
      description: input.description,
      price: roundPrice(input.price),
      version: current.version + 1,
      updated_at: now,
    };
    await this.guardSku(input.sku, () =>
      trx.updateTable('products').set(values).where('id', '=', current.id).execute(),
    );
    await trx.deleteFrom('product_categories').where('product_id', '=', current.id).execute();
    await this.linkCategories(trx, current.id, categoryIds);
    const record = toProductRecord({ ...current, ...values }, slugs);
    // Live prices take an edited price over from the event (see @shop/pricing's README).
    const priceChanged = roundPrice(Number(current.price)) !== values.price;
    await this.outbox.append(trx, {
      ...upsertedOutboxEvent(record, now, priceChanged),
      correlationId: options.correlationId,
    });
    return record;
  }

  /** Locks the row so concurrent writes to one product queue up and bump versions in turn. */
  private async lockForWrite(trx: Transaction<Database>, id: number): Promise<ProductRow> {
    const row = await trx
      .selectFrom('products')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw new ProductNotFoundError(id);
    return row;
  }

  private async guardSku<T>(sku: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isDuplicateKeyError(error, SKU_KEY)) throw new DuplicateSkuError(sku);
      throw error;
    }
  }

  /** Category ids for the slugs, in the slugs' order. */
  private async resolveCategories(
    trx: Transaction<Database>,
    slugs: readonly string[],
  ): Promise<number[]> {
    if (slugs.length === 0) return [];
    const rows = await trx
      .selectFrom('categories')
      .select(['id', 'slug'])
      .where('slug', 'in', [...slugs])
      .execute();
    const idOf = new Map(rows.map((row) => [row.slug, row.id]));
    const unknown = slugs.filter((slug) => !idOf.has(slug));
    if (unknown.length > 0) throw new UnknownCategoryError(unknown);
    return slugs.map((slug) => idOf.get(slug) as number);
  }

  private async linkCategories(
    trx: Transaction<Database>,
    productId: number,
    categoryIds: readonly number[],
  ): Promise<void> {
    if (categoryIds.length === 0) return;
    await trx
      .insertInto('product_categories')
      .values(
        categoryIds.map((categoryId, position) => ({
          product_id: productId,
          category_id: categoryId,
          position,
        })),
      )
      .execute();
  }

  private async categorySlugsOf(
    executor: Kysely<Database>,
    productIds: readonly number[],
  ): Promise<Map<number, string[]>> {
    const slugsOf = new Map<number, string[]>();
    if (productIds.length === 0) return slugsOf;
    const rows = await executor
      .selectFrom('product_categories as pc')
      .innerJoin('categories as c', 'c.id', 'pc.category_id')
      .select(['pc.product_id', 'c.slug'])
      .where('pc.product_id', 'in', [...productIds])
      .orderBy('pc.product_id')
      .orderBy('pc.position')
      .execute();
    for (const row of rows) {
      const slugs = slugsOf.get(row.product_id) ?? [];
      slugs.push(row.slug);
      slugsOf.set(row.product_id, slugs);
    }
    return slugsOf;
  }

  private async withCategories(
    executor: Kysely<Database>,
    rows: readonly ProductRow[],
  ): Promise<ProductRecord[]> {
    const slugsOf = await this.categorySlugsOf(
      executor,
      rows.map((row) => row.id),
    );
    return rows.map((row) => toProductRecord(row, slugsOf.get(row.id) ?? []));
  }
}
