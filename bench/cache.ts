/**
 * `npm run bench:cache`: one product page as a Varnish HIT (shell and fragments from the cache,
 * only the per-user header fragment fetched from the storefront) next to the same page rendered
 * by the storefront directly (product, categories and stock fetched from the APIs, fragments
 * inlined), in the same run. Needs the stack (`npm run up`). Loopback only.
 */
import { parseShopConfig } from '@shop/config';
import { eventually } from '../test/support/eventually';
import { measureLoad, printTable } from './load';
import { requireUp } from './stack-processes';

const config = parseShopConfig(process.env);
const PRODUCT_ID = Number(process.env.BENCH_PRODUCT_ID ?? 1170);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const PATH = `/p/${PRODUCT_ID}`;
const viaVarnish = `${config.PUBLIC_URL}${PATH}`;
const direct = `http://127.0.0.1:${config.STOREFRONT_PORT}${PATH}`;

interface Sample {
  status: number;
  cache: string | null;
  hits: number;
  html: string;
}

async function sample(url: string): Promise<Sample> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return {
    status: response.status,
    cache: response.headers.get('x-cache'),
    hits: Number(response.headers.get('x-cache-hits') ?? Number.NaN),
    html: await response.text(),
  };
}

/** Both runs must measure a whole page: a 200 with every fragment in place. */
function assertWholePage(what: string, page: Sample): void {
  const problems = [
    page.status !== 200 && `status ${page.status}`,
    page.html.includes('<esi:') && 'unresolved <esi:include>',
    !page.html.includes('data-testid="product-name"') && 'no product name',
    !page.html.includes('data-testid="stock-badge"') && 'no stock badge',
    !page.html.includes('data-testid="menu"') && 'no menu',
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`${what}: ${problems.join(', ')}`);
}

async function warmCache(): Promise<Sample> {
  return eventually(
    async () => {
      const page = await sample(viaVarnish);
      return page.cache === 'HIT' ? page : undefined;
    },
    {
      what: `${viaVarnish} a HIT (is Varnish caching product pages?)`,
      timeoutMs: 2000,
      intervalMs: 100,
    },
  );
}

async function main(): Promise<void> {
  await requireUp(`${config.PUBLIC_URL}/health`, 'Varnish (and the storefront behind it)');
  await requireUp(`http://127.0.0.1:${config.STOREFRONT_PORT}/health`, 'the storefront');

  const before = await warmCache();
  assertWholePage('through Varnish', before);
  assertWholePage('from the storefront directly', await sample(direct));

  const hit = await measureLoad({
    label: `Varnish HIT ${PATH} (ESI: menu, stock, footer cached; header passed)`,
    url: viaVarnish,
    connections: CONNECTIONS,
    durationSeconds: DURATION,
  });
  const after = await sample(viaVarnish);
  if (after.cache !== 'HIT') {
    throw new Error(`${viaVarnish} answered ${after.cache} after the run: it was not all HITs`);
  }
  assertWholePage('through Varnish after the run', after);
  // X-Cache-Hits counts hits on the one shell object: it must have grown by the whole run.
  const hitsDuringRun = after.hits - before.hits - 1;

  const origin = await measureLoad({
    label: `storefront directly ${PATH} (renders page and fragments)`,
    url: direct,
    connections: CONNECTIONS,
    durationSeconds: DURATION,
  });

  // What bounds the HIT: the header fragment is per user, so every page still asks the storefront
  // for it (a cheap route, but a trip through Node all the same).
  const header = await measureLoad({
    label: 'storefront directly /fragments/header (fetched by every HIT)',
    url: `http://127.0.0.1:${config.STOREFRONT_PORT}/fragments/header`,
    connections: CONNECTIONS,
    durationSeconds: DURATION,
  });

  printTable(`Product page, ${CONNECTIONS} connections, ${DURATION} s each, loopback, same run`, [
    hit,
    origin,
    header,
  ]);
  const ratio = hit.requestsPerSecond / origin.requestsPerSecond;
  console.log(
    `X-Cache: HIT before and after the Varnish run; the shell object took ${hitsDuringRun} hits ` +
      `during it (~${Math.round(hitsDuringRun / DURATION)} req/s)`,
  );
  console.log(
    `Varnish HIT / storefront direct: ${ratio.toFixed(1)}x req/s (aim >= 10x), ` +
      `p50 ${hit.p50Ms} vs ${origin.p50Ms} ms, p99 ${hit.p99Ms} vs ${origin.p99Ms} ms`,
  );
  // A run whose requests failed measured errors, not pages (e.g. a fault test of another suite
  // stopped a dependency meanwhile): say so instead of printing a flattering ratio.
  const failed = [hit, origin, header].filter(
    (row) => row.errors + row.non2xx > 0.01 * row.requestsPerSecond * DURATION,
  );
  if (failed.length > 0) {
    console.error(
      `INVALID RUN: more than 1% of the requests failed in: ${failed.map((row) => row.label).join('; ')}`,
    );
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
