import type { StockChangedEvent } from '@shop/contracts';
import { latestPerProduct, type StockApplyResult } from '@shop/persistence';
import { notify, type SyncOutcomeListener } from '../outcomes';
import { SILENT_LOGGER, type StockRowWriter, type SyncLogger } from '../ports';

export interface StockToMysqlResult extends StockApplyResult {
  /** Events handed in (several per product collapse into one row). */
  events: number;
}

/**
 * Stock events into MySQL's `stock` table. A batch becomes one multi-row upsert of each product's
 * newest version; MySQL keeps a row only where the version is newer than the stored one, so
 * duplicates, redeliveries and out-of-order events are harmless. Events of products deleted
 * meanwhile are reported and dropped: retrying them could never succeed.
 */
export class StockToMysqlSync {
  constructor(
    private readonly stock: StockRowWriter,
    private readonly logger: SyncLogger = SILENT_LOGGER,
    private readonly listener: SyncOutcomeListener = {},
  ) {}

  async handle(events: readonly StockChangedEvent[]): Promise<StockToMysqlResult> {
    const rows = latestPerProduct(
      events.map((event) => ({
        productId: event.id,
        quantity: event.stock,
        version: event.version,
        updatedAt: event.occurredAt,
      })),
    );
    const result = await this.stock.applyVersioned(rows);
    if (result.unknownProductIds.length > 0) {
      this.logger.warn(
        `stock events for ${result.unknownProductIds.length} product(s) MySQL does not have ` +
          `(deleted?), dropped: ${result.unknownProductIds.slice(0, 20).join(', ')}`,
      );
    }
    notify(() => {
      this.listener.stockRows?.('applied', result.applied);
      this.listener.stockRows?.('stale', result.stale);
      this.listener.stockRows?.('unknown_product', result.unknownProductIds.length);
    });
    return { events: events.length, ...result };
  }
}
