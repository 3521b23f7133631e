import { Kysely, sql } from 'kysely';
import { DATETIME_MS, NOW_MS, TABLE_OPTIONS } from './table-options';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigint', (col) => col.unsigned().autoIncrement().primaryKey())
    .addColumn('aggregate_type', 'varchar(32)', (col) => col.notNull())
    .addColumn('aggregate_id', 'varchar(64)', (col) => col.notNull())
    .addColumn('event_type', 'varchar(64)', (col) => col.notNull())
    // LONGTEXT rather than JSON: MySQL's JSON type comes back parsed and MariaDB's as text;
    // storing text on both keeps one code path (the relay publishes the text as it is).
    .addColumn('payload', sql`longtext`, (col) => col.notNull())
    .addColumn('created_at', DATETIME_MS, (col) => col.notNull().defaultTo(NOW_MS))
    .addColumn('published_at', DATETIME_MS)
    .addColumn('attempts', 'integer', (col) => col.unsigned().notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  // "Unpublished, oldest first" is a range scan on (NULL, id) of this index.
  await db.schema
    .createIndex('ix_outbox_unpublished')
    .on('outbox')
    .columns(['published_at', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('outbox').execute();
}
