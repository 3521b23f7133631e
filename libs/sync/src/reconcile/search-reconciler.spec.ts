import { toProductDocument } from '@shop/search';
import {
  FakeIndexer,
  FakeLedger,
  FakeProducts,
  FakePurger,
  FakeStockRows,
  product,
} from '../testing/fakes';
import { ReconcileTally } from './reconcile-report';
import { SearchReconciler, staleFields } from './search-reconciler';

const NOW = Date.parse('2025-06-01T00:00:00.000Z');

function setup(ids: number[]) {
  const log: string[] = [];
  const products = new FakeProducts(
    log,
    ids.map((id) => product(id)),
  );
  const stock = new FakeStockRows(ids, log);
  const ledger = new FakeLedger(log);
  const indexer = new FakeIndexer(log);
  const purger = new FakePurger(log);
  for (const id of ids) {
    stock.set(id, 1, 1);
    ledger.set(id, 1, 1);
  }
  const reconciler = new SearchReconciler(
    { products, stock, ledger, indexer, purger },
    { pageSize: 2, writeBatch: 2, now: () => NOW },
  );
  return { log, products, stock, ledger, indexer, purger, reconciler };
}

describe('staleFields', () => {
  const base = toProductDocument(product(1), 1);
  it('names the fields that differ', () => {
    expect(staleFields(base, { ...base })).toEqual([]);
    expect(staleFields(base, { ...base, price: 1, inStock: false })).toEqual(['price', 'inStock']);
    expect(staleFields(base, { ...base, categories: ['misc', 'x'] })).toEqual(['categories']);
  });

  it('compares instants, not their spelling', () => {
    expect(staleFields(base, { ...base, updatedAt: '2025-01-01T00:00:00Z' })).toEqual([]);
  });
});

describe('SearchReconciler', () => {
  it('finds nothing when the index matches MySQL', async () => {
    const { indexer, reconciler, purger } = setup([1, 2, 3]);
    await indexer.upsert([1, 2, 3].map((id) => toProductDocument(product(id), 1)));
    const tally = new ReconcileTally();
    expect(await reconciler.reconcile(tally)).toEqual({ checked: 3 });
    expect(Object.values(tally.kinds).every((count) => count.found === 0)).toBe(true);
    expect(purger.plans).toEqual([]);
  });

  it('indexes missing products, removes extra documents, rewrites stale ones', async () => {
    const { indexer, reconciler, ledger, purger } = setup([1, 2, 3, 4, 6]);
    ledger.set(6, 0, 2); // sold out in the live ledger: the document must say so
    await indexer.upsert([
      toProductDocument(product(1), 1),
      { ...toProductDocument(product(2), 1), name: 'Old name' },
      // 3 and 4 missing
      toProductDocument(product(5), 1), // extra
      toProductDocument(product(6), 1), // inStock stale
      toProductDocument(product(7), 1), // extra, after the last product
    ]);
    const tally = new ReconcileTally();
    await reconciler.reconcile(tally);
    expect(tally.kinds).toMatchObject({
      'search.missing': { found: 2, fixed: 2 },
      'search.extra': { found: 2, fixed: 2 },
      'search.stale': { found: 2, fixed: 2 },
    });
    expect([...indexer.documents.keys()].sort()).toEqual([1, 2, 3, 4, 6]);
    expect(indexer.documents.get(2)?.name).toBe('Product 2');
    expect(indexer.documents.get(6)?.inStock).toBe(false);
    expect(purger.plans.flatMap((plan) => plan.hard).sort()).toEqual(
      ['product-2', 'product-3', 'product-4', 'product-5', 'product-6', 'product-7'].sort(),
    );

    const again = new ReconcileTally();
    await reconciler.reconcile(again);
    expect(Object.values(again.kinds).every((count) => count.found === 0)).toBe(true);
  });

  it('writes what MySQL has at repair time, not what it read while comparing', async () => {
    const { indexer, reconciler, products } = setup([1]);
    await indexer.upsert([{ ...toProductDocument(product(1), 1), name: 'Stale' }]);
    const findByIds = products.findByIds.bind(products);
    products.findByIds = (ids) => {
      products.records.get(1)!.name = 'Newest';
      return findByIds(ids);
    };
    await reconciler.reconcile(new ReconcileTally());
    expect(indexer.documents.get(1)?.name).toBe('Newest');
  });

  it('leaves products changed within the grace period to the consumer', async () => {
    const { indexer, reconciler, products } = setup([1]);
    products.records.get(1)!.updatedAt = new Date(NOW - 1000).toISOString();
    await indexer.upsert([{ ...toProductDocument(product(1), 1), name: 'Stale' }]);
    const tally = new ReconcileTally();
    await reconciler.reconcile(tally);
    expect(tally.kinds['search.stale'].found).toBe(0);
  });
});
