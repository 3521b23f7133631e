import { Kysely, sql } from 'kysely';
import { DATETIME_MS, NOW_MS, TABLE_OPTIONS } from './table-options';

/**
 * Orders as the order worker writes them from `order.placed` (see libs/contracts/src/orders.ts).
 * The id is the order's opaque id from the checkout (the message's `messageId` too): inserting
 * the same order twice hits the primary key, which is how the worker writes it exactly once.
 * Money is DECIMAL in major units, as `products.price`. The shipping address is kept as given,
 * column by column, because the order must not change when the customer's details do.
 *
 * Status: pending (placed, not yet here; rows normally arrive as `confirmed`) → confirmed →
 * paid | cancelled. A payment step sets `paid_at`; a cancel puts units back on hand.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('orders')
    .addColumn('id', 'char(32)', (col) => col.primaryKey())
    .addColumn('cart_id', 'char(32)', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull())
    .addColumn('email', 'varchar(254)', (col) => col.notNull())
    .addColumn('ship_name', 'varchar(200)', (col) => col.notNull())
    .addColumn('ship_line1', 'varchar(200)', (col) => col.notNull())
    .addColumn('ship_line2', 'varchar(200)')
    .addColumn('ship_city', 'varchar(100)', (col) => col.notNull())
    .addColumn('ship_postcode', 'varchar(20)', (col) => col.notNull())
    .addColumn('ship_country', 'char(2)', (col) => col.notNull())
    .addColumn('total_quantity', 'integer', (col) => col.unsigned().notNull())
    .addColumn('subtotal', 'decimal(12, 2)', (col) => col.notNull())
    .addColumn('total', 'decimal(12, 2)', (col) => col.notNull())
    .addColumn('placed_at', DATETIME_MS, (col) => col.notNull())
    .addColumn('confirmed_at', DATETIME_MS)
    .addColumn('paid_at', DATETIME_MS)
    .addColumn('cancelled_at', DATETIME_MS)
    .addColumn('updated_at', DATETIME_MS, (col) => col.notNull().defaultTo(NOW_MS))
    // One order per cart: a second `order.placed` for a cart would be a bug upstream.
    .addUniqueConstraint('uq_orders_cart', ['cart_id'])
    .addCheckConstraint(
      'ck_orders_status',
      sql`status in ('pending', 'confirmed', 'paid', 'cancelled')`,
    )
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema.createIndex('ix_orders_placed_at').on('orders').column('placed_at').execute();
  await db.schema
    .createTable('order_lines')
    .addColumn('order_id', 'char(32)', (col) => col.notNull())
    .addColumn('line_no', 'smallint', (col) => col.unsigned().notNull())
    // No foreign key to products: an order keeps its lines when a product is deleted later.
    .addColumn('product_id', 'integer', (col) => col.unsigned().notNull())
    .addColumn('name', 'varchar(255)', (col) => col.notNull())
    .addColumn('unit_price', 'decimal(10, 2)', (col) => col.notNull())
    .addColumn('quantity', 'integer', (col) => col.unsigned().notNull())
    .addColumn('line_total', 'decimal(12, 2)', (col) => col.notNull())
    .addPrimaryKeyConstraint('pk_order_lines', ['order_id', 'line_no'])
    .addUniqueConstraint('uq_order_lines_product', ['order_id', 'product_id'])
    .addForeignKeyConstraint('fk_order_lines_order', ['order_id'], 'orders', ['id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .modifyEnd(TABLE_OPTIONS)
    .execute();
  await db.schema
    .createIndex('ix_order_lines_product')
    .on('order_lines')
    .column('product_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('order_lines').execute();
  await db.schema.dropTable('orders').execute();
}
