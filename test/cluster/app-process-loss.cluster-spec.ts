import { createDatabase, StockRepository, type Database } from '@shop/persistence';
import type { Kysely } from 'kysely';
import { ensureAppRunning, killProcess, processUrl, type ProcessName } from '../support/apps';
import { expectLedgerAndMysqlAt } from '../support/ledger-checks';
import {
  config,
  metricSum,
  mixedStockLoad,
  putStockUntilAnswered,
  range,
  requestJson,
  uniqueWord,
  urls,
  type StockChange,
  type StockLevelFigures,
} from '../support/stack';

/**
 * Cluster mode's app processes (`npm run test:cluster`): two catalog-api and two stock-api
 * processes behind Varnish's round-robin directors, two sync workers competing on every queue.
 * Varnish spreads the APIs' requests over both processes; one stock-api and one sync-worker are
 * killed with SIGKILL in the middle of stock changes, and no answered change is lost: the ledger
 * and MySQL end at exactly the sum of what was answered. Uses products 1181-1190 of the cluster
 * run's own database (shop_cluster).
 */

type Level = StockLevelFigures;

const ids = range(1181, 1190);
const survivors: ProcessName[] = ['catalog-api-2', 'stock-api-2', 'sync-worker-2'];

const stockPuts = (url: string): Promise<number> =>
  metricSum(url, 'http_request_duration_seconds_count', [
    'method="PUT"',
    'route="/products/:id/stock"',
  ]);
const productSearches = (url: string): Promise<number> =>
  metricSum(url, 'http_request_duration_seconds_count', ['method="GET"', 'route="/products"']);
const stockMessages = (url: string): Promise<number> =>
  metricSum(url, 'sync_messages_processed_total', ['queue="sync.stock']);

/** A stock change through Varnish, as a careful client makes it (see putStockUntilAnswered). */
function putUntilAnswered(id: number, change: StockChange): Promise<Level> {
  return putStockUntilAnswered(urls.varnish, id, change);
}

describe('several app processes: two of each API behind Varnish, two sync workers', () => {
  let db: Kysely<Database>;
  let stockRows: StockRepository;

  beforeAll(async () => {
    for (const app of survivors) {
      const answer = await fetch(`${processUrl[app]}/health`).catch((error: unknown) => error);
      if (!(answer instanceof Response) || !answer.ok) {
        throw new Error(
          `${app} does not answer ${processUrl[app]}/health: these tests need cluster mode's second ` +
            `processes (npm run test:cluster)`,
        );
      }
    }
    db = createDatabase(config.MYSQL_URL, { connectionLimit: 2 });
    stockRows = new StockRepository(db);
  });

  afterAll(async () => {
    // A failed test leaves no process down for whatever runs next.
    for (const app of ['stock-api', 'sync-worker'] as const) await ensureAppRunning(app);
    await db?.destroy();
  }, 120_000);

  it('sends requests for each API to both of its processes', async () => {
    const stockBefore = await Promise.all([stockPuts(urls.stock), stockPuts(urls.stock2)]);
    const searchBefore = await Promise.all([
      productSearches(urls.catalog),
      productSearches(urls.catalog2),
    ]);
    const word = uniqueWord('rr');
    for (let i = 0; i < 10; i++) {
      await putUntilAnswered(ids[0], { stock: 50, action: 'set' });
      // A search no cache has seen: a MISS, fetched from catalog-api.
      const search = await requestJson(`${urls.varnish}/products?q=${word}&minPrice=${i}`);
      expect(search.status).toBe(200);
    }
    const stockAfter = await Promise.all([stockPuts(urls.stock), stockPuts(urls.stock2)]);
    const searchAfter = await Promise.all([
      productSearches(urls.catalog),
      productSearches(urls.catalog2),
    ]);
    expect(stockAfter.map((count, i) => count - stockBefore[i])).toEqual([5, 5]);
    expect(searchAfter.map((count, i) => count - searchBefore[i])).toEqual([5, 5]);
  });

  it('loses no answered stock change when a stock-api and a sync-worker are killed under load', async () => {
    const workerBefore = await Promise.all([
      stockMessages(urls.syncWorker),
      stockMessages(urls.syncWorker2),
    ]);
    const survivorPutsBefore = await stockPuts(urls.stock2);
    const total = 900;
    const kills: Promise<void>[] = [];
    const expected = await mixedStockLoad({
      base: urls.varnish,
      ids,
      start: 10_000,
      total,
      clients: 20,
      afterAnswer: async (answered) => {
        if (answered === 300) {
          // Both workers have had a share of the stock queue before one of them dies.
          const shares = await Promise.all([
            stockMessages(urls.syncWorker),
            stockMessages(urls.syncWorker2),
          ]);
          expect(shares.map((count, i) => count - workerBefore[i] > 0)).toEqual([true, true]);
          kills.push(killProcess('stock-api'));
        }
        if (answered === 600) kills.push(killProcess('sync-worker'));
      },
    });
    await Promise.all(kills);
    expect(kills).toHaveLength(2);
    // The survivor answered the changes after the kill (and before: round robin).
    expect((await stockPuts(urls.stock2)) - survivorPutsBefore).toBeGreaterThanOrEqual(total / 2);

    // The surviving worker brings MySQL to the ledger's figures, versions included.
    await expectLedgerAndMysqlAt({
      base: urls.stock2,
      ids,
      expected,
      stockRows,
      after: 'the kills',
    });
  }, 300_000);
});
