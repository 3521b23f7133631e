import { Kysely } from 'kysely';
import { DATETIME_MS, NOW_MS, TABLE_OPTIONS } from './table-options';

/**
 * One row per product, created with the product. The foreign key cascades a product delete to
 * its stock; `StockRepository.applyVersioned` skips events for products deleted meanwhile rather
 * than failing the whole batch on the constraint.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stock')
    .addColumn('product_id', 'integer', (col) => col.unsigned().primaryKey())
    .addColumn('quantity', 'integer', (col) => col.unsigned().notNull().defaultTo(0))
    .addColumn('version', 'bigint', (col) => col.unsigned().notNull().defaultTo(0))
    .addColumn('updated_at', DATETIME_MS, (col) => col.notNull().defaultTo(NOW_MS))
    .addForeignKeyConstraint('fk_stock_product', ['product_id'], 'products', ['id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .modifyEnd(TABLE_OPTIONS)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('stock').execute();
}
