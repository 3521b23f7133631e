import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { registerHttpMetrics } from './http-metrics';

describe('registerHttpMetrics', () => {
  let app: FastifyInstance;
  let registry: Registry;

  beforeEach(async () => {
    registry = new Registry();
    app = Fastify();
    registerHttpMetrics(app, registry);
    app.get('/products/:id/stock', () => ({ stock: 1 }));
    app.put('/products/:id/stock', async (_request, reply) => reply.status(409).send({}));
    await app.ready();
  });

  afterEach(() => app.close());

  it('counts requests per method, route template and status, never per raw URL', async () => {
    await app.inject('/products/1/stock');
    await app.inject('/products/2/stock');
    await app.inject({ method: 'PUT', url: '/products/2/stock' });
    await app.inject('/no/such/path?x=1');
    const text = await registry.metrics();
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/products/:id/stock",status_code="200"} 2',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{method="PUT",route="/products/:id/stock",status_code="409"} 1',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 1',
    );
    expect(text).not.toMatch(/route="\/products\/\d/);
    expect(text).not.toContain('/no/such/path');
  });

  it('reuses the histogram when registered twice on one registry', async () => {
    const other = Fastify();
    expect(() => registerHttpMetrics(other, registry)).not.toThrow();
    await other.close();
  });
});
