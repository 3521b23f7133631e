import {
  FakeIndexer,
  FakeLedger,
  FakeProducts,
  FakePurger,
  FakeStockRows,
  product,
} from '../testing/fakes';
import type { CatalogChange } from '../events';
import { MAX_CATEGORY_TAGS, ProductSearchSync } from './product-search.sync';

const upserted = (id: number, version = 1, categories: string[] = ['misc']): CatalogChange => ({
  kind: 'upserted',
  id,
  version,
  categories,
});
const deleted = (id: number, version = 2): CatalogChange => ({ kind: 'deleted', id, version });

function setup(records = [product(1), product(2, { categories: ['shoes'] })]) {
  const log: string[] = [];
  const products = new FakeProducts(log, records);
  const stock = new FakeStockRows(
    records.map((record) => record.id),
    log,
  );
  const ledger = new FakeLedger(log);
  const indexer = new FakeIndexer(log);
  const purger = new FakePurger(log);
  const sync = new ProductSearchSync(products, stock, ledger, indexer, purger);
  return { log, products, stock, ledger, indexer, purger, sync };
}

describe('ProductSearchSync', () => {
  it('indexes the product as MySQL has it now, with the live stock, then purges', async () => {
    const { sync, indexer, ledger, purger, products, log } = setup();
    ledger.set(1, 4, 2);
    // The event is old: MySQL has moved on to a new name since.
    products.records.get(1)!.name = 'Renamed';
    products.records.get(1)!.version = 3;
    const result = await sync.handle([upserted(1, 1, ['old-category'])]);
    expect(indexer.documents.get(1)).toMatchObject({ id: 1, name: 'Renamed', inStock: true });
    expect(result).toMatchObject({ upserted: 1, removed: 0, rewrites: 0 });
    // Searchable when the call returns (forced refresh), so the purge cannot re-cache old data.
    expect(indexer.refreshes).toEqual([true, true]);
    expect(purger.plans).toEqual([
      { hard: ['product-1'], soft: ['listing', 'category-old-category', 'category-misc'] },
    ]);
    const write = log.indexOf('es.upsert 1');
    const purge = log.findIndex((line) => line.startsWith('purge'));
    expect(write).toBeGreaterThanOrEqual(0);
    expect(purge).toBeGreaterThan(write);
  });

  it('falls back to MySQL stock for a product the ledger does not know yet', async () => {
    const { sync, indexer, stock } = setup();
    stock.set(2, 3, 1);
    await sync.handle([upserted(2)]);
    expect(indexer.documents.get(2)?.inStock).toBe(true);
  });

  it('falls back to MySQL stock when Redis does not answer', async () => {
    const { sync, indexer, stock, ledger } = setup();
    ledger.set(1, 0, 9);
    ledger.failReads = true;
    stock.set(1, 2, 1);
    await sync.handle([upserted(1)]);
    expect(indexer.documents.get(1)?.inStock).toBe(true);
  });

  it('removes a product MySQL no longer has, whatever the event says', async () => {
    const { sync, indexer, purger } = setup([product(1)]);
    await indexer.upsert([{ ...product(5), inStock: true }]);
    const result = await sync.handle([upserted(5, 1), deleted(5, 2)]);
    expect(indexer.documents.has(5)).toBe(false);
    expect(result).toMatchObject({ upserted: 0, removed: 1 });
    expect(purger.plans[0].hard).toEqual(['product-5']);
  });

  it('handles a batch of many products with one upsert and one removal', async () => {
    const { sync, log } = setup();
    await sync.handle([upserted(1), upserted(2), deleted(3), upserted(1, 2)]);
    expect(log.filter((line) => line.startsWith('es.'))).toEqual(['es.upsert 1,2', 'es.remove 3']);
  });

  it('writes again when MySQL moved while it wrote (a competing consumer wrote older data)', async () => {
    const { sync, indexer, products } = setup();
    let writes = 0;
    indexer.afterWrite = () => {
      writes += 1;
      if (writes === 1) {
        products.records.get(1)!.name = 'Newer';
        products.records.get(1)!.version = 2;
      }
    };
    const result = await sync.handle([upserted(1)]);
    expect(result.rewrites).toBe(1);
    expect(indexer.documents.get(1)?.name).toBe('Newer');
  });

  it('leaves category tags to the listing purge when a batch touches too many', async () => {
    const { sync, purger } = setup();
    const many = Array.from({ length: MAX_CATEGORY_TAGS + 1 }, (_, index) => `c${index}`);
    await sync.handle([upserted(1, 1, many)]);
    expect(purger.plans[0].soft).toEqual(['listing']);
  });

  it('fails the batch when the purge fails, so it is retried (writing again is harmless)', async () => {
    const { sync, purger } = setup();
    purger.failures = 1;
    await expect(sync.handle([upserted(1)])).rejects.toThrow(/PURGE/);
  });
});
