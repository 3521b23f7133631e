import { urls } from './support/stack';

/**
 * The integration and end-to-end tests need the real stack. `npm test` starts it first; when a
 * piece does not answer, the run stops here with the reason instead of skipping anything.
 */
export default async function globalSetup(): Promise<void> {
  const checks: [string, string][] = [
    ['Elasticsearch', `${urls.elasticsearch}/_cluster/health`],
    ['catalog-api', `${urls.catalog}/health`],
    ['stock-api', `${urls.stock}/health`],
    ['storefront', `${urls.storefront}/health`],
    ['sync-worker', `${urls.syncWorker}/health`],
    ['live', `${urls.live}/health`],
    ['Varnish', `${urls.varnish}/health`],
  ];
  const problems: string[] = [];
  for (const [name, url] of checks) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) problems.push(`${name}: ${url} answered ${response.status}`);
    } catch (error) {
      problems.push(`${name}: ${url} unreachable (${String(error)})`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `The real stack is not up (run npm run up, or npm test which starts it):\n  ${problems.join('\n  ')}`,
    );
  }
}
