/**
 * `npm run bench:stock`: what a stock change costs, next to peers measured in the same run — a
 * bare Fastify route (GET and PUT) and the system's original gateway (bench/original-gateway.ts:
 * express + Redis + one shared AMQP channel, nothing durable). Needs the stack (`npm run up`) and
 * wrk. Loopback only; every run is bounded in time.
 *
 * A stock change is not done when its PUT is answered: the relay still publishes it, RabbitMQ
 * stores it, the sync worker writes MySQL, flips search flags and purges Varnish. So the CPU per
 * change is counted from the start of the load until MySQL holds every product's newest version,
 * over every process of the machine (the load generator included), and divided by the changes.
 *
 *   --seconds N            length of each load run (default 10, or BENCH_SECONDS)
 *   --persistence-modes    also run the PUT load without AOF and with fsync every second, to see
 *                          what durability costs (the stack runs AOF with fsync always)
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseRedisUrl, parseShopConfig } from '@shop/config';
import { StockKeys } from '@shop/stock';
import { createRedisClient, type RedisClient } from '@shop/redis';
import { createConnection, type Connection } from 'mysql2/promise';
import { eventually } from '../test/support/eventually';
import { measureLoad, printTable, type LoadFigures, type LoadOptions } from './load';
import { printCpuPerRequest, stackProcesses, startCpuCount, type CpuSpent } from './process-cpu';
import { ORIGINAL_GATEWAY_KEY_PREFIX, requireUp, startPeer } from './stack-processes';
import { ledgerLevels, mysqlVersions } from './stock-levels';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string' },
    'persistence-modes': { type: 'boolean', default: false },
  },
});
const config = parseShopConfig(process.env);
const stockApi = `http://127.0.0.1:${config.STOCK_API_PORT}`;
const BARE_PORT = 3998;
const GATEWAY_PORT = 3997;
const DURATION = Number(args.seconds ?? process.env.BENCH_SECONDS ?? 10);
const PRODUCTS = 1000;
const PRODUCT_IDS = Array.from({ length: PRODUCTS }, (_, index) => index + 1);
const CATCH_UP_TIMEOUT_MS = 180_000;

/** The aims of issue 16, printed next to the figures. */
const AIM = {
  machineMicrosPerChange: 300,
  putVsGateway: 1.5,
  getVsBare: 0.75,
  mysqlCatchUpSeconds: 1,
};

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

const STACK_PERSISTENCE: Persistence = {
  label: 'AOF, fsync always (the stack)',
  appendonly: 'yes',
  appendfsync: 'always',
};
const OTHER_PERSISTENCE: Persistence[] = [
  { label: 'no AOF', appendonly: 'no', appendfsync: 'always' },
  { label: 'AOF, fsync every second', appendonly: 'yes', appendfsync: 'everysec' },
];

interface StockRun {
  mode: Persistence;
  figures: LoadFigures;
  /** From the start of the load to the end of the load. */
  loadCpu: CpuSpent[];
  /** From the start of the load until MySQL caught up: what the changes cost in all. */
  wholeCpu: CpuSpent[];
  backlog: number;
  caughtUpMs: number;
}

async function configValue(redis: RedisClient, name: string): Promise<string> {
  const reply = await redis.config('GET', name);
  return reply[1] ?? '';
}

async function persistenceOf(redis: RedisClient): Promise<Persistence> {
  const appendonly = await configValue(redis, 'appendonly');
  const appendfsync = await configValue(redis, 'appendfsync');
  return {
    label: 'as found',
    appendonly: appendonly === 'yes' ? 'yes' : 'no',
    appendfsync: appendfsync === 'everysec' || appendfsync === 'no' ? appendfsync : 'always',
  };
}

/** Switches the running Redis's persistence; turning AOF on rewrites the file first: wait for it. */
async function setPersistence(redis: RedisClient, mode: Persistence): Promise<void> {
  await redis.config('SET', 'appendfsync', mode.appendfsync);
  await redis.config('SET', 'appendonly', mode.appendonly);
  await eventually(
    async () =>
      !/aof_rewrite_in_progress:1|aof_rewrite_scheduled:1/.test(await redis.info('persistence')),
    { what: 'Redis rewriting its AOF', timeoutMs: CATCH_UP_TIMEOUT_MS, intervalMs: 50 },
  );
}

/**
 * Commands each master of a Redis Cluster has processed so far, by address (INFO stats); empty
 * for one server. Two readings around a run show how the stock writes spread over the masters.
 */
async function commandsPerMaster(redis: RedisClient): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (!('nodes' in redis) || typeof redis.nodes !== 'function') return counts;
  for (const node of redis.nodes('master')) {
    const stats = await node.info('stats');
    const match = /total_commands_processed:(\d+)/.exec(stats);
    counts.set(`${node.options.host}:${node.options.port}`, match ? Number(match[1]) : 0);
  }
  return counts;
}

const sum = (spent: CpuSpent[]): number => spent.reduce((total, row) => total + row.cpuMs, 0);
const microsPer = (cpuMs: number, requests: number): number => (cpuMs * 1000) / requests;
const cpuOf = (spent: CpuSpent[], label: string): number =>
  spent.find((row) => row.label === label)?.cpuMs ?? 0;

function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}

async function main(): Promise<void> {
  await requireUp(`${stockApi}/health`, 'stock-api');
  // The persistence modes are switched with CONFIG SET on one server; a cluster runs as it is.
  const onCluster = parseRedisUrl(config.REDIS_URL).kind === 'cluster';
  if (onCluster && args['persistence-modes']) {
    throw new Error('--persistence-modes needs one Redis server; REDIS_URL names a cluster');
  }
  const redis = createRedisClient(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  const mysql = await createConnection(config.MYSQL_URL);
  const bare = await startPeer('bare-route', BARE_PORT);
  const gateway = await startPeer('original-gateway', GATEWAY_PORT);
  const auth = {
    authorization: `Bearer ${config.ADMIN_TOKEN}`,
    'content-type': 'application/json',
  };
  // Increments of 1 spread over many products: each one is a real atomic change with its event,
  // like a busy warehouse feed. The original gateway gets the very same requests.
  const puts = (label: string, base: string): LoadOptions => ({
    label,
    url: base,
    method: 'PUT',
    headers: auth,
    body: '{"stock":1,"action":"increment"}',
    pathCycle: { prefix: '/products/', suffix: '/stock', count: PRODUCTS },
    durationSeconds: DURATION,
  });

  const stockRuns: StockRun[] = [];
  let getBare: LoadFigures;
  let getStock: LoadFigures;
  let getCached: LoadFigures;
  let putBare: LoadFigures;
  let putGateway: LoadFigures;
  let bareCpu: CpuSpent[];
  let gatewayCpu: CpuSpent[];
  try {
    getBare = await measureLoad({
      label: 'GET bare Fastify route',
      url: `http://127.0.0.1:${BARE_PORT}/bare`,
      durationSeconds: DURATION,
    });
    getStock = await measureLoad({
      label: 'GET /products/1/stock (stock-api)',
      url: `${stockApi}/products/1/stock`,
      durationSeconds: DURATION,
    });
    // How browsers and the storefront read it: Varnish keeps the answer under `stock-<id>` until
    // the product's next change purges it. Printed for comparison; the aim is stock-api's own.
    getCached = await measureLoad({
      label: 'GET /products/1/stock through Varnish (a HIT until the next change)',
      url: `${config.PUBLIC_URL}/products/1/stock`,
      durationSeconds: DURATION,
    });
    const bareCount = startCpuCount(
      stackProcesses([{ label: 'bare route', pids: bare.pid ? [bare.pid] : [] }]),
    );
    // The same PUT, always to one path: the bare route has no other.
    putBare = await measureLoad({
      ...puts('PUT bare Fastify route', `http://127.0.0.1:${BARE_PORT}/bare`),
      pathCycle: undefined,
    });
    bareCpu = bareCount();
    const gatewayCount = startCpuCount(
      stackProcesses([{ label: 'original gateway', pids: gateway.pid ? [gateway.pid] : [] }]),
    );
    putGateway = await measureLoad(
      puts(
        'PUT original gateway (express, shared channel, nothing durable)',
        `http://127.0.0.1:${GATEWAY_PORT}`,
      ),
    );
    gatewayCpu = gatewayCount();

    // Unmeasured: the first PUT run would otherwise pay for JIT warm-up and look slowest.
    await measureLoad({ ...puts('warm-up', stockApi), durationSeconds: Math.min(DURATION, 5) });
    await catchUpMs(mysql);

    const original = onCluster ? STACK_PERSISTENCE : await persistenceOf(redis);
    const modes = args['persistence-modes']
      ? [...OTHER_PERSISTENCE, STACK_PERSISTENCE]
      : [STACK_PERSISTENCE];
    try {
      for (const mode of modes) {
        if (!onCluster) await setPersistence(redis, mode);
        // Each run starts after the previous one's events reached MySQL: none pays for another.
        const wholeCount = startCpuCount(stackProcesses());
        const loadCount = startCpuCount(stackProcesses());
        const commandsBefore = await commandsPerMaster(redis);
        const figures = await measureLoad(
          puts(`PUT /products/:id/stock (stock-api, ${mode.label})`, stockApi),
        );
        const loadCpu = loadCount();
        const commandsAfter = await commandsPerMaster(redis);
        const backlogs = await Promise.all(
          new StockKeys(undefined, config.STOCK_SHARDS).shards.map((shard) =>
            redis.xlen(shard.outbox),
          ),
        );
        const backlog = backlogs.reduce((total, length) => total + length, 0);
        const caughtUpMs = await catchUpMs(mysql);
        stockRuns.push({ mode, figures, loadCpu, wholeCpu: wholeCount(), backlog, caughtUpMs });
        if (commandsAfter.size > 0) {
          console.log(
            `\nRedis Cluster masters during the PUT run (STOCK_SHARDS=${config.STOCK_SHARDS})`,
          );
          console.table(
            [...commandsAfter].map(([master, after]) => ({
              master,
              'commands per stock change': Number(
                ((after - (commandsBefore.get(master) ?? 0)) / figures.requests).toFixed(2),
              ),
            })),
          );
        }
      }
    } finally {
      if (!onCluster) await setPersistence(redis, original);
    }
  } finally {
    bare.kill();
    gateway.kill();
    await deleteGatewayKeys(redis);
    await mysql.end();
    redis.disconnect();
  }

  const loads = [
    getBare,
    getStock,
    getCached,
    putBare,
    putGateway,
    ...stockRuns.map((run) => run.figures),
  ];
  printTable(`Stock API at 50 connections, ${DURATION} s per run, wrk`, loads);
  printCpuPerRequest('CPU during the bare PUT run', bareCpu, putBare.requests);
  printCpuPerRequest('CPU during the original gateway PUT run', gatewayCpu, putGateway.requests);
  for (const run of stockRuns) {
    printCpuPerRequest(
      `CPU per stock change, ${run.mode.label}, from the load's start until MySQL caught up`,
      run.wholeCpu,
      run.figures.requests,
    );
  }

  console.log('\nCPU per stock change (µs; stock-api includes its outbox relay)');
  console.table(
    stockRuns.map((run) => ({
      'Redis persistence': run.mode.label,
      'req/s': Math.round(run.figures.requestsPerSecond),
      'p99 ms': run.figures.p99Ms,
      'stock-api µs': Math.round(microsPer(cpuOf(run.wholeCpu, 'stock-api'), run.figures.requests)),
      'RabbitMQ µs': Math.round(microsPer(cpuOf(run.wholeCpu, 'RabbitMQ'), run.figures.requests)),
      'sync-worker µs': Math.round(
        microsPer(cpuOf(run.wholeCpu, 'sync-worker'), run.figures.requests),
      ),
      'machine µs, load only': Math.round(microsPer(sum(run.loadCpu), run.figures.requests)),
      'machine µs, until MySQL caught up': Math.round(
        microsPer(sum(run.wholeCpu), run.figures.requests),
      ),
      'outbox left': run.backlog,
      'MySQL caught up s': Number((run.caughtUpMs / 1000).toFixed(2)),
    })),
  );

  const stack = stockRuns[stockRuns.length - 1];
  const machine = microsPer(sum(stack.wholeCpu), stack.figures.requests);
  const vsGateway = stack.figures.requestsPerSecond / putGateway.requestsPerSecond;
  const vsBare = getStock.requestsPerSecond / getBare.requestsPerSecond;
  const catchUp = stack.caughtUpMs / 1000;
  console.log('\nAims (issue 16), the stack as it runs (AOF, fsync always)');
  console.table([
    {
      figure: 'whole-machine CPU per stock change, µs',
      measured: Math.round(machine),
      aim: `<= ${AIM.machineMicrosPerChange}`,
      verdict: verdict(machine <= AIM.machineMicrosPerChange),
    },
    {
      figure: 'stock PUT req/s vs the original gateway',
      measured: `${vsGateway.toFixed(2)}x`,
      aim: `>= ${AIM.putVsGateway}x`,
      verdict: verdict(vsGateway >= AIM.putVsGateway),
    },
    {
      figure: 'stock GET req/s vs the bare route GET',
      measured: `${(vsBare * 100).toFixed(0)} %`,
      aim: `>= ${AIM.getVsBare * 100} %`,
      verdict: verdict(vsBare >= AIM.getVsBare),
    },
    {
      figure: 'MySQL holds every newest version, s after the load',
      measured: Number(catchUp.toFixed(2)),
      aim: `<= ${AIM.mysqlCatchUpSeconds}`,
      verdict: verdict(catchUp <= AIM.mysqlCatchUpSeconds),
    },
  ]);
  console.log(
    `The original gateway used ${Math.round(microsPer(sum(gatewayCpu), putGateway.requests))} µs ` +
      'of the whole machine per change, and stored nothing durably.',
  );
  console.log(
    `Through Varnish (cached until the product's next change) the stock GET was ` +
      `${((getCached.requestsPerSecond / getBare.requestsPerSecond) * 100).toFixed(0)} % of the ` +
      'bare route; the aim above is judged on stock-api itself.',
  );
  if (loads.some((row) => row.errors > 0 || row.non2xx > 0)) {
    console.error('INVALID RUN: some requests failed; see the errors / non-2xx columns');
    process.exitCode = 1;
  }
}

/** The original gateway's counters are not the shop's data: leave nothing behind. */
async function deleteGatewayKeys(redis: RedisClient): Promise<void> {
  // One DEL per key: on a cluster they lie in many slots.
  await Promise.all(PRODUCT_IDS.map((id) => redis.del(`${ORIGINAL_GATEWAY_KEY_PREFIX}${id}`)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
