import { Kysely } from 'kysely';
import { DATETIME_MS, NOW_MS, TABLE_OPTIONS } from './table-options';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('processed_messages')
    .addColumn('consumer', 'varchar(64)', (col) => col.notNull())
    .addColumn('message_id', 'varchar(191)', (col) => col.notNull())
    .addColumn('processed_at', DATETIME_MS, (col) => col.notNull().defaultTo(NOW_MS))
    .addPrimaryKeyConstraint('pk_processed_messages', ['consumer', 'message_id'])
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema
    .createIndex('ix_processed_messages_processed_at')
    .on('processed_messages')
    .column('processed_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('processed_messages').execute();
}
