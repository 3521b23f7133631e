/**
 * Creates the database named by MYSQL_URL when missing and applies every pending migration.
 * `npx tsx scripts/db/migrate.ts` or `node dist/scripts/db/migrate.js`. Safe to run again.
 */
import { parseShopConfig } from '@shop/config';
import { createDatabase, ensureDatabase, migrateToLatest, parseMysqlUrl } from '@shop/persistence';
import { errorMessage } from '@shop/common';

async function main(): Promise<void> {
  const { MYSQL_URL } = parseShopConfig(process.env);
  const { database, host, port } = parseMysqlUrl(MYSQL_URL);
  if (await ensureDatabase(MYSQL_URL))
    console.log(`created database ${database} on ${host}:${port}`);
  const db = createDatabase(MYSQL_URL, { connectionLimit: 1 });
  try {
    const applied = await migrateToLatest(db);
    console.log(
      applied.length === 0
        ? `database ${database} is up to date`
        : `applied ${applied.length} migration(s) to ${database}: ${applied.join(', ')}`,
    );
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(errorMessage(error));
  process.exitCode = 1;
});
