/**
 * `npm run bench:catalog`: a search with every aggregation over 100,000 products, through the
 * catalog API and sent straight to Elasticsearch, in the same run. Needs the stack
 * (`npm run up`): it builds a separate `products_bench` index (kept for the next run; pass
 * --rebuild to build it again) and a second catalog-api instance reading it.
 */
import { parseShopConfig } from '@shop/config';
import { toProductDocument } from '@shop/catalog';
import type { ProductSearchQuery } from '@shop/contracts';
import { generateDemoCatalog } from '@shop/persistence';
import { buildProductSearchBody, createElasticsearchClient, ProductIndexer } from '@shop/search';
import { measureLoad, printTable } from './load';
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

async function ensureBenchIndex(): Promise<void> {
  const client = createElasticsearchClient(config.ELASTICSEARCH_URL, { requestTimeoutMs: 120_000 });
  try {
    const exists = await client.indices.existsAlias({ name: ALIAS });
    const count = exists ? (await client.count({ index: ALIAS })).count : 0;
    if (count >= PRODUCTS && !process.argv.includes('--rebuild')) {
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
            toProductDocument(
              { ...product, updatedAt: product.createdAt, version: 1 },
              product.stock,
            ),
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

async function main(): Promise<void> {
  await requireUp(`${config.ELASTICSEARCH_URL}/_cluster/health`, 'Elasticsearch');
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
        url: `${config.ELASTICSEARCH_URL}/${ALIAS}/_search`,
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
