import { Registry } from 'prom-client';
import { registerCatalogOutboxMetrics } from './catalog-outbox-metrics';

describe('registerCatalogOutboxMetrics', () => {
  it('reports the unpublished rows and the age of the oldest at scrape time', async () => {
    const registry = new Registry();
    let count = 3;
    let oldest: Date | null = new Date(1_000);
    registerCatalogOutboxMetrics(
      registry,
      {
        countUnpublished: () => Promise.resolve(count),
        oldestUnpublishedAt: () => Promise.resolve(oldest),
      },
      () => 4_000,
    );
    let text = await registry.metrics();
    expect(text).toContain('catalog_outbox_pending_messages 3');
    expect(text).toContain('catalog_outbox_oldest_pending_age_seconds 3');
    count = 0;
    oldest = null;
    text = await registry.metrics();
    expect(text).toContain('catalog_outbox_pending_messages 0');
    expect(text).toContain('catalog_outbox_oldest_pending_age_seconds 0');
  });
});
