/**
 * `npm run bench:stock`: stock API throughput next to a bare Fastify route on the same machine.
 * Needs the stack (`npm run up`). Loopback only; every run is bounded in time.
 */
import type autocannon from 'autocannon';
import { parseShopConfig } from '@shop/config';
import { measureLoad, printTable, type LoadFigures } from './load';
import { requireUp, startBareRoute } from './stack-processes';

const config = parseShopConfig(process.env);
const stockApi = `http://127.0.0.1:${config.STOCK_API_PORT}`;
const BARE_PORT = 3998;
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const PRODUCTS = 1000;

async function main(): Promise<void> {
  await requireUp(`${stockApi}/health`, 'stock-api');
  const bare = await startBareRoute(BARE_PORT);
  const rows: LoadFigures[] = [];
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
    rows.push(
      await measureLoad({
        label: 'PUT /products/:id/stock (stock-api)',
        url: stockApi,
        method: 'PUT',
        headers: auth,
        requests: putRequests,
        durationSeconds: DURATION,
      }),
    );
  } finally {
    bare.kill();
  }
  printTable('Stock API at 50 connections', rows);
  const [getBare, getStock, putBare, putStock] = rows;
  console.log(
    `GET: ${((getStock.requestsPerSecond / getBare.requestsPerSecond) * 100).toFixed(0)} % of the bare route; ` +
      `PUT: ${((putStock.requestsPerSecond / putBare.requestsPerSecond) * 100).toFixed(0)} % of the bare route (aim: >= 40 %)`,
  );
  if (rows.some((row) => row.errors > 0 || row.non2xx > 0)) {
    console.log('warning: some requests failed; see the errors / non-2xx columns');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
