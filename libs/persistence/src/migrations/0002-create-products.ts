import { Kysely } from 'kysely';
import { DATETIME_MS, NOW_MS, TABLE_OPTIONS } from './table-options';

/**
 * Products are deleted for real: the outbox carries `product.deleted` to every view, so a
 * soft-delete column would only make every read filter it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('products')
    .addColumn('id', 'integer', (col) => col.unsigned().autoIncrement().primaryKey())
    .addColumn('sku', 'varchar(64)', (col) => col.notNull())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull())
    .addColumn('price', 'decimal(12, 2)', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.unsigned().notNull().defaultTo(1))
    .addColumn('created_at', DATETIME_MS, (col) => col.notNull().defaultTo(NOW_MS))
    .addColumn('updated_at', DATETIME_MS, (col) => col.notNull().defaultTo(NOW_MS))
    .addUniqueConstraint('uq_products_sku', ['sku'])
    .modifyEnd(TABLE_OPTIONS)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('products').execute();
}
