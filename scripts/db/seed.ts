/**
 * Seeds the deterministic demo shop when the catalog is empty (migrating first, so it also works
 * on a fresh database). `npx tsx scripts/db/seed.ts [--products N] [--seed S]`, or compiled
 * `node dist/scripts/db/seed.js`. Writes no outbox rows: reindex Elasticsearch and restore Redis
 * from MySQL afterwards.
 */
import { Module } from '@nestjs/common';
import { parseArgs } from 'node:util';
import { SHOP_CONFIG, ShopConfigModule, type ShopConfig } from '@shop/config';
import {
  DATABASE,
  DEMO_PRODUCT_COUNT,
  DEMO_SEED,
  ensureDatabase,
  generateDemoCatalog,
  migrateToLatest,
  PersistenceModule,
  ProductRepository,
  seedDemoCatalog,
  type Database,
} from '@shop/persistence';
import type { Kysely } from 'kysely';
import { runCli, withCliContext } from '../cli';

function positiveInteger(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new Error(`${flag} must be a positive integer`);
  return parsed;
}

@Module({ imports: [ShopConfigModule, PersistenceModule.forRoot({ connectionLimit: 2 })] })
class SeedModule {}

runCli(async () => {
  const { values } = parseArgs({
    options: { products: { type: 'string' }, seed: { type: 'string' } },
  });
  const productCount = positiveInteger(values.products, DEMO_PRODUCT_COUNT, '--products');
  const seed = positiveInteger(values.seed, DEMO_SEED, '--seed');

  await withCliContext(SeedModule, async (app) => {
    const { MYSQL_URL } = app.get<ShopConfig>(SHOP_CONFIG);
    // Before the pool's first query: its connections name the database.
    await ensureDatabase(MYSQL_URL);
    const db = app.get<Kysely<Database>>(DATABASE);
    const applied = await migrateToLatest(db);
    if (applied.length > 0) console.log(`applied migration(s): ${applied.join(', ')}`);
    const existing = await app.get(ProductRepository).countAll();
    if (existing > 0) {
      console.log(`catalog already has ${existing} products, not seeding`);
      return;
    }
    const started = Date.now();
    const result = await seedDemoCatalog(db, generateDemoCatalog(seed, productCount));
    console.log(
      `seeded ${result.categories} categories and ${result.products} products (seed ${seed}) in ${Date.now() - started} ms`,
    );
  });
});
