import { FakeLedger, FakePurger, FakeStockRows } from '../testing/fakes';
import { ReconcileTally } from './reconcile-report';
import { StockReconciler } from './stock-reconciler';

const OLD = '2025-01-01T00:00:00.000Z';
const NOW = Date.parse('2025-06-01T00:00:00.000Z');

function setup(productIds: number[]) {
  const log: string[] = [];
  const mysql = new FakeStockRows(productIds, log);
  const ledger = new FakeLedger(log);
  const purger = new FakePurger(log);
  const reconciler = new StockReconciler(
    { mysql, ledger, registry: ledger, purger },
    { pageSize: 2, graceMs: 5000, now: () => NOW },
  );
  return { log, mysql, ledger, purger, reconciler };
}

describe('StockReconciler', () => {
  it('finds nothing when MySQL and the ledger agree', async () => {
    const { mysql, ledger, reconciler, log } = setup([1, 2, 3]);
    for (const id of [1, 2, 3]) {
      mysql.set(id, id * 10, id);
      ledger.set(id, id * 10, id);
    }
    const tally = new ReconcileTally();
    expect(await reconciler.reconcile(tally)).toEqual({ checked: 3 });
    expect(Object.values(tally.kinds).every((count) => count.found === 0)).toBe(true);
    expect(log.some((line) => /apply|overwrite|restore|register|purge/.test(line))).toBe(false);
  });

  it('repairs each kind of drift and counts it', async () => {
    const { mysql, ledger, reconciler, purger } = setup([1, 2, 3, 4, 5, 6, 7]);
    // 1: level gone from Redis (product still registered)
    mysql.set(1, 5, 3);
    ledger.known.add(1);
    // 2: product not even registered
    mysql.set(2, 7, 2);
    // 3: Redis ahead (an event lost on its way to MySQL)
    mysql.set(3, 9, 4);
    ledger.set(3, 8, 5, OLD);
    // 4: MySQL ahead (Redis lost changes)
    mysql.set(4, 1, 9);
    ledger.set(4, 2, 6);
    // 5: same version, different figures: the ledger wins
    mysql.set(5, 100, 2);
    ledger.set(5, 3, 2);
    // 6: the ledger has it, MySQL lost the row
    ledger.set(6, 4, 3);
    // 8: the ledger still knows a deleted product
    ledger.set(8, 1, 1);

    const tally = new ReconcileTally();
    await reconciler.reconcile(tally);

    expect(tally.kinds).toMatchObject({
      'stock.missingInRedis': { found: 2, fixed: 2 },
      'stock.redisNewer': { found: 1, fixed: 1 },
      'stock.mysqlNewer': { found: 1, fixed: 1 },
      'stock.figureMismatch': { found: 1, fixed: 1 },
      'stock.missingInMysql': { found: 1, fixed: 1 },
      'stock.extraInRedis': { found: 1, fixed: 1 },
    });
    expect(ledger.levels.get(1)).toMatchObject({ stock: 5, version: 3 });
    expect(ledger.known.has(2)).toBe(true);
    expect(ledger.levels.get(2)).toMatchObject({ stock: 7, version: 2 });
    expect(mysql.rows.get(3)).toMatchObject({ stock: 8, version: 5 });
    expect(ledger.levels.get(4)).toMatchObject({ stock: 1, version: 9 });
    expect(mysql.rows.get(5)).toMatchObject({ stock: 3, version: 2 });
    expect(mysql.rows.get(6)).toMatchObject({ stock: 4, version: 3 });
    expect(ledger.known.has(8)).toBe(false);
    // The stock answers cached by Varnish for the levels rewritten in Redis.
    expect(purger.plans).toEqual([
      {
        hard: ['stock-1', 'stock-label-1', 'stock-2', 'stock-label-2', 'stock-4', 'stock-label-4'],
        soft: ['listing'],
      },
    ]);

    const again = new ReconcileTally();
    await reconciler.reconcile(again);
    expect(Object.values(again.kinds).every((count) => count.found === 0)).toBe(true);
  });

  it('removes the level hashes of deleted products that are no longer registered, and counts them', async () => {
    const { mysql, ledger, reconciler } = setup([1, 2]);
    mysql.set(1, 5, 3);
    ledger.set(1, 5, 3);
    // 2 exists in MySQL but lost its registration: re-registered, never removed.
    mysql.set(2, 7, 2);
    ledger.levels.set(2, { id: 2, stock: 7, version: 2, updatedAt: OLD });
    // 9 and 10: deleted products whose levels outlived their registration (orphans).
    for (const id of [9, 10]) ledger.levels.set(id, { id, stock: 4, version: 1, updatedAt: OLD });

    const tally = new ReconcileTally();
    await reconciler.reconcile(tally);

    expect(tally.kinds['stock.extraInRedis']).toEqual({ found: 2, fixed: 2 });
    expect(tally.kinds['stock.missingInRedis']).toEqual({ found: 1, fixed: 1 });
    expect([...ledger.levels.keys()].sort((a, b) => a - b)).toEqual([1, 2]);
    expect(ledger.known.has(2)).toBe(true);
    expect(mysql.rows.has(9)).toBe(false);

    const again = new ReconcileTally();
    await reconciler.reconcile(again);
    expect(Object.values(again.kinds).every((count) => count.found === 0)).toBe(true);
  });

  it('leaves a ledger change that is still on its way to MySQL alone', async () => {
    const { mysql, ledger, reconciler } = setup([1]);
    mysql.set(1, 9, 4);
    ledger.set(1, 8, 5, new Date(NOW - 1000).toISOString());
    const tally = new ReconcileTally();
    await reconciler.reconcile(tally);
    expect(tally.kinds['stock.redisNewer'].found).toBe(0);
    expect(mysql.rows.get(1)).toMatchObject({ version: 4 });
  });

  it('treats a registered product without a level and a MySQL row at 0 as agreeing', async () => {
    const { mysql, ledger, reconciler } = setup([1]);
    mysql.set(1, 0, 0);
    ledger.known.add(1);
    const tally = new ReconcileTally();
    await reconciler.reconcile(tally);
    expect(tally.kinds['stock.missingInRedis'].found).toBe(0);
  });

  it('fails when the ledger is not ready: only the stock API restores it', async () => {
    const { ledger, reconciler } = setup([1]);
    ledger.ready = false;
    await expect(reconciler.reconcile(new ReconcileTally())).rejects.toThrow(/not ready/);
  });

  it('keeps its repairs when the purge fails, and reports the failure', async () => {
    const { mysql, ledger, reconciler, purger } = setup([1]);
    mysql.set(1, 5, 3);
    purger.failures = 1;
    const tally = new ReconcileTally();
    await reconciler.reconcile(tally);
    expect(ledger.levels.get(1)).toMatchObject({ stock: 5, version: 3 });
    expect(tally.problems.join()).toMatch(/purge/);
  });
});
