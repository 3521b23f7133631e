/**
 * `npm run bench:sync` (a benchmark, not a test; needs the stack: `npm run up`).
 *
 * 1. Throughput: publishes N (default 20,000) raw stock events for 200 existing products with
 *    increasing versions on `stock`/`info`, as the stock API's relay would, and times how long
 *    until the sync worker has consumed them all and MySQL holds every product's last version.
 *    The events keep each product's figure and only move its version on, so no stock is
 *    invented; afterwards the ledger adopts those versions (a restore never lowers anything).
 * 2. Latency: stock PUTs through the stock API, one at a time, each timed until MySQL has its
 *    version and until Varnish serves it (the cached stock answer was purged and refetched).
 *
 * Aims: >= 3,000 events/s into MySQL; p99 <= 250 ms from a PUT to its MySQL row and to its purge.
 */
import { performance } from 'node:perf_hooks';
import { parseShopConfig } from '@shop/config';
import {
  STOCK_EXCHANGE,
  StockRoutingKey,
  SyncQueue,
  type StockChangedEvent,
} from '@shop/contracts';
import { StockLedger } from '@shop/stock';
import { connect } from 'amqplib';
import { createRedisClient } from '@shop/redis';
import { createConnection, type Connection } from 'mysql2/promise';
import { errorMessage } from '@shop/common';
import { eventually } from '../test/support/eventually';
import { percentile } from './load';
import { ledgerLevels, mysqlVersions, type Level } from './stock-levels';
import { requireUp } from './stack-processes';

const config = parseShopConfig(process.env);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const THROUGHPUT_IDS = range(Number(process.env.BENCH_FIRST_ID ?? 501), 200);
const LATENCY_IDS = range(THROUGHPUT_IDS[THROUGHPUT_IDS.length - 1] + 1, 10);
const stockApi = `http://127.0.0.1:${config.STOCK_API_PORT}`;
const metricsUrl = `http://127.0.0.1:${config.SYNC_WORKER_PORT}/metrics`;
const admin = { authorization: `Bearer ${config.ADMIN_TOKEN}`, 'content-type': 'application/json' };

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => from + index);
}

async function processedIntoMysql(): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const prefix = `sync_messages_processed_total{queue="${SyncQueue.Stock}"} `;
  const line = text.split('\n').find((candidate) => candidate.startsWith(prefix));
  return line ? Number(line.slice(prefix.length)) : 0;
}

async function throughput(mysql: Connection): Promise<void> {
  const levels = await ledgerLevels(stockApi, THROUGHPUT_IDS);
  const stored = await mysqlVersions(mysql, THROUGHPUT_IDS);
  const rounds = Math.ceil(EVENTS / THROUGHPUT_IDS.length);
  const base = new Map(
    THROUGHPUT_IDS.map((id) => [id, Math.max(levels.get(id)!.version, stored.get(id) ?? 0)]),
  );
  const target = new Map(THROUGHPUT_IDS.map((id) => [id, base.get(id)! + rounds]));
  const total = rounds * THROUGHPUT_IDS.length;

  const amqp = await connect(config.AMQP_URL[0]);
  const channel = await amqp.createConfirmChannel();
  const processedBefore = await processedIntoMysql();
  const started = performance.now();
  for (let round = 1; round <= rounds; round += 1) {
    for (const id of THROUGHPUT_IDS) {
      const version = base.get(id)! + round;
      const event: StockChangedEvent = {
        id,
        stock: levels.get(id)!.stock,
        delta: 0,
        version,
        reason: 'set',
        occurredAt: new Date().toISOString(),
      };
      channel.publish(STOCK_EXCHANGE, StockRoutingKey.Info, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        contentType: 'application/json',
        messageId: `stock-${id}-v${version}`,
        type: 'stock.changed',
      });
    }
    if (round % 5 === 0) await channel.waitForConfirms();
  }
  await channel.waitForConfirms();
  const published = performance.now();
  await amqp.close();

  await eventually(
    async () => {
      const versions = await mysqlVersions(mysql, THROUGHPUT_IDS);
      const caughtUp = THROUGHPUT_IDS.every((id) => (versions.get(id) ?? 0) >= target.get(id)!);
      return caughtUp && (await processedIntoMysql()) - processedBefore >= total;
    },
    { what: 'MySQL catching up', timeoutMs: 120_000, intervalMs: 10 },
  );
  const done = performance.now();

  // The ledger adopts the new versions (same figures): a restore writes only newer versions.
  const redis = createRedisClient(config.REDIS_URL);
  try {
    await new StockLedger(redis).restore(
      THROUGHPUT_IDS.map((id) => ({
        id,
        stock: levels.get(id)!.stock,
        version: target.get(id)!,
        updatedAt: new Date(),
      })),
    );
  } finally {
    redis.disconnect();
  }

  const perSecond = total / ((done - started) / 1000);
  console.log(`\nStock events into MySQL (${total} events, ${THROUGHPUT_IDS.length} products)`);
  console.table([
    {
      'published in ms': Math.round(published - started),
      'all in MySQL after ms': Math.round(done - started),
      'events/s': Math.round(perSecond),
      aim: '>= 3000',
      met: perSecond >= 3000 ? 'yes' : 'NO',
    },
  ]);
}

async function freshInVarnish(id: number, version: number): Promise<boolean> {
  const response = await fetch(`${config.PUBLIC_URL}/products/${id}/stock`);
  const body = (await response.json()) as Level;
  return body.version >= version;
}

async function latency(mysql: Connection): Promise<void> {
  const toMysql: number[] = [];
  const toVarnish: number[] = [];
  for (let sample = 0; sample < SAMPLES; sample += 1) {
    const id = LATENCY_IDS[sample % LATENCY_IDS.length];
    // Cached in Varnish before the change, so only a purge makes the new figure visible there.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const response = await fetch(`${config.PUBLIC_URL}/products/${id}/stock`);
      await response.arrayBuffer();
      if (response.headers.get('x-cache') === 'HIT') break;
    }
    const started = performance.now();
    const response = await fetch(`${stockApi}/products/${id}/stock`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ stock: 1, action: 'increment' }),
    });
    if (!response.ok) throw new Error(`PUT answered ${response.status}`);
    const { version } = (await response.json()) as Level;
    const watch = async (fresh: () => Promise<boolean>, into: number[]): Promise<void> => {
      await eventually(fresh, {
        what: `version ${version} of ${id} seen`,
        timeoutMs: 10_000,
        intervalMs: 2,
      });
      into.push(performance.now() - started);
    };
    await Promise.all([
      watch(async () => ((await mysqlVersions(mysql, [id])).get(id) ?? 0) >= version, toMysql),
      watch(() => freshInVarnish(id, version), toVarnish),
    ]);
  }
  const row = (what: string, samples: number[]): Record<string, string | number> => ({
    delay: what,
    samples: samples.length,
    'p50 ms': Math.round(percentile(samples, 50)),
    'p99 ms': Math.round(percentile(samples, 99)),
    'max ms': Math.round(Math.max(...samples)),
    aim: 'p99 <= 250',
    met: percentile(samples, 99) <= 250 ? 'yes' : 'NO',
  });
  console.log(`\nDelay from a stock PUT (stock API) to ...`);
  console.table([row('its MySQL row', toMysql), row('its Varnish purge', toVarnish)]);
}

async function main(): Promise<void> {
  await requireUp(`${stockApi}/health`, 'the stock API');
  await requireUp(`http://127.0.0.1:${config.SYNC_WORKER_PORT}/health`, 'the sync worker');
  await requireUp(`${config.PUBLIC_URL}/health`, 'Varnish');
  const mysql = await createConnection(config.MYSQL_URL);
  try {
    await throughput(mysql);
    await latency(mysql);
  } finally {
    await mysql.end();
  }
}

main().catch((error: unknown) => {
  console.error(errorMessage(error));
  process.exitCode = 1;
});
