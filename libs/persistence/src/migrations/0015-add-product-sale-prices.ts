import { Kysely } from 'kysely';
import { DATETIME_MS } from './table-options';

/**
 * Live prices (issue 17): the price route changes a product's price in Redis and the sync worker's
 * `price` consumer writes it here. `price` stays the regular price; the sale is `sale_price` from
 * `sale_starts_at` (NULL = already) until `sale_ends_at` (NULL = until ended), all NULL without a
 * sale. `price_version` is the Redis price version last written: the consumer writes only newer
 * ones, so redelivered or late events change nothing; 0 = never changed through the price route.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('products')
    .addColumn('sale_price', 'decimal(12, 2)')
    .addColumn('sale_starts_at', DATETIME_MS)
    .addColumn('sale_ends_at', DATETIME_MS)
    .addColumn('price_version', 'bigint', (col) => col.unsigned().notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('products')
    .dropColumn('price_version')
    .dropColumn('sale_ends_at')
    .dropColumn('sale_starts_at')
    .dropColumn('sale_price')
    .execute();
}
