import { sql } from 'kysely';
import { MIGRATIONS } from './migrations';
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
});
