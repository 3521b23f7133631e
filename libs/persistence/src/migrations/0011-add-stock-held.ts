import { Kysely, sql } from 'kysely';

/**
 * Holds (issue 13): `quantity` stays what can be sold (the `stock` of every stock event, so
 * search, caches and the reconciler keep comparing the same figure); `held` is what open carts
 * hold; `on_hand`, the units in the warehouse, is derived from both so the three can never
 * disagree. Rows written before holds have held 0: on hand was their quantity.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('stock')
    .addColumn('held', 'integer', (col) => col.unsigned().notNull().defaultTo(0))
    .execute();
  // STORED, GENERATED ALWAYS AS: the same text on MySQL 8 and MariaDB 10.11.
  await sql`alter table stock add column on_hand int unsigned generated always as (quantity + held) stored`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('stock').dropColumn('on_hand').execute();
  await db.schema.alterTable('stock').dropColumn('held').execute();
}
