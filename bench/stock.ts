/**
 * `npm run bench:stock`: stock API throughput next to a bare Fastify route on the same machine.
 * Needs the stack (`npm run up`). Loopback only; every run is bounded in time.
 *
 * Besides req/s and latency it prints where each PUT run's CPU went (per process, from /proc) and,
 * after the stock PUTs, how far propagation lagged: entries still in the Redis outbox when the
 * load stopped, and how long until MySQL held every changed product's newest version.
 */
import type autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { parseShopConfig } from '@shop/config';
import { StockKeys } from '@shop/stock';
import { Redis } from 'ioredis';
import { createConnection, type Connection } from 'mysql2/promise';
import { eventually } from '../test/support/eventually';
import { measureLoad, printTable, type LoadFigures } from './load';
import { printCpuPerRequest, stackProcesses, startCpuCount, type CpuSpent } from './process-cpu';
import { requireUp, startBareRoute } from './stack-processes';
import { ledgerLevels, mysqlVersions } from './stock-levels';

const config = parseShopConfig(process.env);
const stockApi = `http://127.0.0.1:${config.STOCK_API_PORT}`;
const BARE_PORT = 3998;
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const PRODUCTS = 1000;
const PRODUCT_IDS = Array.from({ length: PRODUCTS }, (_, index) => index + 1);
const CATCH_UP_TIMEOUT_MS = 180_000;

function percentOf(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(0)} %`;
}

/** Time until MySQL holds at least the ledger's current version of every benchmarked product. */
async function catchUpMs(mysql: Connection): Promise<number> {
  const started = performance.now();
  const ledger = await ledgerLevels(stockApi, PRODUCT_IDS);
  await eventually(
    async () => {
      const stored = await mysqlVersions(mysql, PRODUCT_IDS);
      const behind = PRODUCT_IDS.filter(
        (id) => (stored.get(id) ?? 0) < (ledger.get(id)?.version ?? 0),
      );
      if (behind.length > 0)
        throw new Error(`MySQL is behind the ledger for ${behind.length} products`);
      return true;
    },
    { what: 'MySQL catching up with the ledger', timeoutMs: CATCH_UP_TIMEOUT_MS, intervalMs: 20 },
  );
  return performance.now() - started;
}

interface Persistence {
  label: string;
  appendonly: 'yes' | 'no';
  appendfsync: 'always' | 'everysec' | 'no';
}

const PERSISTENCE_MODES: Persistence[] = [
  { label: 'no AOF (before)', appendonly: 'no', appendfsync: 'always' },
  { label: 'AOF, fsync every second', appendonly: 'yes', appendfsync: 'everysec' },
  { label: 'AOF, fsync always (the stack)', appendonly: 'yes', appendfsync: 'always' },
];

interface StockRun {
  mode: Persistence;
  figures: LoadFigures;
  cpu: CpuSpent[];
  backlog: number;
  caughtUpMs: number;
}

async function configValue(redis: Redis, name: string): Promise<string> {
  const reply = await redis.config('GET', name);
  return reply[1] ?? '';
}

async function persistenceOf(redis: Redis): Promise<Persistence> {
  const appendonly = await configValue(redis, 'appendonly');
  const appendfsync = await configValue(redis, 'appendfsync');
  return {
    label: 'as found',
    appendonly: appendonly === 'yes' ? 'yes' : 'no',
    appendfsync: appendfsync === 'everysec' || appendfsync === 'no' ? appendfsync : 'always',
  };
}

/** Switches the running Redis's persistence; turning AOF on rewrites the file first: wait for it. */
async function setPersistence(redis: Redis, mode: Persistence): Promise<void> {
  await redis.config('SET', 'appendfsync', mode.appendfsync);
  await redis.config('SET', 'appendonly', mode.appendonly);
  await eventually(
    async () =>
      !/aof_rewrite_in_progress:1|aof_rewrite_scheduled:1/.test(await redis.info('persistence')),
    { what: 'Redis rewriting its AOF', timeoutMs: CATCH_UP_TIMEOUT_MS, intervalMs: 50 },
  );
}

async function main(): Promise<void> {
  await requireUp(`${stockApi}/health`, 'stock-api');
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  const mysql = await createConnection(config.MYSQL_URL);
  const bare = await startBareRoute(BARE_PORT);
  const rows: LoadFigures[] = [];
  let bareCpu: CpuSpent[] = [];
  const stockRuns: StockRun[] = [];
  try {
    const auth = {
      authorization: `Bearer ${config.ADMIN_TOKEN}`,
      'content-type': 'application/json',
    };
    let next = 0;
    // Increments of 1 spread over many products: each one is a real atomic change with its
    // event, like a busy warehouse feed.
    const putRequests: autocannon.Request[] = [
      {
        method: 'PUT',
        setupRequest: (request: autocannon.Request) => {
          next = (next % PRODUCTS) + 1;
          return {
            ...request,
            path: `/products/${next}/stock`,
            body: '{"stock":1,"action":"increment"}',
          };
        },
      },
    ];
    rows.push(
      await measureLoad({
        label: 'GET bare Fastify route',
        url: `http://127.0.0.1:${BARE_PORT}/bare`,
        durationSeconds: DURATION,
      }),
    );
    rows.push(
      await measureLoad({
        label: 'GET /products/1/stock (stock-api)',
        url: `${stockApi}/products/1/stock`,
        durationSeconds: DURATION,
      }),
    );
    const bareCount = startCpuCount(
      stackProcesses([{ label: 'bare route', pids: bare.pid ? [bare.pid] : [] }]),
    );
    rows.push(
      await measureLoad({
        label: 'PUT bare Fastify route',
        url: `http://127.0.0.1:${BARE_PORT}/bare`,
        method: 'PUT',
        headers: auth,
        body: '{"stock":1,"action":"increment"}',
        durationSeconds: DURATION,
      }),
    );
    bareCpu = bareCount();
    // Everything that a stock change sets in motion runs while the PUTs are measured: the relay
    // publishing each event, RabbitMQ storing it in three quorum queues, the sync worker writing
    // MySQL, Elasticsearch and Varnish. Nothing is paused for the figure.
    // The same PUT load once per Redis persistence mode, the stack's own (AOF, fsync always)
    // last: what durability costs is the difference between the rows. Each run starts after the
    // previous one's events have reached MySQL, so no run pays for another's backlog.
    const original = await persistenceOf(redis);
    // Unmeasured: the first PUT run would otherwise pay for JIT warm-up and look slowest.
    await measureLoad({
      label: 'warm-up',
      url: stockApi,
      method: 'PUT',
      headers: auth,
      requests: putRequests,
      durationSeconds: Math.min(DURATION, 5),
    });
    await catchUpMs(mysql);
    try {
      for (const mode of PERSISTENCE_MODES) {
        await setPersistence(redis, mode);
        const count = startCpuCount(stackProcesses());
        const figures = await measureLoad({
          label: `PUT /products/:id/stock (stock-api, ${mode.label})`,
          url: stockApi,
          method: 'PUT',
          headers: auth,
          requests: putRequests,
          durationSeconds: DURATION,
        });
        const cpu = count();
        const backlog = await redis.xlen(new StockKeys().outbox);
        const caughtUpMs = await catchUpMs(mysql);
        rows.push(figures);
        stockRuns.push({ mode, figures, cpu, backlog, caughtUpMs });
      }
    } finally {
      await setPersistence(redis, original);
    }
  } finally {
    bare.kill();
  }
  await mysql.end();
  redis.disconnect();

  printTable('Stock API at 50 connections', rows);
  const [getBare, getStock, putBare] = rows;
  printCpuPerRequest('CPU during the bare PUT run', bareCpu, putBare.requests);
  for (const run of stockRuns) {
    printCpuPerRequest(
      `CPU during the stock PUT run, ${run.mode.label}`,
      run.cpu,
      run.figures.requests,
    );
  }
  const cpuPer = (spent: CpuSpent[], label: string, requests: number): number =>
    ((spent.find((row) => row.label === label)?.cpuMs ?? 0) * 1000) / requests;
  const machinePer = (spent: CpuSpent[], requests: number): number =>
    (spent.reduce((sum, row) => sum + row.cpuMs, 0) * 1000) / requests;
  console.log('\nCPU per stock change by Redis persistence (µs; stock-api includes its relay)');
  console.table(
    stockRuns.map((run) => ({
      'Redis persistence': run.mode.label,
      'req/s': Math.round(run.figures.requestsPerSecond),
      'vs bare PUT': percentOf(run.figures.requestsPerSecond, putBare.requestsPerSecond),
      'p99 ms': run.figures.p99Ms,
      'stock-api µs': Math.round(cpuPer(run.cpu, 'stock-api', run.figures.requests)),
      'Redis µs': Math.round(cpuPer(run.cpu, 'Redis', run.figures.requests)),
      'machine µs': Math.round(machinePer(run.cpu, run.figures.requests)),
      'outbox left': run.backlog,
      'MySQL caught up s': Number((run.caughtUpMs / 1000).toFixed(1)),
    })),
  );
  console.log(
    `\nGET: ${percentOf(getStock.requestsPerSecond, getBare.requestsPerSecond)} of the bare route. ` +
      `Bare PUT: ${cpuPer(bareCpu, 'bare route', putBare.requests).toFixed(0)} µs in the route, ` +
      `${machinePer(bareCpu, putBare.requests).toFixed(0)} µs on the whole machine per request ` +
      '(aim for a stock PUT: >= 40 % of the bare route\'s req/s). Only "AOF, fsync always" loses ' +
      'no change answered 200 when Redis is killed; it is what the stack runs.',
  );
  if (rows.some((row) => row.errors > 0 || row.non2xx > 0)) {
    console.log('warning: some requests failed; see the errors / non-2xx columns');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
