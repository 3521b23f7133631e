import { APP_NAMES, clusterMode, processesOf, processUrl } from './apps';
import { backendHealth } from './varnish';
import { eventually } from './stack';

/**
 * Fault tests stop and restart pieces of the stack; Varnish needs a few good probes before it
 * routes to a restarted backend again. Every e2e file starts from a whole, healthy stack, so one
 * file's outage cannot fail the next file's assertions.
 */
export async function waitForHealthyStack(timeoutMs = 90_000): Promise<void> {
  await eventually(
    async () => {
      // Every process: in cluster mode the second ones too.
      for (const name of APP_NAMES.flatMap((app) => processesOf(app))) {
        if (!(await fetch(`${processUrl[name]}/health`)).ok) return undefined;
      }
      const backends = ['storefront', 'catalog_api', 'stock_api', 'live'];
      if (clusterMode()) backends.push('catalog_api_2', 'stock_api_2');
      for (const backend of backends) {
        if ((await backendHealth(backend)) !== 'healthy') return undefined;
      }
      return true;
    },
    { what: 'every app healthy and every Varnish backend healthy', timeoutMs, intervalMs: 500 },
  );
}
