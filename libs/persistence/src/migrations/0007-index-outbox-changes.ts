import { Kysely } from 'kysely';

// A full reindex replays the products written since it began ("changes of one aggregate type
// since T"); without this index that query scans the whole outbox.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('ix_outbox_aggregate_created')
    .on('outbox')
    .columns(['aggregate_type', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('ix_outbox_aggregate_created').on('outbox').execute();
}
