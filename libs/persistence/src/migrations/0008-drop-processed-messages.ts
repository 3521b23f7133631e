import { Kysely } from 'kysely';
import { up as createProcessedMessages } from './0006-create-processed-messages';

// Nothing ever wrote this table: consumers are idempotent by version and by re-reading MySQL,
// not by remembering message ids. Dropped so the schema says what the code does.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('processed_messages').ifExists().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await createProcessedMessages(db);
}
