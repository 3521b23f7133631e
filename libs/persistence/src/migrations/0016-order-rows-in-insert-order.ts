import { Kysely, sql } from 'kysely';

/**
 * Orders and their lines get an AUTO_INCREMENT primary key, so InnoDB stores new rows at the end
 * of each table instead of at a random place. Their ids are random (128 bits, unguessable): with
 * the id as the clustered key every insert landed on a random page, and once the two tables
 * outgrew the buffer pool each order cost about two page reads from disk (measured at 280,000
 * orders with MariaDB's default 128 MB pool: MariaDB's CPU per order in `bench:checkout` had
 * grown from about 150 µs to 320–400). The ids stay unique keys, which is what writes an order
 * exactly once (a second insert of the same order is a duplicate of `uq_orders_id`); their
 * entries are small, so they stay in memory far longer than whole rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The unique key on id comes first: order_lines' foreign key needs an index on orders.id.
  await sql`alter table orders
    add unique key uq_orders_id (id),
    drop primary key,
    add column seq bigint unsigned not null auto_increment first,
    add primary key (seq)`.execute(db);
  // The foreign key on order_id keeps uq_order_lines_product (order_id, product_id) as its index.
  await sql`alter table order_lines
    drop primary key,
    add column seq bigint unsigned not null auto_increment first,
    add primary key (seq),
    add unique key uq_order_lines_line (order_id, line_no)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table order_lines
    drop primary key,
    drop column seq,
    drop index uq_order_lines_line,
    add primary key (order_id, line_no)`.execute(db);
  await sql`alter table orders
    drop primary key,
    drop column seq,
    add primary key (id),
    drop index uq_orders_id`.execute(db);
}
