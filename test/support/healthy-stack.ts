import { backendHealth } from './varnish';
import { eventually, urls } from './stack';

/**
 * Fault tests stop and restart pieces of the stack; Varnish needs a few good probes before it
 * routes to a restarted backend again. Every e2e file starts from a whole, healthy stack, so one
 * file's outage cannot fail the next file's assertions.
 */
export async function waitForHealthyStack(timeoutMs = 90_000): Promise<void> {
  await eventually(
    async () => {
      for (const base of [urls.catalog, urls.stock, urls.storefront, urls.syncWorker, urls.live]) {
        if (!(await fetch(`${base}/health`)).ok) return undefined;
      }
      for (const backend of ['storefront', 'catalog_api', 'stock_api', 'live']) {
        if ((await backendHealth(backend)) !== 'healthy') return undefined;
      }
      return true;
    },
    { what: 'every app healthy and every Varnish backend healthy', timeoutMs, intervalMs: 500 },
  );
}
