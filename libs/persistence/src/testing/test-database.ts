import { randomBytes } from 'node:crypto';
import { Kysely } from 'kysely';
import { createDatabase, dropDatabase, ensureDatabase } from '../connection';
import { migrateToLatest } from '../migrate';
import type { Database } from '../schema';

export interface TestDatabase {
  /** `mysql://.../shop_test_<random>`: hand it to apps under test as MYSQL_URL. */
  url: string;
  name: string;
  db: Kysely<Database>;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Server to use; its database part is replaced. Default: MYSQL_URL or the local server. */
  serverUrl?: string;
  /** Run the migrations (default true). */
  migrate?: boolean;
}

const TEST_DATABASE_PREFIX = 'shop_test_';

/**
 * A throwaway database `shop_test_<random>` for integration tests, so tests running at the same
 * time never share rows. Call `drop()` in `afterAll`.
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const url = new URL(
    options.serverUrl ?? process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/shop',
  );
  const name = `${TEST_DATABASE_PREFIX}${randomBytes(6).toString('hex')}`;
  url.pathname = `/${name}`;
  const testUrl = url.toString();
  await ensureDatabase(testUrl);
  const db = createDatabase(testUrl, { connectionLimit: 5 });
  try {
    if (options.migrate ?? true) await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    await dropDatabase(testUrl);
    throw error;
  }
  return {
    url: testUrl,
    name,
    db,
    drop: async () => {
      await db.destroy();
      await dropDatabase(testUrl);
    },
  };
}
