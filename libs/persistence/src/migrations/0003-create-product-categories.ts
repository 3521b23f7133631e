import { Kysely } from 'kysely';
import { TABLE_OPTIONS } from './table-options';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('product_categories')
    .addColumn('product_id', 'integer', (col) => col.unsigned().notNull())
    .addColumn('category_id', 'integer', (col) => col.unsigned().notNull())
    .addColumn('position', 'smallint', (col) => col.unsigned().notNull().defaultTo(0))
    .addPrimaryKeyConstraint('pk_product_categories', ['product_id', 'category_id'])
    .addForeignKeyConstraint(
      'fk_product_categories_product',
      ['product_id'],
      'products',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint(
      'fk_product_categories_category',
      ['category_id'],
      'categories',
      ['id'],
      (fk) => fk.onDelete('cascade'),
    )
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  // The primary key serves "categories of a product"; this serves "products of a category".
  await db.schema
    .createIndex('ix_product_categories_category')
    .on('product_categories')
    .columns(['category_id', 'product_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('product_categories').execute();
}
