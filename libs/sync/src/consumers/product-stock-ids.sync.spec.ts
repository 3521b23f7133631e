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
