/**
 * Creates the database named by MYSQL_URL when missing and applies every pending migration.
 * `npx tsx scripts/db/migrate.ts` or `node dist/scripts/db/migrate.js`. Safe to run again.
 */
import { Module } from '@nestjs/common';
import { parseArgs } from 'node:util';
import { SHOP_CONFIG, ShopConfigModule, type ShopConfig } from '@shop/config';
import {
  DATABASE,
  ensureDatabase,
  migrateToLatest,
  parseMysqlUrl,
  PersistenceModule,
  type Database,
} from '@shop/persistence';
import type { Kysely } from 'kysely';
import { runCli, withCliContext } from '../cli';

@Module({ imports: [ShopConfigModule, PersistenceModule.forRoot({ connectionLimit: 1 })] })
class MigrateModule {}

runCli(async () => {
  parseArgs({ options: {} }); // takes none: an unknown flag is an error, not ignored
  await withCliContext(MigrateModule, async (app) => {
    const { MYSQL_URL } = app.get<ShopConfig>(SHOP_CONFIG);
    const { database, host, port } = parseMysqlUrl(MYSQL_URL);
    // Before the pool's first query: its connections name the database.
    if (await ensureDatabase(MYSQL_URL)) {
      console.log(`created database ${database} on ${host}:${port}`);
    }
    const applied = await migrateToLatest(app.get<Kysely<Database>>(DATABASE));
    console.log(
      applied.length === 0
        ? `database ${database} is up to date`
        : `applied ${applied.length} migration(s) to ${database}: ${applied.join(', ')}`,
    );
  });
});
