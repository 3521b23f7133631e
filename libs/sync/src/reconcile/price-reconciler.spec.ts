import type { ProductPriceRow } from '@shop/persistence';
import type { StoredPrice } from '@shop/pricing';
import { ReconcileTally } from './reconcile-report';
import { PriceReconciler, storedPriceRow } from './price-reconciler';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const OLD = NOW - 60_000;

const stored = (id: number, priceCents: number, version: number, updatedAt = OLD): StoredPrice => ({
  id,
  state: { priceCents, saleCents: null, startsAt: null, endsAt: null },
  version,
  updatedAt,
});
const row = (id: number, price: number, version: number): ProductPriceRow => ({
  id,
  price,
  sale: null,
  version,
});

function setup(redis: StoredPrice[], mysqlRows: ProductPriceRow[]) {
  const mysql = new Map(mysqlRows.map((r) => [r.id, r]));
  const writes: { rows: ProductPriceRow[]; force: boolean }[] = [];
  const reconciler = new PriceReconciler(
    {
      prices: {
        stored: async function* () {
          yield redis;
        },
      },
      mysql: {
        findPrices: (ids) =>
          Promise.resolve(ids.flatMap((id) => (mysql.has(id) ? [mysql.get(id)!] : []))),
        applyPrices: (rows, options = {}) => {
          writes.push({ rows: [...rows], force: options.force ?? false });
          return Promise.resolve(rows.map((r) => r.id));
        },
      },
    },
    { graceMs: 5000, now: () => NOW },
  );
  return { reconciler, writes };
}

describe('PriceReconciler', () => {
  it('writes newer Redis prices and same-version mismatches over MySQL, reports MySQL ahead', async () => {
    const { reconciler, writes } = setup(
      [
        stored(1, 1000, 3), // in step
        stored(2, 1200, 5), // MySQL missed events
        stored(3, 900, 4), // MySQL changed behind Redis' back
        stored(4, 800, 2), // MySQL ahead: Redis lost changes
        stored(5, 700, 9, NOW - 100), // just changed: the consumer's
        stored(6, 500, 1), // deleted from the catalog
      ],
      [row(1, 10, 3), row(2, 11, 4), row(3, 9.5, 4), row(4, 8, 3), row(5, 1, 1)],
    );
    const tally = new ReconcileTally();
    expect(await reconciler.reconcile(tally)).toEqual({ checked: 5 });
    expect(tally.kinds['price.redisNewer']).toEqual({ found: 1, fixed: 1 });
    expect(tally.kinds['price.figureMismatch']).toEqual({ found: 1, fixed: 1 });
    expect(tally.kinds['price.mysqlNewer']).toEqual({ found: 1, fixed: 0 });
    expect(writes).toEqual([
      { rows: [row(2, 12, 5)], force: false },
      { rows: [row(3, 9, 4)], force: true },
    ]);
  });

  it('converts a sale to MySQL terms', () => {
    expect(
      storedPriceRow({
        id: 1,
        state: { priceCents: 1999, saleCents: 1499, startsAt: NOW, endsAt: null },
        version: 2,
        updatedAt: NOW,
      }),
    ).toEqual({
      id: 1,
      price: 19.99,
      sale: { price: 14.99, startsAt: '2026-12-01T10:00:00.000Z', endsAt: null },
      version: 2,
    });
  });
});
