import { scrapedGauge } from '@shop/observability';
import type { OutboxRepository } from '@shop/persistence';
import type { Registry } from 'prom-client';

export type CatalogOutboxMetricsSource = Pick<
  OutboxRepository,
  'countUnpublished' | 'oldestUnpublishedAt'
>;

/**
 * The catalog outbox on the catalog API's /metrics, read from MySQL at scrape time (both use the
 * `(published_at, id)` index):
 *
 *   catalog_outbox_pending_messages              rows not yet published (backlog)
 *   catalog_outbox_oldest_pending_age_seconds    age of the oldest of them (relay lag; 0 when none)
 */
export function registerCatalogOutboxMetrics(
  registry: Registry,
  outbox: CatalogOutboxMetricsSource,
  now: () => number = Date.now,
): void {
  scrapedGauge({
    registry,
    name: 'catalog_outbox_pending_messages',
    help: 'Catalog outbox rows not yet published to RabbitMQ',
    read: () => outbox.countUnpublished(),
  });
  scrapedGauge({
    registry,
    name: 'catalog_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest unpublished catalog outbox row (0 when none): the relay lag',
    read: async () => {
      const oldest = await outbox.oldestUnpublishedAt();
      return oldest ? Math.max(0, (now() - oldest.getTime()) / 1000) : 0;
    },
  });
}
