import { Injectable } from '@nestjs/common';
import type { StockLevel } from '@shop/contracts';
import { Kysely, sql } from 'kysely';
import { InjectDatabase } from '../database.tokens';
import type { Database } from '../schema';
import { inTransaction } from '../transaction';
import { latestPerProduct, toDate, toStockLevel, VersionedStockRow } from './stock-rows';

export interface StockApplyResult {
  /** Rows left after keeping the newest per product. */
  received: number;
  /** Rows that changed MySQL: a new row, or an existing one moved to a newer version. */
  applied: number;
  /** Rows MySQL already had at that version or a newer one: duplicates and late arrivals. */
  stale: number;
  /** Products that no longer exist (deleted meanwhile); their rows were not written. */
  unknownProductIds: number[];
}

export interface StockPage {
  items: StockLevel[];
  nextAfterId: number | null;
}

/**
 * Stock figures in MySQL: the durable copy of the Redis ledger, written by the sync worker from
 * stock events. Versions decide, not arrival order, so duplicates and reordering are harmless.
 */
@Injectable()
export class StockRepository {
  constructor(@InjectDatabase() private readonly db: Kysely<Database>) {}

  /**
   * Writes each product's figure only where its version is newer than the stored one, in one
   * multi-row upsert (one round trip per batch). `version` is assigned last on purpose: MySQL and
   * MariaDB evaluate ON DUPLICATE KEY UPDATE assignments left to right, and the conditions above
   * it must still see the old version.
   */
  async applyVersioned(
    rows: readonly VersionedStockRow[],
    executor: Kysely<Database> = this.db,
  ): Promise<StockApplyResult> {
    return this.upsert(rows, executor, 'newer-only');
  }

  /**
   * Writes each product's figure whatever the stored version: for the reconciler, when the
   * ledger is the reference and MySQL holds a wrong figure at the same or a higher version.
   */
  async overwrite(
    rows: readonly VersionedStockRow[],
    executor: Kysely<Database> = this.db,
  ): Promise<StockApplyResult> {
    return this.upsert(rows, executor, 'always');
  }

  async findById(productId: number): Promise<StockLevel | null> {
    const [level] = await this.findByIds([productId]);
    return level ?? null;
  }

  async findByIds(productIds: readonly number[]): Promise<StockLevel[]> {
    if (productIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('stock')
      .selectAll()
      .where('product_id', 'in', [...new Set(productIds)])
      .orderBy('product_id')
      .execute();
    return rows.map(toStockLevel);
  }

  /** Keyset pagination by product id: start with `afterId` 0. */
  async page(afterId: number, limit: number): Promise<StockPage> {
    const rows = await this.db
      .selectFrom('stock')
      .selectAll()
      .where('product_id', '>', afterId)
      .orderBy('product_id')
      .limit(limit)
      .execute();
    const items = rows.map(toStockLevel);
    const last = items.at(-1);
    return { items, nextAfterId: last && items.length === limit ? last.id : null };
  }

  /** Every row; for small catalogs and tests, prefer `page` for big ones. */
  async findAll(): Promise<StockLevel[]> {
    const rows = await this.db.selectFrom('stock').selectAll().orderBy('product_id').execute();
    return rows.map(toStockLevel);
  }

  /**
   * Records barrier tokens (see `StockBarrier` in contracts): every stock event queued before
   * them is applied. Idempotent.
   */
  async recordBarriers(
    tokens: readonly string[],
    executor: Kysely<Database> = this.db,
  ): Promise<void> {
    if (tokens.length === 0) return;
    await executor
      .insertInto('stock_barriers')
      .values(tokens.map((token) => ({ token })))
      .onDuplicateKeyUpdate({ token: sql<string>`token` })
      .execute();
  }

  async barrierReached(token: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('stock_barriers')
      .select('token')
      .where('token', '=', token)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Barriers are only waited for once; old ones are noise. */
  async pruneBarriers(olderThan: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('stock_barriers')
      .where('reached_at', '<', olderThan)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private async upsert(
    rows: readonly VersionedStockRow[],
    executor: Kysely<Database>,
    mode: 'newer-only' | 'always',
  ): Promise<StockApplyResult> {
    const latest = latestPerProduct(rows);
    if (latest.length === 0) return { received: 0, applied: 0, stale: 0, unknownProductIds: [] };
    return inTransaction(executor, async (trx) => {
      // A shared lock keeps the products from being deleted before the upsert, whose foreign key
      // check would otherwise fail the whole batch. The foreign key check takes the same lock.
      const known = await trx
        .selectFrom('products')
        .select('id')
        .where(
          'id',
          'in',
          latest.map((row) => row.productId),
        )
        .modifyEnd(sql`lock in share mode`)
        .execute();
      const knownIds = new Set(known.map((row) => row.id));
      const writable = latest.filter((row) => knownIds.has(row.productId));
      const unknownProductIds = latest
        .filter((row) => !knownIds.has(row.productId))
        .map((row) => row.productId);
      if (writable.length === 0) {
        return { received: latest.length, applied: 0, stale: 0, unknownProductIds };
      }

      const existing = await trx
        .selectFrom('stock')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where(
          'product_id',
          'in',
          writable.map((row) => row.productId),
        )
        .executeTakeFirstOrThrow();
      const existingCount = Number(existing.count);

      const newer = sql<boolean>`values(version) > version`;
      const result = await trx
        .insertInto('stock')
        .values(
          writable.map((row) => ({
            product_id: row.productId,
            quantity: row.quantity,
            held: row.held ?? 0,
            version: row.version,
            updated_at: toDate(row.updatedAt),
          })),
        )
        .onDuplicateKeyUpdate(
          mode === 'newer-only'
            ? {
                quantity: sql<number>`if(${newer}, values(quantity), quantity)`,
                held: sql<number>`if(${newer}, values(held), held)`,
                updated_at: sql<Date>`if(${newer}, values(updated_at), updated_at)`,
                version: sql<number>`greatest(version, values(version))`,
              }
            : {
                quantity: sql<number>`values(quantity)`,
                held: sql<number>`values(held)`,
                updated_at: sql<Date>`values(updated_at)`,
                version: sql<number>`values(version)`,
              },
        )
        .executeTakeFirst();

      // mysql2 connects with CLIENT_FOUND_ROWS, so each row counts 1 when inserted, 2 when
      // changed and 1 when left as it was: the excess over the row count is the changed rows.
      const changed = Number(result.numInsertedOrUpdatedRows ?? 0) - writable.length;
      const inserted = writable.length - existingCount;
      return {
        received: latest.length,
        applied: inserted + changed,
        stale: existingCount - changed,
        unknownProductIds,
      };
    });
  }
}
