import type { StockChangedEvent } from '@shop/contracts';
import { toProductDocument } from '@shop/search';
import { FakeIndexer, FakeLedger, FakePurger, product } from '../testing/fakes';
import { StockSearchSync } from './stock-search.sync';

const at = '2025-01-01T00:00:00.000Z';
function change(id: number, version: number, before: number, after: number): StockChangedEvent {
  return { id, stock: after, delta: after - before, version, reason: 'set', occurredAt: at };
}

function setup(): {
  log: string[];
  ledger: FakeLedger;
  indexer: FakeIndexer;
  purger: FakePurger;
  sync: StockSearchSync;
} {
  const log: string[] = [];
  const ledger = new FakeLedger(log);
  const indexer = new FakeIndexer(log);
  const purger = new FakePurger(log);
  for (const id of [1, 2, 3]) {
    void indexer.upsert([toProductDocument(product(id), 5)]);
  }
  log.length = 0;
  return { log, ledger, indexer, purger, sync: new StockSearchSync(ledger, indexer, purger) };
}

describe('StockSearchSync', () => {
  it('writes nothing when no event crosses zero', async () => {
    const { log, sync } = setup();
    const result = await sync.handle([change(1, 2, 5, 4), change(2, 3, 0, 0)]);
    expect(result).toMatchObject({ crossings: 0, written: 0 });
    expect(log).toEqual([]);
  });

  it('sets inStock from the ledger, once per product, then purges the pages and listings', async () => {
    const { log, ledger, indexer, sync } = setup();
    ledger.set(1, 0, 3);
    ledger.set(2, 4, 7);
    const result = await sync.handle([
      change(1, 2, 1, 0),
      change(1, 3, 0, 0), // no crossing
      change(2, 6, 0, 2),
      change(2, 7, 2, 4), // no crossing
    ]);
    expect(result).toMatchObject({ crossings: 2, written: 2, unknown: [] });
    expect(indexer.documents.get(1)?.inStock).toBe(false);
    expect(indexer.documents.get(2)?.inStock).toBe(true);
    expect(log).toEqual([
      'ledger.getMany 1,2',
      'es.setInStock 1=false,2=true',
      'ledger.getMany 1,2',
      'purge hard=product-1 product-2 soft=listing',
    ]);
  });

  it('follows the ledger, not an event that arrives late', async () => {
    const { indexer, ledger, sync } = setup();
    // The product went 2 -> 0 (v5) and then 0 -> 3 (v6); v5 is delivered after v6 was handled.
    ledger.set(1, 3, 6);
    await sync.handle([change(1, 5, 2, 0)]);
    expect(indexer.documents.get(1)?.inStock).toBe(true);
  });

  it('writes again when the ledger crossed back while it wrote', async () => {
    const { indexer, ledger, log, sync } = setup();
    ledger.set(1, 0, 4);
    let reads = 0;
    ledger.afterRead = () => {
      reads += 1;
      if (reads === 1) ledger.set(1, 6, 5); // restocked right after our first reading
    };
    const result = await sync.handle([change(1, 4, 1, 0)]);
    expect(result.written).toBe(2);
    expect(indexer.documents.get(1)?.inStock).toBe(true);
    expect(log.filter((line) => line.startsWith('es.'))).toEqual([
      'es.setInStock 1=false',
      'es.setInStock 1=true',
    ]);
  });

  it('skips products the ledger no longer knows (deleted)', async () => {
    const { log, sync } = setup();
    const result = await sync.handle([change(9, 2, 1, 0)]);
    expect(result).toMatchObject({ crossings: 1, written: 0, unknown: [9] });
    expect(log).toEqual(['ledger.getMany 9']);
  });

  it('fails the batch when the purge fails, after the index write', async () => {
    const { ledger, purger, sync, indexer } = setup();
    ledger.set(1, 0, 3);
    purger.failures = 1;
    await expect(sync.handle([change(1, 3, 1, 0)])).rejects.toThrow(/PURGE/);
    expect(indexer.documents.get(1)?.inStock).toBe(false);
  });
});
