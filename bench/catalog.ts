/**
 * `npm run bench:catalog`: a search with every aggregation over 100,000 products, through the
 * catalog API and sent straight to Elasticsearch, in the same run. Needs the stack
 * (`npm run up`): it builds a separate `products_bench` index (kept for the next run; pass
 * --rebuild to build it again) and a second catalog-api instance reading it.
 */
import { parseArgs } from 'node:util';
import { parseShopConfig } from '@shop/config';
import type { ProductSearchQuery } from '@shop/contracts';
import { generateDemoCatalog } from '@shop/persistence';
import {
  buildProductSearchBody,
  createElasticsearchClient,
  ProductIndexer,
  toProductDocument,
} from '@shop/search';
import { eventually } from '../test/support/eventually';
import { measureLoad, percentile, printTable } from './load';
import { requireUp, startAppInstance } from './stack-processes';

const config = parseShopConfig(process.env);
const ALIAS = 'products_bench';
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const PORT = 3901;
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);

const query: ProductSearchQuery = {
  q: 'wool jacket',
  categories: [],
  minPrice: 20,
  maxPrice: 400,
  inStock: true,
  sort: 'relevance',
  page: 1,
  size: 20,
};

/** `npm run bench:catalog -- --rebuild` builds the benchmark index again even when it is full. */
const rebuild = parseArgs({ options: { rebuild: { type: 'boolean', default: false } } }).values
  .rebuild;

async function ensureBenchIndex(): Promise<void> {
  const client = createElasticsearchClient(config.ELASTICSEARCH_URL, { requestTimeoutMs: 120_000 });
  try {
    const exists = await client.indices.existsAlias({ name: ALIAS });
    const count = exists ? (await client.count({ index: ALIAS })).count : 0;
    if (count >= PRODUCTS && !rebuild) {
      console.log(`${ALIAS} already holds ${count} products`);
      return;
    }
    const catalog = generateDemoCatalog(7, PRODUCTS);
    const started = Date.now();
    const indexer = new ProductIndexer(client, ALIAS);
    function* batches(): Generator<ReturnType<typeof toProductDocument>[]> {
      for (let start = 0; start < catalog.products.length; start += 5000) {
        yield catalog.products
          .slice(start, start + 5000)
          .map((product) =>
            toProductDocument({ ...product, updatedAt: product.createdAt }, product.stock),
          );
      }
    }
    const result = await indexer.reindex(batches());
    console.log(
      `indexed ${result.documents} products into ${result.index} in ${Date.now() - started} ms`,
    );
  } finally {
    await client.close();
  }
}

/**
 * From an admin write (through Varnish) to the change being findable by a shopper's search
 * through Varnish: outbox relay, RabbitMQ, sync worker, Elasticsearch refresh and the listing
 * purge, end to end. Sequential writes, each to a fresh product.
 */
async function measureWriteToSearchable(samples: number): Promise<void> {
  const origin = config.PUBLIC_URL;
  const headers = {
    authorization: `Bearer ${config.ADMIN_TOKEN}`,
    'content-type': 'application/json',
  };
  const run = `bench${Date.now().toString(36)}`;
  const delays: number[] = [];
  const created: number[] = [];
  try {
    for (let n = 0; n < samples; n += 1) {
      const word = `${run}x${n.toString(36)}`.replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]);
      const started = performance.now();
      const response = await fetch(`${origin}/admin/products`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          sku: `BENCH-${run}-${n}`,
          name: `${word} Bench Lamp`,
          description: 'Created by the catalog benchmark.',
          price: 10 + n,
          categories: ['home-decor'],
        }),
      });
      if (response.status !== 201) throw new Error(`create answered ${response.status}`);
      created.push(((await response.json()) as { id: number }).id);
      await eventually(
        async () => {
          const search = (await (await fetch(`${origin}/products?q=${word}`)).json()) as {
            total: number;
          };
          return search.total > 0;
        },
        { what: `${word} searchable`, timeoutMs: 10_000, intervalMs: 5 },
      );
      delays.push(performance.now() - started);
    }
  } finally {
    for (const id of created) {
      await fetch(`${origin}/admin/products/${id}`, {
        method: 'DELETE',
        headers: { authorization: headers.authorization },
      });
    }
  }
  console.log(
    `\nAdmin create through Varnish -> searchable through Varnish (${samples} products): ` +
      `p50 ${percentile(delays, 50).toFixed(0)} ms, p99 ${percentile(delays, 99).toFixed(0)} ms, ` +
      `max ${Math.max(...delays).toFixed(0)} ms (aim: p99 within 1000 ms)`,
  );
}

async function main(): Promise<void> {
  await requireUp(`${config.PUBLIC_URL}/health`, 'the stack through Varnish');
  await measureWriteToSearchable(Number(process.env.BENCH_WRITES ?? 100));
  await ensureBenchIndex();
  const api = await startAppInstance(
    'catalog-api',
    { CATALOG_API_PORT: String(PORT), PRODUCTS_INDEX_ALIAS: ALIAS },
    `http://127.0.0.1:${PORT}/health`,
  );
  try {
    const params = new URLSearchParams({
      q: query.q!,
      minPrice: String(query.minPrice),
      maxPrice: String(query.maxPrice),
      inStock: 'true',
      size: String(query.size),
    });
    const sample = (await (
      await fetch(`http://127.0.0.1:${PORT}/products?${params.toString()}`)
    ).json()) as {
      total: number;
      aggregations: { categories: unknown[] };
    };
    console.log(
      `query "${query.q}" matches ${sample.total} of ${PRODUCTS} products, ` +
        `${sample.aggregations.categories.length} category facets, price stats and ranges in one request`,
    );
    const rows = [
      await measureLoad({
        label: 'Elasticsearch _search directly',
        url: `${config.ELASTICSEARCH_URL[0]}/${ALIAS}/_search`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(buildProductSearchBody(query)),
        durationSeconds: DURATION,
        connections: 10,
      }),
      await measureLoad({
        label: 'GET /products (catalog-api)',
        url: `http://127.0.0.1:${PORT}/products?${params.toString()}`,
        durationSeconds: DURATION,
        connections: 10,
      }),
    ];
    printTable(`Search with all aggregations over ${PRODUCTS} products (10 connections)`, rows);
    console.log(
      `catalog-api adds ${(rows[1].p50Ms - rows[0].p50Ms).toFixed(1)} ms at p50 and ` +
        `${(rows[1].p99Ms - rows[0].p99Ms).toFixed(1)} ms at p99 over Elasticsearch alone`,
    );
  } finally {
    api.kill();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
