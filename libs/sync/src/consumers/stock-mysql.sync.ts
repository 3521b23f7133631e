import type { StockChangedEvent } from '@shop/contracts';
import { latestPerProduct, type StockApplyResult } from '@shop/persistence';
import { SILENT_LOGGER, type LoggerLike } from '@shop/common';
import { isStockBarrier, type StockMysqlMessage } from '../events';
import { notify, type SyncOutcomeListener } from '../outcomes';
import { type StockRowWriter } from '../ports';

export interface StockMysqlResult extends StockApplyResult {
  /** Events handed in (several per product collapse into one row). */
  events: number;
  /** Barriers recorded, after the batch's rows. */
  barriers: number;
}

/**
 * Stock events into MySQL's `stock` table. A batch becomes one multi-row upsert of each product's
 * newest version; MySQL keeps a row only where the version is newer than the stored one, so
 * duplicates, redeliveries and out-of-order events are harmless. Events of products deleted
 * meanwhile are reported and dropped: retrying them could never succeed.
 *
 * A ledger rebuild's barrier is recorded only after the rows of everything delivered before it
 * are committed: once MySQL has the barrier, it has every event queued ahead of it.
 */
export class StockMysqlSync {
  constructor(
    private readonly stock: StockRowWriter,
    private readonly logger: LoggerLike = SILENT_LOGGER,
    private readonly listener: SyncOutcomeListener = {},
  ) {}

  async handle(messages: readonly StockMysqlMessage[]): Promise<StockMysqlResult> {
    const events = messages.filter(
      (message): message is StockChangedEvent => !isStockBarrier(message),
    );
    const barriers = messages.filter(isStockBarrier).map((message) => message.barrier);
    const rows = latestPerProduct(
      events.map((event) => ({
        productId: event.id,
        quantity: event.stock,
        held: event.held ?? 0,
        version: event.version,
        updatedAt: event.occurredAt,
      })),
    );
    const result = await this.stock.applyVersioned(rows);
    if (barriers.length > 0) await this.stock.recordBarriers(barriers);
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
    return { events: events.length, barriers: barriers.length, ...result };
  }
}
