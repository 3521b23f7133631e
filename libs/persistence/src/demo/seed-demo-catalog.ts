import { Kysely } from 'kysely';
import { CategoryRepository } from '../categories/category.repository';
import type { Database } from '../schema';
import type { DemoCatalog } from './demo-catalog';

export interface SeedResult {
  categories: number;
  products: number;
}

/**
 * Writes a demo catalog straight into the tables, in batches of `batchSize` products, each batch
 * one transaction (products, their category links and stock rows together). It writes no outbox
 * rows: after seeding, the set-up rebuilds Elasticsearch and Redis from MySQL in bulk, which is
 * far faster than relaying one event per product. Products keep the generator's ids.
 */
export async function seedDemoCatalog(
  db: Kysely<Database>,
  catalog: DemoCatalog,
  batchSize = 500,
): Promise<SeedResult> {
  await new CategoryRepository(db).upsertMany(catalog.categories);
  const categoryRows = await db.selectFrom('categories').select(['id', 'slug']).execute();
  const categoryIdOf = new Map(categoryRows.map((row) => [row.slug, row.id]));
  const categoryId = (slug: string): number => {
    const id = categoryIdOf.get(slug);
    if (id === undefined) throw new Error(`demo product names unknown category ${slug}`);
    return id;
  };

  const seededAt = new Date();
  for (let start = 0; start < catalog.products.length; start += batchSize) {
    const batch = catalog.products.slice(start, start + batchSize);
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('products')
        .values(
          batch.map((product) => ({
            id: product.id,
            sku: product.sku,
            name: product.name,
            description: product.description,
            price: product.price,
            version: 1,
            created_at: new Date(product.createdAt),
            updated_at: new Date(product.createdAt),
          })),
        )
        .execute();
      await trx
        .insertInto('product_categories')
        .values(
          batch.flatMap((product) =>
            product.categories.map((slug, position) => ({
              product_id: product.id,
              category_id: categoryId(slug),
              position,
            })),
          ),
        )
        .execute();
      await trx
        .insertInto('stock')
        .values(
          batch.map((product) => ({
            product_id: product.id,
            quantity: product.stock,
            version: 1,
            updated_at: seededAt,
          })),
        )
        .execute();
    });
  }
  return { categories: catalog.categories.length, products: catalog.products.length };
}
