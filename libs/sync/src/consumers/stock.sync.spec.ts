import type { StockChangedEvent } from '@shop/contracts';
import { SILENT_LOGGER, type LoggerLike } from '@shop/common';
import { toProductDocument } from '@shop/search';
import type { SyncOutcomeListener } from '../outcomes';
import type { StockRowWriter } from '../ports';
import { FakeIndexer, FakeLedger, FakePurger, FakeStockRows, product } from '../testing/fakes';
import { ListingRefresh } from './listing-refresh';
import { StockSync } from './stock.sync';

/** A change of product `id` to `after` units at `version`, from `before`. */
function change(id: number, version: number, before: number, after: number): StockChangedEvent {
  return {
    id,
    stock: after,
    delta: after - before,
    version,
    reason: 'set',
    occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, version)).toISOString(),
  };
}

const barrier = (token: string) => ({ barrier: token, requestedAt: '2025-01-01T00:00:00.000Z' });

interface Setup {
  log: string[];
  rows: FakeStockRows;
  ledger: FakeLedger;
  indexer: FakeIndexer;
  purger: FakePurger;
  sync: StockSync;
}

function setup(
  options: {
    stock?: StockRowWriter;
    logger?: LoggerLike;
    listener?: SyncOutcomeListener;
    lowStockBelow?: number;
    /** Windows of this length: each setup has its own by default (1 s). */
    listingRefreshMs?: number;
  } = {},
): Setup {
  const log: string[] = [];
  const rows = new FakeStockRows([1, 2, 3], log);
  const ledger = new FakeLedger(log);
  const indexer = new FakeIndexer(log);
  const purger = new FakePurger(log);
  for (const id of [1, 2, 3]) void indexer.upsert([toProductDocument(product(id), 5)]);
  log.length = 0;
  const sync = new StockSync(
    options.stock ?? rows,
    ledger,
    indexer,
    purger,
    // 1 unless a test says otherwise: the badge then says only "In stock" or "Sold out", so its
    // words change exactly when the stock crosses zero.
    {
      lowStockBelow: options.lowStockBelow ?? 1,
      ...(options.listingRefreshMs === undefined
        ? {}
        : { listingRefresh: new ListingRefresh(purger, options.listingRefreshMs) }),
    },
    options.logger ?? SILENT_LOGGER,
    options.listener ?? {},
  );
  return { log, rows, ledger, indexer, purger, sync };
}

describe('StockSync', () => {
  describe('a batch with several changes of one product', () => {
    it('leaves MySQL, search and the purge at the newest version: one row, one flag, one tag', async () => {
      const { log, rows, ledger, indexer, sync } = setup();
      ledger.set(1, 0, 4);
      const result = await sync.handle([
        change(1, 2, 3, 1),
        change(1, 3, 1, 0), // crosses zero
        change(2, 1, 5, 4),
        change(1, 4, 0, 2), // crosses back
        change(1, 1, 0, 3), // a late arrival, older than the rest
        change(1, 5, 2, 0), // crosses again: the ledger says 0 now
      ]);
      expect(log).toEqual([
        'mysql.applyVersioned 1@5,2@1',
        'ledger.getMany 1',
        'es.setInStock 1=false',
        'ledger.getMany 1',
        'purge hard=stock-1 stock-2 stock-label-1 product-1 soft=listing',
      ]);
      expect(rows.rows.get(1)).toMatchObject({ stock: 0, version: 5 });
      expect(indexer.documents.get(1)?.inStock).toBe(false);
      expect(result).toMatchObject({
        events: 6,
        barriers: 0,
        mysql: { received: 2, applied: 2, stale: 0 },
        search: { crossings: 1, written: 1, touched: [1] },
        purged: { hard: 4, soft: 1 },
      });
    });
  });

  describe('MySQL', () => {
    it('ignores duplicates and late arrivals', async () => {
      const { rows, sync } = setup();
      rows.set(1, 8, 3);
      const result = await sync.handle([change(1, 2, 8, 9), change(1, 3, 9, 8)]);
      expect(result.mysql).toMatchObject({ applied: 0, stale: 1 });
      expect(rows.rows.get(1)).toMatchObject({ stock: 8, version: 3 });
    });

    it('reports events of deleted products instead of failing', async () => {
      const warnings: string[] = [];
      const counted: [string, number][] = [];
      const { sync } = setup({
        logger: { ...SILENT_LOGGER, warn: (line) => warnings.push(line) },
        listener: { stockRows: (outcome, count) => counted.push([outcome, count]) },
      });
      const result = await sync.handle([change(1, 1, 0, 1), change(99, 4, 1, 2)]);
      expect(result.mysql.unknownProductIds).toEqual([99]);
      expect(warnings.join()).toMatch(/99/);
      expect(counted).toEqual([
        ['applied', 1],
        ['stale', 0],
        ['unknown_product', 1],
      ]);
    });

    it('records a barrier only after the rows delivered with it are written', async () => {
      const { log, sync } = setup();
      const result = await sync.handle([change(1, 1, 3, 4), barrier('b-1')]);
      expect(log.slice(0, 2)).toEqual(['mysql.applyVersioned 1@1', 'mysql.recordBarriers b-1']);
      expect(result).toMatchObject({ events: 1, barriers: 1, mysql: { applied: 1 } });
    });

    it('records a batch of barriers alone without searching or purging', async () => {
      const { log, sync } = setup();
      await sync.handle([barrier('b-3')]);
      expect(log).toEqual(['mysql.applyVersioned ', 'mysql.recordBarriers b-3']);
    });

    it('lets a MySQL failure through before anything else, barrier unrecorded', async () => {
      const recorded: string[] = [];
      const { log, sync } = setup({
        stock: {
          applyVersioned: () => Promise.reject(new Error('connect ECONNREFUSED')),
          recordBarriers: (tokens) => {
            recorded.push(...tokens);
            return Promise.resolve();
          },
        },
      });
      await expect(sync.handle([change(1, 1, 1, 0), barrier('b-2')])).rejects.toThrow(
        /ECONNREFUSED/,
      );
      expect(recorded).toEqual([]);
      expect(log).toEqual([]);
    });
  });

  describe('search', () => {
    it('writes no flag when no event crosses zero, and purges only the stock tags', async () => {
      const { log, sync } = setup();
      const result = await sync.handle([change(1, 2, 5, 4), change(2, 3, 0, 0)]);
      expect(result.search).toMatchObject({ crossings: 0, written: 0, touched: [] });
      expect(log).toEqual(['mysql.applyVersioned 1@2,2@3', 'purge hard=stock-1 stock-2 soft=']);
    });

    it('sets inStock from the ledger, once per product, then purges pages and listings', async () => {
      const { log, ledger, indexer, sync } = setup();
      ledger.set(1, 0, 3);
      ledger.set(2, 4, 7);
      const result = await sync.handle([
        change(1, 2, 1, 0),
        change(1, 3, 0, 0), // no crossing
        change(2, 6, 0, 2),
        change(2, 7, 2, 4), // no crossing
      ]);
      expect(result.search).toMatchObject({ crossings: 2, written: 2, unknown: [] });
      expect(indexer.documents.get(1)?.inStock).toBe(false);
      expect(indexer.documents.get(2)?.inStock).toBe(true);
      expect(log.slice(1)).toEqual([
        'ledger.getMany 1,2',
        'es.setInStock 1=false,2=true',
        'ledger.getMany 1,2',
        'purge hard=stock-1 stock-2 stock-label-1 stock-label-2 product-1 product-2 soft=listing',
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
      expect(result.search.written).toBe(2);
      expect(indexer.documents.get(1)?.inStock).toBe(true);
      expect(log.filter((line) => line.startsWith('es.') || line.startsWith('purge'))).toEqual([
        'es.setInStock 1=false',
        'es.setInStock 1=true',
        'purge hard=stock-1 stock-label-1 product-1 soft=listing',
      ]);
    });

    it('skips products the ledger no longer knows (deleted), purging their stock tags', async () => {
      const { log, sync } = setup();
      const result = await sync.handle([change(9, 2, 1, 0)]);
      expect(result.search).toMatchObject({ crossings: 1, written: 0, unknown: [9], touched: [] });
      expect(log.slice(1)).toEqual([
        'ledger.getMany 9',
        'purge hard=stock-9 stock-label-9 soft=listing',
      ]);
    });

    it('rejects the batch when the index write fails, before purging', async () => {
      const { ledger, indexer, log, sync } = setup();
      ledger.set(1, 0, 3);
      indexer.setInStockMany = () => Promise.reject(new Error('es: 503'));
      await expect(sync.handle([change(1, 3, 1, 0)])).rejects.toThrow(/503/);
      expect(log.some((line) => line.startsWith('purge'))).toBe(false);
    });
  });

  describe('purge', () => {
    it('is one call per batch, counted per mode', async () => {
      const counted: [string, string, number][] = [];
      const { purger, ledger, sync } = setup({
        listener: { purgedTags: (consumer, mode, count) => counted.push([consumer, mode, count]) },
      });
      ledger.set(2, 0, 2);
      await sync.handle([change(1, 1, 3, 2), change(2, 2, 1, 0), change(1, 3, 2, 1)]);
      expect(purger.plans).toEqual([
        { hard: ['stock-1', 'stock-2', 'stock-label-2', 'product-2'], soft: ['listing'] },
      ]);
      expect(counted).toEqual([
        ['stock', 'hard', 4],
        ['stock', 'soft', 1],
      ]);
    });

    it('rejects the batch when a Varnish stays down, after MySQL and the index', async () => {
      const { ledger, purger, rows, indexer, sync } = setup();
      ledger.set(1, 0, 3);
      purger.failures = 1;
      await expect(sync.handle([change(1, 3, 1, 0)])).rejects.toThrow(/PURGE failed/);
      expect(rows.rows.get(1)).toMatchObject({ version: 3 });
      expect(indexer.documents.get(1)?.inStock).toBe(false);
      // Retried whole: the rows are stale by then, the flag and the purge happen again.
      const retried = await sync.handle([change(1, 3, 1, 0)]);
      expect(retried).toMatchObject({ mysql: { stale: 1 }, search: { written: 1 } });
      expect(purger.plans).toEqual([
        { hard: ['stock-1', 'stock-label-1', 'product-1'], soft: ['listing'] },
      ]);
    });

    it('purges what a badge says only when an event of the batch changed its words', async () => {
      const { log, ledger, sync } = setup({ lowStockBelow: 10 });
      ledger.set(3, 0, 9);
      await sync.handle([
        change(1, 2, 500, 499), // "In stock" both times
        change(1, 3, 499, 11),
        change(2, 4, 12, 10), // still "In stock" at the threshold
        change(2, 5, 10, 9), // "Only 9 left"
        change(3, 8, 4, 3), // "Only 4 left" -> "Only 3 left"
        change(3, 9, 3, 0), // "Sold out"
      ]);
      expect(log.filter((line) => line.startsWith('purge'))).toEqual([
        'purge hard=stock-1 stock-2 stock-3 stock-label-2 stock-label-3 product-3 soft=listing',
      ]);
    });

    it('purges the words of a badge whose figure came back to them within the batch', async () => {
      // The page may have been rendered in between: only the tag makes sure it is not left at
      // "Only 1 left".
      const { log, sync } = setup({ lowStockBelow: 10 });
      await sync.handle([change(1, 2, 20, 1), change(1, 3, 1, 20)]);
      expect(log.filter((line) => line.startsWith('purge'))).toEqual([
        'purge hard=stock-1 stock-label-1 soft=listing',
      ]);
    });

    describe('refreshing the listings for new badge words', () => {
      beforeEach(() => jest.useFakeTimers());
      afterEach(() => jest.useRealTimers());

      it('at most once a window: the first with its batch, the rest as one when it ends', async () => {
        const { log, sync } = setup({ lowStockBelow: 10, listingRefreshMs: 1000 });
        await sync.handle([change(1, 2, 12, 9)]);
        await sync.handle([change(1, 3, 9, 8)]);
        await sync.handle([change(2, 4, 9, 7)]);
        expect(log.filter((line) => line.startsWith('purge'))).toEqual([
          'purge hard=stock-1 stock-label-1 soft=listing',
          'purge hard=stock-1 stock-label-1 soft=',
          'purge hard=stock-2 stock-label-2 soft=',
        ]);
        await jest.advanceTimersByTimeAsync(1000);
        expect(log.filter((line) => line.startsWith('purge')).slice(3)).toEqual([
          'purge hard= soft=listing',
        ]);
      });

      it('at once for a zero crossing (the in-stock filter), which answers what was held', async () => {
        const { log, ledger, sync } = setup({ lowStockBelow: 10, listingRefreshMs: 1000 });
        await sync.handle([change(1, 2, 12, 9)]);
        await sync.handle([change(1, 3, 9, 8)]); // held
        ledger.set(2, 0, 5);
        await sync.handle([change(2, 4, 1, 0)]); // crosses zero
        await jest.advanceTimersByTimeAsync(5000);
        expect(log.filter((line) => line.startsWith('purge'))).toEqual([
          'purge hard=stock-1 stock-label-1 soft=listing',
          'purge hard=stock-1 stock-label-1 soft=',
          'purge hard=stock-2 stock-label-2 product-2 soft=listing',
        ]);
      });
    });

    it('soft-purges the listings, which carry badges inline, only when some words changed', async () => {
      const { log, sync } = setup({ lowStockBelow: 10 });
      await sync.handle([change(1, 2, 40, 30)]);
      await sync.handle([change(1, 3, 30, 9)]); // "Only 9 left", no crossing of zero
      expect(log.filter((line) => line.startsWith('purge'))).toEqual([
        'purge hard=stock-1 soft=',
        'purge hard=stock-1 stock-label-1 soft=listing',
      ]);
    });
  });
});
