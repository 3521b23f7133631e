import { Kysely } from 'kysely';
import { TABLE_OPTIONS } from './table-options';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('categories')
    .addColumn('id', 'integer', (col) => col.unsigned().autoIncrement().primaryKey())
    .addColumn('slug', 'varchar(128)', (col) => col.notNull())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('parent_id', 'integer', (col) => col.unsigned())
    .addColumn('position', 'integer', (col) => col.notNull().defaultTo(0))
    .addUniqueConstraint('uq_categories_slug', ['slug'])
    // Restrict, not cascade: removing a menu branch must be a deliberate act on its children.
    .addForeignKeyConstraint('fk_categories_parent', ['parent_id'], 'categories', ['id'])
    .modifyEnd(TABLE_OPTIONS)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('categories').execute();
}
