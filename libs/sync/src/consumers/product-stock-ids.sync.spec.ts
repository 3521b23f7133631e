import type { CatalogChange } from '../events';
import { FakeLedger, FakeProducts, product } from '../testing/fakes';
import { ProductStockIdsSync } from './product-stock-ids.sync';

describe('ProductStockIdsSync', () => {
  it('registers products MySQL has and unregisters the ones it does not', async () => {
    const ledger = new FakeLedger();
    ledger.known.add(3);
    const sync = new ProductStockIdsSync(new FakeProducts([], [product(1), product(2)]), ledger);
    const changes: CatalogChange[] = [
      { kind: 'upserted', id: 1, version: 1, categories: [] },
      { kind: 'upserted', id: 2, version: 4, categories: [] },
      { kind: 'deleted', id: 3, version: 2 },
    ];
    expect(await sync.handle(changes)).toEqual({ events: 3, registered: 2, unregistered: 1 });
    expect([...ledger.known].sort()).toEqual([1, 2]);
  });

  it('never brings back a deleted product on a late upserted event', async () => {
    const ledger = new FakeLedger();
    const sync = new ProductStockIdsSync(new FakeProducts([], []), ledger);
    await sync.handle([{ kind: 'upserted', id: 8, version: 1, categories: [] }]);
    expect(ledger.known.has(8)).toBe(false);
  });
});

describe('ProductStockIdsSync and live prices', () => {
  it('hands admin price edits of existing products to live prices, in order', async () => {
    const adopted: [number, number, string][] = [];
    const sync = new ProductStockIdsSync(new FakeProducts([], [product(1)]), new FakeLedger(), {
      adoptCatalogPrice: (id, price, writtenAt) => {
        adopted.push([id, price, writtenAt.toISOString()]);
        return Promise.resolve(1);
      },
    });
    await sync.handle([
      { kind: 'upserted', id: 1, version: 2, categories: [] },
      {
        kind: 'upserted',
        id: 1,
        version: 3,
        categories: [],
        priceChange: { price: 12.5, at: '2026-12-01T10:00:00.000Z' },
      },
      // Deleted meanwhile: nothing to price.
      {
        kind: 'upserted',
        id: 9,
        version: 1,
        categories: [],
        priceChange: { price: 3, at: '2026-12-01T10:00:01.000Z' },
      },
    ]);
    expect(adopted).toEqual([[1, 12.5, '2026-12-01T10:00:00.000Z']]);
  });
});
