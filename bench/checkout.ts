/**
 * `npm run bench:checkout`: sale-day checkout. 50 concurrent shoppers, for BENCH_SECONDS (10 s),
 * each in a loop: a new cart made with one product (its hold), checkout (the sale and
 * `order.placed`).
 * Next to it, in the same run and with the same client, 50 concurrent stock PUTs: ROUNDS rounds
 * (3) of a PUT run then a checkout run. Needs the stack (`npm run up`); loopback only, straight
 * to stock-api as bench:stock does; every run is bounded.
 *
 * Prints each round's orders/s next to its PUT/s, then for all rounds together orders/s and
 * p50/p99 of add-to-cart and checkout next to the stock PUT's, the CPU per order of each process
 * (from /proc, as bench:stock), and how long after each load MySQL held every order it placed
 * (the order worker's lag), against the issue's aims.
 *
 * `--pause-consumers` is an experiment, not the benchmark: it stops the sync worker and live
 * (SIGSTOP) for each measured load and resumes them (SIGCONT) after it, as if they ran on other
 * cores than stock-api, Redis and RabbitMQ. It says which aims the request path itself reaches on
 * this machine; the consumers' work then falls after the load, outside the CPU count, and the
 * MySQL figure is the time to catch up a whole load's backlog.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { parseShopConfig } from '@shop/config';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { appPid, processesOf } from '../test/support/apps';
import { eventually } from '../test/support/eventually';
import { percentile, printTable, roundsOption, type LoadFigures } from './load';
import {
  pooledCpu,
  printCpuPerRequest,
  stackProcesses,
  startCpuCount,
  type CpuSpent,
} from './process-cpu';
import { requireUp } from './stack-processes';
import { ledgerLevels, mysqlVersions } from './stock-levels';

const config = parseShopConfig(process.env);
const stockApi = `http://127.0.0.1:${config.STOCK_API_PORT}`;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const SHOPPERS = 50;
/**
 * Shoppers spread over this many products (`--products N`, default 20: a sale day's few hot
 * products), each stocked far beyond what a run can sell. The PUT run uses the same products.
 * More products mean more misses of stock-api's 2 s name-and-price cache, each a MySQL query.
 */
const ARGS = parseArgs({
  options: {
    products: { type: 'string', default: '20' },
    rounds: { type: 'string' },
    'pause-consumers': { type: 'boolean', default: false },
  },
}).values;
const PRODUCTS = Number(ARGS.products);
if (!Number.isInteger(PRODUCTS) || PRODUCTS < 1 || PRODUCTS > 1000) {
  throw new Error('--products wants an integer from 1 to 1000');
}
/** Rounds of a PUT run then a checkout run (`--rounds N`, default 3): see roundsOption. */
const ROUNDS = roundsOption(ARGS.rounds);
const PRODUCT_IDS = Array.from({ length: PRODUCTS }, (_, index) => index + 1);
const STOCKED = 1_000_000;
const MYSQL_TIMEOUT_MS = 180_000;

/**
 * A stopped process sends no AMQP heartbeats, and RabbitMQ closes a connection that missed two
 * (the stack's are 10 s apart): a paused load stays well inside that, so nothing reconnects.
 */
const PAUSE_LIMIT_S = 15;

const PAUSE_CONSUMERS = ARGS['pause-consumers'] === true;
if (PAUSE_CONSUMERS && DURATION_S > PAUSE_LIMIT_S) {
  throw new Error(`--pause-consumers wants BENCH_SECONDS of at most ${PAUSE_LIMIT_S}`);
}
/** Every process of the sync worker (two in cluster mode) and live; throws if one was not started. */
const PAUSED_PIDS = PAUSE_CONSUMERS
  ? (['sync-worker', 'live'] as const).flatMap(processesOf).map(appPid)
  : [];

const AIM_CHECKOUT_P99_MS = 50;
const AIM_MYSQL_AFTER_LOAD_MS = 2000;

const auth = { authorization: `Bearer ${config.ADMIN_TOKEN}`, 'content-type': 'application/json' };
const json = { 'content-type': 'application/json' };
const checkoutBody = JSON.stringify({
  email: 'bench@example.com',
  shippingAddress: {
    name: 'Bench Shopper',
    line1: '1 Load Street',
    city: 'Loopback',
    postcode: '127001',
    country: 'GB',
  },
});

// node:http with keep-alive rather than fetch: on 2 cores the client shares the CPU with the
// stack, and fetch costs several times more per request. One socket per shopper.
const agent = new Agent({ keepAlive: true, maxSockets: SHOPPERS });

interface Answer {
  ms: number;
  status: number;
  body: string;
}

/** One timed request; the body is read so the socket is free for the next one. */
function timed(
  path: string,
  method: 'POST' | 'PUT',
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: config.STOCK_API_PORT,
        path,
        method,
        agent,
        headers:
          body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            ms: performance.now() - started,
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

class Sample {
  readonly ms: number[] = [];
  ok = 0;
  failed = 0;

  add(result: { ms: number; status: number }, expected: number): boolean {
    this.ms.push(result.ms);
    if (result.status === expected) this.ok += 1;
    else this.failed += 1;
    return result.status === expected;
  }

  figures(label: string, seconds: number): LoadFigures {
    return {
      label,
      requestsPerSecond: this.ok / seconds,
      requests: this.ok,
      p50Ms: Number(percentile(this.ms, 50).toFixed(1)),
      p99Ms: Number(percentile(this.ms, 99).toFixed(1)),
      errors: 0,
      non2xx: this.failed,
    };
  }
}

/** `SHOPPERS` loops of `step` until `seconds` have passed. */
async function loops(seconds: number, step: (worker: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: SHOPPERS }, async (_, worker) => {
      while (performance.now() < deadline) await step(worker);
    }),
  );
  return (performance.now() - started) / 1000;
}

interface CheckoutRun {
  addToCart: Sample;
  checkout: Sample;
  orderIds: string[];
  seconds: number;
  loadEnded: number;
}

async function checkoutRun(seconds: number): Promise<CheckoutRun> {
  const run: CheckoutRun = {
    addToCart: new Sample(),
    checkout: new Sample(),
    orderIds: [],
    seconds: 0,
    loadEnded: 0,
  };
  let next = 0;
  run.seconds = await loops(seconds, async () => {
    next = (next % PRODUCTS) + 1;
    // A shopper's first "Add to cart" makes the cart with its line, held: one request.
    const added = await timed('/carts', 'POST', json, `{"productId":${next},"quantity":1}`);
    if (!run.addToCart.add(added, 201)) return;
    const { id } = JSON.parse(added.body) as { id: string };
    const placed = await timed(
      `/carts/${id}/checkout`,
      'POST',
      { ...json, 'idempotency-key': randomUUID() },
      checkoutBody,
    );
    if (run.checkout.add(placed, 202)) {
      run.orderIds.push((JSON.parse(placed.body) as { orderId: string }).orderId);
    }
  });
  run.loadEnded = performance.now();
  return run;
}

async function stockPutRun(seconds: number): Promise<{ sample: Sample; seconds: number }> {
  const sample = new Sample();
  let next = 0;
  const elapsed = await loops(seconds, async () => {
    next = (next % PRODUCTS) + 1;
    sample.add(
      await timed(`/products/${next}/stock`, 'PUT', auth, '{"stock":1,"action":"increment"}'),
      200,
    );
  });
  return { sample, seconds: elapsed };
}

function signalConsumers(signal: 'SIGSTOP' | 'SIGCONT'): void {
  for (const pid of PAUSED_PIDS) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile: nothing to pause or resume
    }
  }
}

/** `load` with the consumers stopped (`--pause-consumers`), and resumed whatever happens. */
async function withConsumersPaused<T>(load: () => Promise<T>): Promise<T> {
  if (PAUSED_PIDS.length === 0) return load();
  signalConsumers('SIGSTOP');
  try {
    return await load();
  } finally {
    signalConsumers('SIGCONT');
  }
}

async function ordersInMysql(mysql: Connection, ids: readonly string[]): Promise<number> {
  let found = 0;
  for (let start = 0; start < ids.length; start += 1000) {
    const [rows] = await mysql.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM orders WHERE id IN (?)',
      [ids.slice(start, start + 1000)],
    );
    found += Number(rows[0].n);
  }
  return found;
}

/** Until MySQL holds every order of `ids`; ms from `since` (the end of the load). */
async function mysqlHoldsAll(
  mysql: Connection,
  ids: readonly string[],
  since: number,
): Promise<number> {
  await eventually(async () => (await ordersInMysql(mysql, ids)) === ids.length, {
    what: `all ${ids.length} orders in MySQL`,
    timeoutMs: MYSQL_TIMEOUT_MS,
    intervalMs: 20,
  });
  return performance.now() - since;
}

/** Until MySQL's stock rows hold the ledger's versions: no run pays for the previous one's events. */
async function stockSettled(mysql: Connection): Promise<void> {
  const ledger = await ledgerLevels(stockApi, PRODUCT_IDS);
  await eventually(
    async () => {
      const stored = await mysqlVersions(mysql, PRODUCT_IDS);
      return PRODUCT_IDS.every((id) => (stored.get(id) ?? 0) >= (ledger.get(id)?.version ?? 0));
    },
    { what: 'MySQL catching up with the ledger', timeoutMs: MYSQL_TIMEOUT_MS, intervalMs: 50 },
  );
}

function aim(ok: boolean): string {
  return ok ? 'met' : 'NOT met';
}

/** Adds `more` to `into` (the samples of several rounds, for their percentiles together). */
function pool(into: Sample, more: Sample): void {
  // Not push(...more.ms): a long run's samples would pass V8's limit on call arguments.
  for (const ms of more.ms) into.ms.push(ms);
  into.ok += more.ok;
  into.failed += more.failed;
}

interface Round {
  round: number;
  'stock PUT/s': number;
  'orders/s': number;
  'orders per PUT': number;
  'checkout p99 ms': number;
  'MySQL after load s': number;
}

async function main(): Promise<void> {
  await requireUp(`${stockApi}/health`, 'stock-api');
  const mysql = await createConnection(config.MYSQL_URL);
  try {
    for (const id of PRODUCT_IDS) {
      const response = await fetch(`${stockApi}/products/${id}/stock`, {
        method: 'PUT',
        headers: auth,
        body: JSON.stringify({ stock: STOCKED, action: 'set' }),
      });
      if (!response.ok) throw new Error(`setting stock of ${id} answered ${response.status}`);
    }
    // Unmeasured: JIT warm-up, connection pools, the first Lua script loads.
    const warmUp = await checkoutRun(Math.min(DURATION_S, 3));
    await mysqlHoldsAll(mysql, warmUp.orderIds, warmUp.loadEnded);
    await stockPutRun(Math.min(DURATION_S, 2));
    await stockSettled(mysql);

    const addToCart = new Sample();
    const checkout = new Sample();
    const puts = new Sample();
    let checkoutSeconds = 0;
    let putSeconds = 0;
    let orders = 0;
    let worstMysqlAfterMs = 0;
    const putCpu: CpuSpent[][] = [];
    const checkoutCpu: CpuSpent[][] = [];
    const rounds: Round[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const putCount = startCpuCount(stackProcesses());
      const putRun = await withConsumersPaused(() => stockPutRun(DURATION_S));
      putCpu.push(putCount());
      await stockSettled(mysql);

      const checkoutCount = startCpuCount(stackProcesses());
      const run = await withConsumersPaused(() => checkoutRun(DURATION_S));
      checkoutCpu.push(checkoutCount());
      const mysqlAfterMs = await mysqlHoldsAll(mysql, run.orderIds, run.loadEnded);

      pool(puts, putRun.sample);
      pool(addToCart, run.addToCart);
      pool(checkout, run.checkout);
      putSeconds += putRun.seconds;
      checkoutSeconds += run.seconds;
      orders += run.orderIds.length;
      worstMysqlAfterMs = Math.max(worstMysqlAfterMs, mysqlAfterMs);
      const putRate = putRun.sample.ok / putRun.seconds;
      const orderRate = run.orderIds.length / run.seconds;
      rounds.push({
        round,
        'stock PUT/s': Math.round(putRate),
        'orders/s': Math.round(orderRate),
        'orders per PUT': Number((orderRate / putRate).toFixed(3)),
        'checkout p99 ms': Number(percentile(run.checkout.ms, 99).toFixed(1)),
        'MySQL after load s': Number((mysqlAfterMs / 1000).toFixed(2)),
      });
      // Until MySQL's stock rows caught up with this round's holds and sales.
      await stockSettled(mysql);
    }

    const ordersPerSecond = orders / checkoutSeconds;
    const add = addToCart.figures('add to cart (POST /carts with its first line)', checkoutSeconds);
    const checkoutFigures = checkout.figures(
      'checkout (POST /carts/:id/checkout)',
      checkoutSeconds,
    );
    const put = puts.figures('stock PUT (PUT /products/:id/stock), same client', putSeconds);
    console.log(
      `\n${ROUNDS} rounds, each ${DURATION_S} s of stock PUTs then ${DURATION_S} s of checkouts`,
    );
    if (PAUSED_PIDS.length > 0) {
      console.log(
        'An experiment (--pause-consumers): the sync worker and live were stopped during each ' +
          "load; their work is not in the CPU tables, and MySQL's figure is a backlog's catch-up.",
      );
    }
    console.table(rounds);
    printTable(`${SHOPPERS} concurrent shoppers over ${PRODUCTS} products, all rounds together`, [
      add,
      checkoutFigures,
      put,
    ]);
    printCpuPerRequest(
      'CPU per order during the checkout runs (a cart with its hold, a checkout)',
      pooledCpu(checkoutCpu),
      orders,
    );
    printCpuPerRequest('CPU per stock PUT during the PUT runs', pooledCpu(putCpu), put.requests);

    const perPut = put.requestsPerSecond;
    console.log('\nAgainst the aims (all rounds together)');
    console.table([
      {
        figure: 'orders/s',
        value: Number(ordersPerSecond.toFixed(0)),
        aim: `>= ${(perPut / 3).toFixed(0)} (a third of ${perPut.toFixed(0)} stock PUT/s)`,
        verdict: aim(ordersPerSecond >= perPut / 3),
      },
      {
        figure: 'checkout p99 ms',
        value: checkoutFigures.p99Ms,
        aim: `<= ${AIM_CHECKOUT_P99_MS}`,
        verdict: aim(checkoutFigures.p99Ms <= AIM_CHECKOUT_P99_MS),
      },
      {
        figure: `every order of a round in MySQL, s after its load (worst of ${ROUNDS})`,
        value: Number((worstMysqlAfterMs / 1000).toFixed(2)),
        aim: `<= ${AIM_MYSQL_AFTER_LOAD_MS / 1000}`,
        verdict: aim(worstMysqlAfterMs <= AIM_MYSQL_AFTER_LOAD_MS),
      },
    ]);
    if (add.non2xx + checkoutFigures.non2xx + put.non2xx > 0) {
      console.log('warning: some requests failed; see the non-2xx column');
    }
  } finally {
    agent.destroy();
    await mysql.end();
  }
}

if (PAUSE_CONSUMERS) {
  // A benchmark stopped by Ctrl-C or a kill must not leave the consumers stopped.
  process.once('exit', () => signalConsumers('SIGCONT'));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
