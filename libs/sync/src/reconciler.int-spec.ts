import { toProductDocument } from '@shop/search';
import type { ProductRecord } from '@shop/persistence';
import { RECONCILE_KINDS, type ReconcileReport } from './reconcile/reconcile-report';
import { Reconciler } from './reconcile/reconciler';
import { SearchReconciler } from './reconcile/search-reconciler';
import { StockReconciler } from './reconcile/stock-reconciler';
import { createSyncTestWorld, type SyncTestWorld } from './testing/int-support';

const LONG_AGO = '2025-01-01T00:00:00.000Z';

type Stores = Pick<
  SyncTestWorld,
  'stock' | 'products' | 'ledger' | 'registry' | 'indexer' | 'purger'
>;

/** Both parts on the given stores, with no grace period (as `npm run reconcile -- --grace-ms 0`). */
function reconcilerOn(stores: Stores): Reconciler {
  const { stock, products, ledger, registry, indexer, purger } = stores;
  return new Reconciler({
    stock: new StockReconciler({ mysql: stock, ledger, registry, purger }, { graceMs: 0 }),
    search: new SearchReconciler({ products, stock, ledger, indexer, purger }, { graceMs: 0 }),
  });
}

/**
 * Deliberately corrupted MySQL, Redis and Elasticsearch rows (a throwaway database, a private key
 * prefix, a private alias) are found, repaired and counted.
 */
describe('Reconciler against MySQL, Redis and Elasticsearch', () => {
  let world: SyncTestWorld;
  let products: ProductRecord[];

  beforeAll(async () => {
    world = await createSyncTestWorld('reconcile');
  });

  afterAll(async () => {
    await world?.close();
  });

  /** Ten products in agreement everywhere: 5 in stock at version 3. */
  async function consistentCatalog(): Promise<ProductRecord[]> {
    const created = await world.createProducts(10);
    const ids = created.map((product) => product.id);
    await world.registry.register(ids);
    const rows = ids.map((id) => ({ productId: id, quantity: 5, version: 3, updatedAt: LONG_AGO }));
    await world.stock.overwrite(rows);
    await world.ledger.restore(
      ids.map((id) => ({ id, stock: 5, version: 3, updatedAt: LONG_AGO })),
    );
    await world.indexer.upsert(created.map((product) => toProductDocument(product, 5)));
    return created;
  }

  function counts(report: ReconcileReport): Record<string, [number, number]> {
    return Object.fromEntries(
      RECONCILE_KINDS.filter(
        (kind) => report.kinds[kind].found > 0 || report.kinds[kind].fixed > 0,
      ).map((kind) => [kind, [report.kinds[kind].found, report.kinds[kind].fixed]]),
    );
  }

  it('finds, repairs and counts corrupted rows of every kind', async () => {
    products = await consistentCatalog();
    const [a, b, c, d, e, f, h, i, j] = products.map((product) => product.id);
    const { db } = world.database;
    const keys = world.ledger.keys;

    // MySQL
    await db.updateTable('stock').set({ quantity: 99 }).where('product_id', '=', a).execute(); // same version, other figure
    await db
      .updateTable('stock')
      .set({ version: 2, quantity: 6 })
      .where('product_id', '=', b)
      .execute(); // behind Redis
    await db.deleteFrom('stock').where('product_id', '=', c).execute(); // row lost
    // Redis
    await world.redis.del(keys.level(d)); // level lost
    await world.redis.hset(keys.level(e), 'version', '1', 'stock', '1'); // behind MySQL
    await world.registry.unregister([f]); // registration lost
    await world.registry.register([888_888]); // a product MySQL does not have
    await world.ledger.restore([{ id: 888_888, stock: 2, version: 1, updatedAt: LONG_AGO }]);
    // Elasticsearch
    await world.indexer.remove([h]);
    const staleName = products[7];
    await world.indexer.upsert([
      { ...toProductDocument(staleName, 5), name: 'A name MySQL never had' },
      { ...toProductDocument(products[8], 5), inStock: false },
      { ...toProductDocument(products[0], 5), id: 999_999, sku: 'GHOST' },
    ]);

    const purgesBefore = world.purges.requests.length;
    const report = await reconcilerOn(world).run();

    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
    expect(counts(report)).toEqual({
      'stock.missingInRedis': [2, 2],
      'stock.extraInRedis': [1, 1],
      'stock.missingInMysql': [1, 1],
      'stock.redisNewer': [1, 1],
      'stock.mysqlNewer': [1, 1],
      'stock.figureMismatch': [1, 1],
      'search.missing': [1, 1],
      'search.extra': [1, 1],
      'search.stale': [2, 2],
    });

    // Repaired: MySQL equals the ledger for every product, the index equals MySQL.
    const ids = products.map((product) => product.id);
    const mysql = await world.stock.findByIds(ids);
    const ledger = await world.ledger.getMany(ids);
    expect(mysql.map((row) => [row.id, row.stock, row.version])).toEqual(
      ledger.map((level) => [level!.id, level!.stock, level!.version]),
    );
    expect(mysql.find((row) => row.id === a)).toMatchObject({ stock: 5, version: 3 });
    expect(mysql.find((row) => row.id === b)).toMatchObject({ stock: 5, version: 3 });
    expect(mysql.find((row) => row.id === c)).toMatchObject({ stock: 5, version: 3 });
    expect(ledger.find((level) => level?.id === e)).toMatchObject({ stock: 5, version: 3 });
    expect(await world.registry.has(f)).toBe(true);
    expect(await world.registry.has(888_888)).toBe(false);

    const indexed = new Map<number, unknown>();
    for await (const page of world.indexer.iterateDocuments()) {
      for (const document of page) indexed.set(document.id, document);
    }
    expect([...indexed.keys()].sort((x, y) => x - y)).toEqual(ids);
    expect(indexed.get(i)).toMatchObject({ name: staleName.name });
    expect(indexed.get(j)).toMatchObject({ inStock: true });

    // Varnish: the stock answers of levels rewritten in Redis, the pages of repaired documents.
    const purged = world.purges.requests.slice(purgesBefore);
    expect(purged.flatMap((p) => p.hard)).toEqual(
      expect.arrayContaining([
        `stock-${d}`,
        `stock-${e}`,
        `stock-${f}`,
        `product-${h}`,
        `product-${i}`,
        `product-${j}`,
        'product-999999',
      ]),
    );

    const again = await reconcilerOn(world).run();
    expect(counts(again)).toEqual({});
  });

  it('reports a store that does not answer and still runs the other part', async () => {
    const broken = {
      ...world,
      ledger: Object.assign(Object.create(world.ledger) as typeof world.ledger, {
        isReady: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
      }),
    };
    const report = await reconcilerOn(broken).run();
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual(['stock: connect ECONNREFUSED 127.0.0.1:6379']);
    expect(report.checked.search).toBe(products.length);
  });
});
