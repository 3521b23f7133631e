import { Kysely } from 'kysely';

// The id of the request that wrote the row, published as the message's AMQP `correlationId`.
// Nullable: rows from before, and writes made outside a request (scripts), have none.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('correlation_id', 'varchar(128)').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').dropColumn('correlation_id').execute();
}
