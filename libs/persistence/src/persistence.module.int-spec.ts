import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Kysely } from 'kysely';
import { pingDatabase } from './connection';
import { DATABASE, InjectDatabase } from './database.tokens';
import { generateDemoCatalog } from './demo/demo-catalog';
import { seedDemoCatalog } from './demo/seed-demo-catalog';
import { PersistenceModule } from './persistence.module';
import { ProductRepository } from './products/product.repository';
import type { Database } from './schema';
import { StockRepository } from './stock/stock.repository';
import { createTestDatabase, TestDatabase } from './testing/test-database';

@Injectable()
class UsesDatabase {
  constructor(@InjectDatabase() readonly db: Kysely<Database>) {}
}

describe('PersistenceModule and demo seeding (MySQL)', () => {
  let test: TestDatabase;

  beforeAll(async () => {
    test = await createTestDatabase();
  });

  afterAll(async () => {
    await test?.drop();
  });

  it('provides the database and repositories, and closes the pool on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PersistenceModule.forRoot({ url: test.url, connectionLimit: 2 })],
      providers: [UsesDatabase],
    }).compile();
    const app = await moduleRef.init();
    const db = app.get<Kysely<Database>>(DATABASE);
    expect(app.get(UsesDatabase).db).toBe(db);
    await pingDatabase(db);
    expect(await app.get(ProductRepository).countAll()).toBe(0);
    await app.close();
    await expect(pingDatabase(db)).rejects.toThrow();
  });

  it('seeds the demo catalog without outbox rows', async () => {
    const catalog = generateDemoCatalog(7, 300);
    expect(await seedDemoCatalog(test.db, catalog, 120)).toEqual({
      categories: catalog.categories.length,
      products: 300,
    });
    const products = new ProductRepository(test.db);
    expect(await products.countAll()).toBe(300);
    const blazer = await products.findById(1);
    expect(blazer).toMatchObject({ name: 'Linen Blazer', sku: 'SKU-000001', version: 1 });
    expect(blazer?.categories).toEqual(catalog.products[0]?.categories);
    expect(blazer?.createdAt).toBe(catalog.products[0]?.createdAt);
    const levels = await new StockRepository(test.db).findAll();
    expect(levels.map((level) => level.stock)).toEqual(
      catalog.products.map((product) => product.stock),
    );
    const outbox = await test.db.selectFrom('outbox').select('id').execute();
    expect(outbox).toEqual([]);
  });
});
