import { Kysely, sql } from 'kysely';
import { DATETIME_MS, NOW_MS, TABLE_OPTIONS } from './table-options';

/**
 * `stock_ledger_epochs`: one row per Redis stock ledger built for this database (see
 * libs/contracts/src/stock-version.ts). A rebuilt ledger takes the next epoch, so its versions
 * never repeat one issued before the loss.
 *
 * `stock_barriers`: tokens the stock→MySQL consumer records once it has applied every stock event
 * queued before the token. A ledger rebuild waits for its token, so it reads MySQL only after
 * every event already published has landed there.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stock_ledger_epochs')
    .addColumn('epoch', 'integer', (col) => col.unsigned().primaryKey())
    .addColumn('started_at', DATETIME_MS, (col) => col.notNull().defaultTo(NOW_MS))
    .addColumn('reason', 'varchar(200)', (col) => col.notNull())
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema
    .createTable('stock_barriers')
    .addColumn('token', 'varchar(64)', (col) => col.primaryKey())
    .addColumn('reached_at', DATETIME_MS, (col) => col.notNull().defaultTo(NOW_MS))
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  // A database that already has stock had a ledger before epochs were recorded: that ledger was
  // epoch 0, so the next rebuild must start epoch 1.
  await sql`
    insert into stock_ledger_epochs (epoch, reason)
    select 0, 'ledger in use before epochs were recorded' from dual
    where exists (select 1 from stock)
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('stock_barriers').execute();
  await db.schema.dropTable('stock_ledger_epochs').execute();
}
