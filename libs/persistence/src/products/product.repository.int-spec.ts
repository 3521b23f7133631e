import type { ProductDeletedEvent, ProductUpsertedEvent } from '@shop/contracts';
import { CategoryRepository } from '../categories/category.repository';
import { DuplicateSkuError, ProductNotFoundError, UnknownCategoryError } from '../errors';
import { OutboxRepository } from '../outbox/outbox.repository';
import { StockRepository } from '../stock/stock.repository';
import { createTestDatabase, TestDatabase } from '../testing/test-database';
import type { ProductInput } from './product-mapping';
import { ProductRepository } from './product.repository';

describe('ProductRepository (MySQL)', () => {
  let test: TestDatabase;
  let products: ProductRepository;
  let stock: StockRepository;

  const outboxRows = () => test.db.selectFrom('outbox').selectAll().orderBy('id').execute();
  const blazer: ProductInput = {
    sku: 'SKU-BLAZER',
    name: 'Linen Blazer',
    description: 'A relaxed linen blazer.',
    price: 129.99,
    categories: ['women-blazers', 'women'],
  };

  beforeAll(async () => {
    test = await createTestDatabase();
    products = new ProductRepository(test.db, new OutboxRepository(test.db));
    stock = new StockRepository(test.db);
    await new CategoryRepository(test.db).upsertMany([
      { slug: 'women', name: 'Women', parentSlug: null },
      { slug: 'women-blazers', name: 'Blazers', parentSlug: 'women' },
      { slug: 'sale', name: 'Sale', parentSlug: null },
    ]);
  });

  afterAll(async () => {
    await test?.drop();
  });

  beforeEach(async () => {
    await test.db.deleteFrom('products').execute();
    await test.db.deleteFrom('outbox').execute();
  });

  it('writes live prices only at a newer price version, leaving the catalog version', async () => {
    const created = await products.create({ ...blazer, sku: 'SKU-PRICED' });
    expect(await products.findPrice(created.id)).toEqual({
      id: created.id,
      price: 129.99,
      sale: null,
      version: 0,
    });
    const sale = {
      price: 99.5,
      startsAt: '2026-12-01T10:00:00.000Z',
      endsAt: '2026-12-02T10:00:00.000Z',
    };
    expect(
      await products.applyPrices([
        { id: created.id, price: 120, sale, version: 3 },
        { id: created.id, price: 110, sale: null, version: 2 },
      ]),
    ).toEqual([created.id]);
    // Late or repeated: nothing.
    expect(
      await products.applyPrices([{ id: created.id, price: 1, sale: null, version: 3 }]),
    ).toEqual([]);
    expect(await products.findPrice(created.id)).toEqual({
      id: created.id,
      price: 120,
      sale,
      version: 3,
    });
    const record = await products.findById(created.id);
    expect(record).toMatchObject({ price: 120, sale, priceVersion: 3, version: created.version });
    // The reconciler's forced write.
    expect(
      await products.applyPrices([{ id: created.id, price: 121, sale: null, version: 3 }], {
        force: true,
      }),
    ).toEqual([created.id]);
    expect(await products.findPrices([created.id, 987654])).toEqual([
      { id: created.id, price: 121, sale: null, version: 3 },
    ]);
  });

  it('creates a product with its categories, a stock row and one outbox event', async () => {
    const before = Date.now();
    const created = await products.create(blazer);
    expect(created).toEqual({
      id: expect.any(Number),
      sku: 'SKU-BLAZER',
      name: 'Linen Blazer',
      description: 'A relaxed linen blazer.',
      price: 129.99,
      categories: ['women-blazers', 'women'],
      createdAt: created.updatedAt,
      updatedAt: expect.any(String),
      version: 1,
      sale: null,
      priceVersion: 0,
    });
    // Stored and read back in UTC: the instant is "now", not hours away.
    expect(Date.parse(created.createdAt)).toBeGreaterThanOrEqual(before);
    expect(await products.findById(created.id)).toEqual(created);
    expect(await stock.findById(created.id)).toMatchObject({
      id: created.id,
      stock: 0,
      version: 0,
    });

    const [row, ...rest] = await outboxRows();
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      aggregate_type: 'product',
      aggregate_id: String(created.id),
      event_type: 'product.upserted',
      published_at: null,
      attempts: 0,
    });
    const event = JSON.parse(row.payload) as ProductUpsertedEvent;
    const { version: _version, priceVersion: _priceVersion, ...product } = created;
    expect(event).toEqual({ product, version: 1, occurredAt: created.updatedAt });
  });

  it('replaces and patches a product, bumping its version and appending an event each time', async () => {
    const created = await products.create(blazer);
    const replaced = await products.replace(created.id, {
      sku: 'SKU-BLAZER-2',
      name: 'Linen Blazer, Navy',
      description: 'Navy.',
      price: 99.5,
      categories: ['sale'],
    });
    expect(replaced).toMatchObject({
      id: created.id,
      sku: 'SKU-BLAZER-2',
      price: 99.5,
      categories: ['sale'],
      version: 2,
      createdAt: created.createdAt,
    });
    const patched = await products.patch(created.id, { price: 89.994 });
    expect(patched).toMatchObject({
      price: 89.99,
      categories: ['sale'],
      name: 'Linen Blazer, Navy',
      version: 3,
    });
    expect(await products.findById(created.id)).toEqual(patched);

    const events = (await outboxRows()).map(
      (row) => JSON.parse(row.payload) as ProductUpsertedEvent,
    );
    expect(events.map((event) => [event.version, event.product.price])).toEqual([
      [1, 129.99],
      [2, 99.5],
      [3, 89.99],
    ]);
  });

  it('answers a patch that changes nothing with the stored product: no version, no event', async () => {
    const created = await products.create(blazer);
    const rowsBefore = await outboxRows();
    // The same values, one price written with a third decimal that rounds to the stored one.
    for (const patch of [
      {},
      { name: blazer.name, price: 129.991 },
      { categories: ['women-blazers', 'women'], sku: blazer.sku },
    ]) {
      expect(await products.patch(created.id, patch)).toEqual(created);
    }
    expect(await products.findById(created.id)).toEqual(created);
    expect(await outboxRows()).toEqual(rowsBefore);
    // Categories in another order are a change (they are shown in order).
    const reordered = await products.patch(created.id, { categories: ['women', 'women-blazers'] });
    expect(reordered.version).toBe(2);
    expect(await outboxRows()).toHaveLength(rowsBefore.length + 1);
  });

  it('deletes a product with its stock row and appends product.deleted', async () => {
    const created = await products.create(blazer);
    await products.patch(created.id, { name: 'Renamed' });
    expect(await products.delete(created.id)).toEqual({ id: created.id, version: 3 });
    expect(await products.findById(created.id)).toBeNull();
    expect(await stock.findById(created.id)).toBeNull();
    const last = (await outboxRows()).at(-1)!;
    expect(last.event_type).toBe('product.deleted');
    expect(JSON.parse(last.payload) as ProductDeletedEvent).toEqual({
      id: created.id,
      version: 3,
      occurredAt: expect.any(String),
    });
  });

  it('rolls back a duplicate SKU: a typed error, no product, no event', async () => {
    await products.create(blazer);
    const other = await products.create({ ...blazer, sku: 'SKU-OTHER' });
    const eventsBefore = (await outboxRows()).length;

    await expect(products.create({ ...blazer, name: 'Copy' })).rejects.toThrow(DuplicateSkuError);
    await expect(products.replace(other.id, { ...blazer })).rejects.toThrow(DuplicateSkuError);
    await expect(products.patch(other.id, { sku: blazer.sku })).rejects.toThrow(DuplicateSkuError);

    expect(await outboxRows()).toHaveLength(eventsBefore);
    expect(await products.countAll()).toBe(2);
    expect(await products.findById(other.id)).toEqual(other);
  });

  it('rejects unknown categories and unknown ids without writing', async () => {
    const created = await products.create(blazer);
    const eventsBefore = (await outboxRows()).length;
    const error = await products
      .create({ ...blazer, sku: 'SKU-NEW', categories: ['women', 'nope', 'nada'] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnknownCategoryError);
    expect((error as UnknownCategoryError).slugs).toEqual(['nope', 'nada']);
    await expect(products.patch(created.id, { categories: ['nope'] })).rejects.toThrow(
      UnknownCategoryError,
    );
    await expect(products.replace(999_999, blazer)).rejects.toThrow(ProductNotFoundError);
    await expect(products.patch(999_999, { name: 'x' })).rejects.toThrow(ProductNotFoundError);
    await expect(products.delete(999_999)).rejects.toThrow(ProductNotFoundError);
    expect(await outboxRows()).toHaveLength(eventsBefore);
    expect(await products.findById(created.id)).toEqual(created);
    expect(await products.findById(999_999)).toBeNull();
  });

  it('keeps the given category order and drops repeated slugs', async () => {
    const created = await products.create({ ...blazer, categories: ['sale', 'women', 'sale'] });
    expect(created.categories).toEqual(['sale', 'women']);
    expect((await products.findById(created.id))?.categories).toEqual(['sale', 'women']);
    const none = await products.create({ ...blazer, sku: 'SKU-NONE', categories: [] });
    expect((await products.findById(none.id))?.categories).toEqual([]);
  });

  it('pages through products by id and lists ids and counts', async () => {
    const created = [];
    for (let index = 0; index < 5; index += 1) {
      created.push(await products.create({ ...blazer, sku: `SKU-PAGE-${index}` }));
    }
    const ids = created.map((product) => product.id);
    const first = await products.listPage(0, 2);
    expect(first.items.map((product) => product.id)).toEqual(ids.slice(0, 2));
    expect(first.items[0]?.categories).toEqual(blazer.categories);
    const second = await products.listPage(first.nextAfterId!, 2);
    expect(second.items.map((product) => product.id)).toEqual(ids.slice(2, 4));
    const third = await products.listPage(second.nextAfterId!, 2);
    expect(third).toEqual({ items: [created[4]], nextAfterId: null });

    expect(await products.countAll()).toBe(5);
    expect(await products.allIds()).toEqual(ids);
    expect((await products.findByIds([ids[3], 999_999, ids[1]])).map((p) => p.id)).toEqual([
      ids[1],
      ids[3],
    ]);
    expect(await products.findByIds([])).toEqual([]);
  });
});
