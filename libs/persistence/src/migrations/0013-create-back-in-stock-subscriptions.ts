import { Kysely, sql } from 'kysely';
import { DATETIME_MS, NOW_MS, TABLE_OPTIONS } from './table-options';

/**
 * Back-in-stock subscriptions: who wants an email when a sold-out product is restocked. One row
 * per (email, product): the unique key is what makes a repeated sign-up answer the same row (the
 * collation compares addresses case-insensitively). After the email went out the row may start
 * another `round` (the same shopper asks again after the next sell-out); the round is part of the
 * email's Message-ID, so a resend of one round has the same id and a new round a new one.
 *
 * `claim_token` / `claimed_at`: the notifier claims a row before it sends (see
 * libs/notifications/README.md), so two workers never mail the same subscriber at once and a
 * crashed one's claim is taken over by the redelivery of the same event.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('back_in_stock_subscriptions')
    .addColumn('id', 'bigint', (col) => col.unsigned().autoIncrement().primaryKey())
    // No foreign key to products: a deleted product's subscriptions are history, not an error.
    .addColumn('product_id', 'integer', (col) => col.unsigned().notNull())
    .addColumn('email', 'varchar(254)', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull().defaultTo('pending'))
    .addColumn('round', 'integer', (col) => col.unsigned().notNull().defaultTo(1))
    .addColumn('subscribed_at', DATETIME_MS, (col) => col.notNull().defaultTo(NOW_MS))
    .addColumn('claim_token', 'varchar(64)')
    .addColumn('claimed_at', DATETIME_MS)
    .addColumn('sent_at', DATETIME_MS)
    .addColumn('last_error', 'varchar(500)')
    .addUniqueConstraint('uq_back_in_stock_email_product', ['email', 'product_id'])
    .addCheckConstraint('ck_back_in_stock_status', sql`status in ('pending', 'sent', 'rejected')`)
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  // The notifier's read: a product's waiting subscribers, oldest first.
  await db.schema
    .createIndex('ix_back_in_stock_product_status')
    .on('back_in_stock_subscriptions')
    .columns(['product_id', 'status', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('back_in_stock_subscriptions').execute();
}
