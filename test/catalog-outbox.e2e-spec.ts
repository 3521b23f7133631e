import { randomBytes } from 'node:crypto';
import { CatalogRoutingKey, type ProductUpsertedEvent } from '@shop/contracts';
import { createDatabase, OutboxRepository, ProductRepository } from '@shop/persistence';
import { killApp, startApp } from './support/apps';
import { PlainStockListener } from './support/amqp';
import { startElasticsearch, stopElasticsearch } from './support/services';
import { config, eventually, requestJson, urls } from './support/stack';

describe('catalog outbox and failures', () => {
  it('delivers rows committed while the relay was down exactly once after it restarts', async () => {
    const listener = await new PlainStockListener('catalog', [
      CatalogRoutingKey.ProductUpserted,
      CatalogRoutingKey.ProductDeleted,
    ]).open();
    const db = createDatabase(config.MYSQL_URL, { connectionLimit: 2 });
    const token = `relay${randomBytes(4).toString('hex')}`;
    const created: number[] = [];
    try {
      // The relay runs inside catalog-api: take it down hard, as in a crash after commit.
      await killApp('catalog-api');
      const products = new ProductRepository(db, new OutboxRepository(db));
      for (let n = 0; n < 5; n += 1) {
        const product = await products.create({
          sku: `E2E-${token}-${n}`,
          name: `${token} Crash Test ${n}`,
          description: 'Written while the relay was down.',
          price: 10 + n,
          categories: ['home-decor'],
        });
        created.push(product.id);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const seen = (): ProductUpsertedEvent[] =>
        listener.messages
          .map((message) => message.body as ProductUpsertedEvent)
          .filter((event) => event.product && created.includes(event.product.id));
      expect(seen()).toEqual([]);

      await startApp('catalog-api');
      await eventually(async () => (seen().length >= 5 ? true : undefined), {
        what: 'the five outbox rows published',
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(
        seen()
          .map((event) => event.product.id)
          .sort(),
      ).toEqual([...created].sort());
      const messageIds = listener.messages
        .filter((m) => created.includes((m.body as ProductUpsertedEvent).product?.id))
        .map((m) => m.properties.messageId as string);
      expect(new Set(messageIds).size).toBe(5);
      await eventually(
        async () => {
          const result = await requestJson<{ total: number }>(
            `${urls.catalog}/products?q=${token}`,
          );
          return result.body.total === 5 ? true : undefined;
        },
        { what: 'the products searchable' },
      );
    } finally {
      const products = new ProductRepository(db, new OutboxRepository(db));
      for (const id of created) await products.delete(id).catch(() => undefined);
      await db.destroy();
      await listener.close();
    }
  });

  it('answers 503 JSON, not a 500, while Elasticsearch is down', async () => {
    await stopElasticsearch();
    try {
      const response = await requestJson<Record<string, unknown>>(
        `${urls.catalog}/products?q=scarf`,
      );
      expect(response.status).toBe(503);
      expect(response.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: expect.any(String),
      });
      expect(JSON.stringify(response.body)).not.toMatch(/at .*\.js|Error:/);
    } finally {
      await startElasticsearch();
    }
    await eventually(
      async () =>
        (await requestJson(`${urls.catalog}/products?q=scarf`)).status === 200 ? true : undefined,
      { what: 'search back after Elasticsearch restarts', timeoutMs: 60_000 },
    );
    // Stopping and starting Elasticsearch alone takes 30-60 s on a busy 2-core machine (the
    // start script waits up to 180 s): more than jest's default 60 s per test.
  }, 300_000);
});
