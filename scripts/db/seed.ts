/**
 * Seeds the deterministic demo shop when the catalog is empty (migrating first, so it also works
 * on a fresh database). `npx tsx scripts/db/seed.ts [--products N] [--seed S]`, or compiled
 * `node dist/scripts/db/seed.js`. Writes no outbox rows: reindex Elasticsearch and restore Redis
 * from MySQL afterwards.
 */
import { parseArgs } from 'node:util';
import { parseShopConfig } from '@shop/config';
import {
  createDatabase,
  DEMO_PRODUCT_COUNT,
  DEMO_SEED,
  ensureDatabase,
  generateDemoCatalog,
  migrateToLatest,
  ProductRepository,
  seedDemoCatalog,
} from '@shop/persistence';
import { errorMessage } from '@shop/common';

function positiveInteger(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new Error(`${flag} must be a positive integer`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { products: { type: 'string' }, seed: { type: 'string' } },
  });
  const productCount = positiveInteger(values.products, DEMO_PRODUCT_COUNT, '--products');
  const seed = positiveInteger(values.seed, DEMO_SEED, '--seed');
  const { MYSQL_URL } = parseShopConfig(process.env);

  await ensureDatabase(MYSQL_URL);
  const db = createDatabase(MYSQL_URL, { connectionLimit: 2 });
  try {
    const applied = await migrateToLatest(db);
    if (applied.length > 0) console.log(`applied migration(s): ${applied.join(', ')}`);
    const existing = await new ProductRepository(db).countAll();
    if (existing > 0) {
      console.log(`catalog already has ${existing} products, not seeding`);
      return;
    }
    const started = Date.now();
    const result = await seedDemoCatalog(db, generateDemoCatalog(seed, productCount));
    console.log(
      `seeded ${result.categories} categories and ${result.products} products (seed ${seed}) in ${Date.now() - started} ms`,
    );
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(errorMessage(error));
  process.exitCode = 1;
});
