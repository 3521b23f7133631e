import { randomUUID } from 'node:crypto';
import { eventually, requestJson, urls } from './support/stack';
import { redisAnswers, startRedis, stopRedis } from './support/services';

describe('the stack (foundation)', () => {
  it.each([
    ['storefront', urls.storefront],
    ['catalog-api', urls.catalog],
    ['stock-api', urls.stock],
    ['sync-worker', urls.syncWorker],
    ['live', urls.live],
  ])('%s answers /health with 200', async (_name, base) => {
    const health = await requestJson<{ status: string }>(`${base}/health`);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
  });

  it('answers through Varnish on the public origin, and caches', async () => {
    // A URL no one asked for before (a parameter that is not tracking makes its own object).
    const fresh = `${urls.varnish}/?e2e=${randomUUID()}`;
    const first = await fetch(fresh);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const second = await fetch(fresh);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-cache')).toBe('HIT');
  });

  it('turns /health 503 while Redis is down, and 200 again once it is back', async () => {
    await stopRedis();
    try {
      await eventually(
        async () => ((await requestJson(`${urls.stock}/health`)).status === 503 ? true : undefined),
        { what: 'stock-api /health 503 with Redis down' },
      );
      const down = await requestJson<{
        status: string;
        error: Record<string, { status: string; message?: string }>;
      }>(`${urls.stock}/health`);
      expect(down.body.status).toBe('error');
      expect(down.body.error.redis.status).toBe('down');
      // Named in our words: no client library's text (ioredis states, addresses) on /health.
      expect(down.body.error.redis.message).toMatch(/^redis (is unavailable|did not answer)/);
    } finally {
      if (!(await redisAnswers())) await startRedis();
    }
    // Redis comes back from its AOF with the ledger: healthy again without a restore.
    await eventually(
      async () => ((await requestJson(`${urls.stock}/health`)).status === 200 ? true : undefined),
      { what: 'stock-api /health 200 after Redis is back', timeoutMs: 30_000 },
    );
    const stock = await requestJson<{ id: number; stock: number }>(
      `${urls.stock}/products/1/stock`,
    );
    expect(stock.status).toBe(200);
    expect(stock.body.id).toBe(1);
  }, 120_000);

  it("stems English on the running node with the project's index settings", async () => {
    const analysis = await requestJson<{ tokens: { token: string }[] }>(
      `${urls.elasticsearch}/products/_analyze`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ field: 'name', text: 'Blazers' }),
      },
    );
    expect(analysis.status).toBe(200);
    expect(analysis.body.tokens.map((token) => token.token)).toEqual(['blazer']);
  });
});
