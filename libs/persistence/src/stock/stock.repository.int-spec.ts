import { CategoryRepository } from '../categories/category.repository';
import { ProductRepository } from '../products/product.repository';
import { createTestDatabase, TestDatabase } from '../testing/test-database';
import { StockRepository } from './stock.repository';

describe('StockRepository (MySQL)', () => {
  let test: TestDatabase;
  let stock: StockRepository;
  let ids: number[];

  const at = (second: number): string => new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString();

  beforeAll(async () => {
    test = await createTestDatabase();
    stock = new StockRepository(test.db);
    await new CategoryRepository(test.db).upsertMany([
      { slug: 'misc', name: 'Misc', parentSlug: null },
    ]);
    const products = new ProductRepository(test.db);
    ids = [];
    for (let index = 0; index < 5; index += 1) {
      const product = await products.create({
        sku: `SKU-STOCK-${index}`,
        name: `Product ${index}`,
        description: '',
        price: 10,
        categories: ['misc'],
      });
      ids.push(product.id);
    }
  });

  afterAll(async () => {
    await test?.drop();
  });

  it('applies newer versions and ignores older ones and duplicates', async () => {
    const [a, b] = ids as [number, number];
    expect(
      await stock.applyVersioned([
        { productId: a, quantity: 10, version: 1, updatedAt: at(1) },
        { productId: b, quantity: 5, version: 3, updatedAt: at(3) },
      ]),
    ).toEqual({ received: 2, applied: 2, stale: 0, unknownProductIds: [] });

    const result = await stock.applyVersioned([
      { productId: a, quantity: 7, version: 2, updatedAt: at(2) },
      { productId: a, quantity: 99, version: 1, updatedAt: at(9) },
      { productId: b, quantity: 4, version: 2, updatedAt: at(2) },
      { productId: b, quantity: 5, version: 3, updatedAt: at(3) },
    ]);
    expect(result).toEqual({ received: 2, applied: 1, stale: 1, unknownProductIds: [] });

    expect(await stock.findByIds([b, a])).toEqual([
      { id: a, stock: 7, onHand: 7, held: 0, version: 2, updatedAt: at(2) },
      { id: b, stock: 5, onHand: 5, held: 0, version: 3, updatedAt: at(3) },
    ]);
  });

  it('keeps held with the version, and on hand as what can be sold plus held', async () => {
    // A product of its own: the tests below look at the others' versions.
    const c = ids[4];
    await stock.applyVersioned([
      { productId: c, quantity: 6, held: 4, version: 10, updatedAt: at(10) },
    ]);
    expect(await stock.findById(c)).toMatchObject({ stock: 6, onHand: 10, held: 4, version: 10 });
    // An older event changes neither figure; a newer one without `held` (from before holds) is 0.
    await stock.applyVersioned([
      { productId: c, quantity: 1, held: 9, version: 9, updatedAt: at(9) },
    ]);
    expect(await stock.findById(c)).toMatchObject({ stock: 6, held: 4, version: 10 });
    await stock.applyVersioned([{ productId: c, quantity: 3, version: 11, updatedAt: at(11) }]);
    expect(await stock.findById(c)).toMatchObject({ stock: 3, onHand: 3, held: 0, version: 11 });
  });

  it('skips products that do not exist instead of failing the batch', async () => {
    const c = ids[2];
    const result = await stock.applyVersioned([
      { productId: 987_654, quantity: 1, version: 1, updatedAt: at(1) },
      { productId: c, quantity: 3, version: 1, updatedAt: at(1) },
    ]);
    expect(result).toEqual({ received: 2, applied: 1, stale: 0, unknownProductIds: [987_654] });
    expect(await stock.findById(987_654)).toBeNull();
    expect(await stock.findById(c)).toMatchObject({ stock: 3, version: 1 });
  });

  it('inserts a missing stock row', async () => {
    const d = ids[3];
    await test.db.deleteFrom('stock').where('product_id', '=', d).execute();
    expect(
      await stock.applyVersioned([{ productId: d, quantity: 8, version: 4, updatedAt: at(4) }]),
    ).toEqual({ received: 1, applied: 1, stale: 0, unknownProductIds: [] });
    expect(await stock.findById(d)).toEqual({
      id: d,
      stock: 8,
      onHand: 8,
      held: 0,
      version: 4,
      updatedAt: at(4),
    });
  });

  it('overwrites whatever the version when told to', async () => {
    const a = ids[0];
    await stock.overwrite([{ productId: a, quantity: 1, version: 1, updatedAt: at(5) }]);
    expect(await stock.findById(a)).toEqual({
      id: a,
      stock: 1,
      onHand: 1,
      held: 0,
      version: 1,
      updatedAt: at(5),
    });
  });

  it('pages through all rows by product id', async () => {
    const all = await stock.findAll();
    expect(all.map((level) => level.id)).toEqual(ids);
    const first = await stock.page(0, 3);
    expect(first.items).toEqual(all.slice(0, 3));
    const second = await stock.page(first.nextAfterId!, 3);
    expect(second).toEqual({ items: all.slice(3), nextAfterId: null });
    expect(await stock.applyVersioned([])).toEqual({
      received: 0,
      applied: 0,
      stale: 0,
      unknownProductIds: [],
    });
  });
});
