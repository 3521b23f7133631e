import { Migrator, sql } from 'kysely';
import { MIGRATIONS, migrationProvider } from './migrations';
import { migrateDownToZero, migrateToLatest, migrationStatus } from './migrate';
import { createTestDatabase, TestDatabase } from './testing/test-database';

describe('migrations (MySQL)', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase({ migrate: false });
  });

  afterAll(async () => {
    await test?.drop();
  });

  const tables = async (): Promise<string[]> => {
    const result = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = database() and table_name not like 'kysely%'`.execute(test.db);
    return result.rows.map((row) => row.name).sort();
  };

  const names = Object.keys(MIGRATIONS).sort();
  const allTables = [
    'back_in_stock_subscriptions',
    'categories',
    'order_lines',
    'orders',
    'outbox',
    'product_categories',
    'products',
    'stock',
    'stock_barriers',
    'stock_ledger_epochs',
  ];

  it('applies every migration in order, then none', async () => {
    expect(await migrateToLatest(test.db)).toEqual(names);
    expect(await tables()).toEqual(allTables);
    expect(await migrateToLatest(test.db)).toEqual([]);
    const status = await migrationStatus(test.db);
    expect(status.map((migration) => migration.name)).toEqual(names);
    expect(status.every((migration) => migration.executedAt instanceof Date)).toBe(true);
  });

  it('creates InnoDB utf8mb4 tables', async () => {
    const result = await sql<{ engine: string; collation: string }>`
      select engine, table_collation as collation from information_schema.tables
      where table_schema = database() and table_name not like 'kysely%'`.execute(test.db);
    for (const row of result.rows) {
      expect(row.engine).toBe('InnoDB');
      expect(row.collation).toBe('utf8mb4_unicode_ci');
    }
  });

  it('reverts every migration newest first and applies them again', async () => {
    expect(await migrateDownToZero(test.db)).toEqual([...names].reverse());
    expect(await tables()).toEqual([]);
    expect(await migrateToLatest(test.db)).toEqual(names);
    expect(await tables()).toEqual(allTables);
  });

  it('keeps the orders written before 0016, each still once by id, new rows after them', async () => {
    await migrateDownToZero(test.db);
    const migrator = new Migrator({ db: test.db, provider: migrationProvider });
    const before = await migrator.migrateTo('0015-add-product-sale-prices');
    expect(before.error).toBeUndefined();
    const order = (id: string, cart: string) => sql`
      insert into orders (id, cart_id, status, email, ship_name, ship_line1, ship_city,
        ship_postcode, ship_country, total_quantity, subtotal, total, placed_at)
      values (${id}, ${cart}, 'confirmed', 'ada@example.com', 'Ada', '1 Road', 'Town', '1',
        'GB', 1, 9.5, 9.5, now(3))
      on duplicate key update id = id`;
    const line = (id: string) => sql`
      insert into order_lines (order_id, line_no, product_id, name, unit_price, quantity,
        line_total)
      values (${id}, 1, 7, 'Boot', 9.5, 1, 9.5)
      on duplicate key update order_id = order_id`;
    const old = 'f'.repeat(32);
    await order(old, 'c'.repeat(32)).execute(test.db);
    await line(old).execute(test.db);

    expect(await migrateToLatest(test.db)).toEqual(
      names.slice(names.indexOf('0016-order-rows-in-insert-order')),
    );
    const fresh = '0'.repeat(32);
    await order(fresh, 'd'.repeat(32)).execute(test.db);
    await line(fresh).execute(test.db);
    // Written again, as a redelivered order.placed is: no second row.
    await order(old, 'c'.repeat(32)).execute(test.db);
    await line(old).execute(test.db);

    const orders = await sql<{ id: string; seq: number }>`
      select id, seq from orders order by seq`.execute(test.db);
    expect(orders.rows.map((row) => row.id)).toEqual([old, fresh]);
    const lines = await sql<{ order_id: string }>`
      select order_id from order_lines order by seq`.execute(test.db);
    expect(lines.rows.map((row) => row.order_id)).toEqual([old, fresh]);
  });
});
