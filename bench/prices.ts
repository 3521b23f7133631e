/**
 * `npm run bench:prices` (a benchmark, not a test; needs the stack: `npm run up`).
 *
 * Price changes through `PUT /products/:id/price`, one at a time over ten demo products, each timed
 * from the PUT's answer until MySQL holds its version and until Varnish serves the new price
 * (`GET /products/:id`: the cached answer was purged and refetched from Elasticsearch). Next to
 * it, in the same run and measured the same way, a stock PUT until MySQL holds its version: the
 * price path rides the same outbox relay, so the two should be alike.
 *
 * Aim (issue 17): a price change reaches MySQL, Elasticsearch and Varnish within 1 s at p99.
 * Each product gets its original price back at the end.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseShopConfig } from '@shop/config';
import type { RowDataPacket } from 'mysql2/promise';
import { createConnection, type Connection } from 'mysql2/promise';
import { eventually } from '../test/support/eventually';
import { percentile } from './load';
import { requireUp } from './stack-processes';
import { mysqlVersions } from './stock-levels';

const { values: args } = parseArgs({ options: { samples: { type: 'string' } } });
const config = parseShopConfig(process.env);
const SAMPLES = Number(args.samples ?? 100);
const IDS = Array.from({ length: 10 }, (_, index) => 401 + index);
const stockApi = `http://127.0.0.1:${config.STOCK_API_PORT}`;
const admin = { authorization: `Bearer ${config.ADMIN_TOKEN}`, 'content-type': 'application/json' };
const AIM_P99_MS = 1000;
const WAIT = { timeoutMs: 10_000, intervalMs: 5 };

async function put(path: string, body: unknown): Promise<{ version: number }> {
  const response = await fetch(`${stockApi}${path}`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`PUT ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { version: number };
}

async function priceVersion(mysql: Connection, id: number): Promise<number> {
  const [rows] = await mysql.query<RowDataPacket[]>(
    'SELECT price_version FROM products WHERE id = ?',
    [id],
  );
  return Number(rows[0]?.price_version ?? 0);
}

async function priceThroughVarnish(id: number): Promise<number> {
  const response = await fetch(`${config.PUBLIC_URL}/products/${id}`);
  return ((await response.json()) as { price: number }).price;
}

function summary(label: string, samples: number[]): Record<string, string | number> {
  return {
    path: label,
    samples: samples.length,
    'p50 ms': Math.round(percentile(samples, 50)),
    'p99 ms': Math.round(percentile(samples, 99)),
    'max ms': Math.round(Math.max(...samples)),
  };
}

async function main(): Promise<void> {
  await requireUp(`${stockApi}/health`, 'stock-api');
  await requireUp(`${config.PUBLIC_URL}/health`, 'Varnish');
  const mysql = await createConnection(config.MYSQL_URL);
  const originals = new Map<number, number>();
  for (const id of IDS) originals.set(id, await priceThroughVarnish(id));
  const toMysql: number[] = [];
  const toVarnish: number[] = [];
  const stockToMysql: number[] = [];
  try {
    for (let sample = 0; sample < SAMPLES; sample += 1) {
      const id = IDS[sample % IDS.length];
      // Alternates a cent above the original and the original itself: every PUT is a change.
      const round = Math.floor(sample / IDS.length);
      const price = Math.round((originals.get(id)! + (round % 2 === 0 ? 0.01 : 0)) * 100) / 100;
      const { version } = await put(`/products/${id}/price`, { price });
      const answered = performance.now();
      await Promise.all([
        eventually(async () => (await priceVersion(mysql, id)) >= version, {
          what: `product ${id}'s price version ${version} in MySQL`,
          ...WAIT,
        }).then(() => toMysql.push(performance.now() - answered)),
        eventually(async () => (await priceThroughVarnish(id)) === price, {
          what: `product ${id} at ${price} through Varnish`,
          ...WAIT,
        }).then(() => toVarnish.push(performance.now() - answered)),
      ]);

      const stock = await put(`/products/${id}/stock`, { stock: 1, action: 'increment' });
      const stockAnswered = performance.now();
      await eventually(
        async () => ((await mysqlVersions(mysql, [id])).get(id) ?? 0) >= stock.version,
        { what: `product ${id}'s stock version ${stock.version} in MySQL`, ...WAIT },
      );
      stockToMysql.push(performance.now() - stockAnswered);
    }
  } finally {
    for (const [id, price] of originals) await put(`/products/${id}/price`, { price });
    await mysql.end();
  }

  console.log(
    `\n${SAMPLES} price changes, one at a time, over products ${IDS[0]}–${IDS[IDS.length - 1]}`,
  );
  console.table([
    summary('price PUT → MySQL row', toMysql),
    summary('price PUT → new price through Varnish (ES + purge)', toVarnish),
    summary('peer: stock PUT → MySQL row (same run)', stockToMysql),
  ]);
  const p99 = Math.max(percentile(toMysql, 99), percentile(toVarnish, 99));
  console.log(
    `Aim: p99 <= ${AIM_P99_MS} ms to MySQL, Elasticsearch and Varnish: ${Math.round(p99)} ms, ` +
      (p99 <= AIM_P99_MS ? 'met' : 'NOT met'),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
