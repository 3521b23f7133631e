import type { FastifyInstance } from 'fastify';
import { Histogram, type Registry } from 'prom-client';

/** Label of requests that matched no route: raw URLs would make one series per scanned path. */
export const UNMATCHED_ROUTE = 'unmatched';

export const HTTP_REQUEST_METRIC = 'http_request_duration_seconds';

/**
 * `http_request_duration_seconds{method,route,status_code}`: its `_count` is the request rate
 * and its buckets the latency, per route template (`/products/:id/stock`), never per raw URL.
 * Recorded in Fastify's onResponse hook from `reply.elapsedTime`, so every request counts,
 * including those an exception filter or a guard answered.
 */
export function registerHttpMetrics(fastify: FastifyInstance, registry: Registry): void {
  const existing = registry.getSingleMetric(HTTP_REQUEST_METRIC);
  const histogram =
    existing instanceof Histogram
      ? (existing as Histogram<'method' | 'route' | 'status_code'>)
      : new Histogram({
          name: HTTP_REQUEST_METRIC,
          help: 'HTTP requests by method, route template and status code',
          labelNames: ['method', 'route', 'status_code'],
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
          registers: [registry],
        });
  fastify.addHook('onResponse', (request, reply, done) => {
    histogram.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
