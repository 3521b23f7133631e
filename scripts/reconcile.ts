/**
 * One reconciliation of MySQL (the source of truth) against the Redis stock ledger and the
 * Elasticsearch index, the same one the sync worker runs every RECONCILE_INTERVAL_MS: repairs
 * what drifted, prints what it found and fixed per kind, exits 1 when a part failed.
 *
 *   npm run reconcile [-- --json] [--grace-ms N] [--no-purge] [--only stock|search]
 *
 * --grace-ms   leave rows changed less than N ms ago to the consumers (default 5000)
 * --no-purge   do not purge Varnish after repairs
 * --json       print the report as JSON (for scripts and tests)
 */
import { parseArgs } from 'node:util';
import { parseShopConfig } from '@shop/config';
import { VarnishPurger } from '@shop/http-cache';
import { createDatabase, ProductRepository, StockRepository } from '@shop/persistence';
import { createElasticsearchClient, ProductIndexer } from '@shop/search';
import { ProductIdRegistry, StockLedger } from '@shop/stock';
import { createReconciler, RECONCILE_KINDS, type ReconcileReport } from '@shop/sync';
import { Redis } from 'ioredis';
import { errorMessage, type LoggerLike } from '@shop/common';

const stderr: LoggerLike = {
  log: () => undefined,
  warn: (message) => console.error(`warn: ${message}`),
  error: (message) => console.error(`error: ${message}`),
};

function options(): {
  json: boolean;
  graceMs: number;
  purge: boolean;
  parts: ('stock' | 'search')[];
} {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      'grace-ms': { type: 'string' },
      'no-purge': { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const graceMs = values['grace-ms'] === undefined ? 5000 : Number(values['grace-ms']);
  if (!Number.isInteger(graceMs) || graceMs < 0)
    throw new Error('--grace-ms must be an integer >= 0');
  const only = values.only;
  if (only !== undefined && only !== 'stock' && only !== 'search') {
    throw new Error('--only must be stock or search');
  }
  return {
    json: values.json,
    graceMs,
    purge: !values['no-purge'],
    parts: only === undefined ? ['stock', 'search'] : [only],
  };
}

function print(report: ReconcileReport): void {
  console.log(
    `reconciled ${report.checked.stock} stock rows and ${report.checked.search} products ` +
      `in ${report.durationMs} ms`,
  );
  const width = Math.max(...RECONCILE_KINDS.map((kind) => kind.length));
  console.log(`${'kind'.padEnd(width)}  found  fixed`);
  for (const kind of RECONCILE_KINDS) {
    const { found, fixed } = report.kinds[kind];
    console.log(
      `${kind.padEnd(width)}  ${String(found).padStart(5)}  ${String(fixed).padStart(5)}`,
    );
  }
  for (const error of report.errors) console.log(`error: ${error}`);
}

async function main(): Promise<number> {
  const args = options();
  const config = parseShopConfig(process.env);
  const db = createDatabase(config.MYSQL_URL, { connectionLimit: 3 });
  const es = createElasticsearchClient(config.ELASTICSEARCH_URL, { requestTimeoutMs: 60_000 });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined); // reported by the failing call
  try {
    await redis.connect();
    const stock = new StockRepository(db);
    const products = new ProductRepository(db);
    const ledger = new StockLedger(redis);
    const registry = new ProductIdRegistry(redis);
    const reconciler = createReconciler(
      {
        stock,
        products,
        ledger,
        registry,
        indexer: new ProductIndexer(es, config.PRODUCTS_INDEX_ALIAS),
        purger: new VarnishPurger({ urls: config.VARNISH_PURGE_URLS, logger: stderr }),
      },
      { logger: () => stderr, graceMs: args.graceMs, purge: args.purge, parts: args.parts },
    );
    const report = await reconciler.run();
    if (args.json) console.log(JSON.stringify(report));
    else print(report);
    return report.ok ? 0 : 1;
  } finally {
    redis.disconnect();
    await es.close();
    await db.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(errorMessage(error));
    process.exit(1);
  },
);
