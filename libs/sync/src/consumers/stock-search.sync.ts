import type { StockChangedEvent } from '@shop/contracts';
import { LISTING_TAG, productTag } from '@shop/http-cache';
import { SILENT_LOGGER, type LoggerLike } from '@shop/common';
import { crossesZero, distinct } from '../events';
import { notify, type SyncOutcomeListener } from '../outcomes';
import { type CachePurger, type InStockWriter, type LiveStockReader } from '../ports';

export interface StockSearchResult {
  events: number;
  /** Products whose events crossed zero in this batch. */
  crossings: number;
  /** `inStock` flags written (one per product at most, plus re-writes after a race). */
  written: number;
  /** Products the ledger does not know any more (deleted): nothing written. */
  unknown: number[];
}

/** Re-checks after a write; a concurrent consumer rarely needs more than one more round. */
const MAX_ROUNDS = 3;

/**
 * Keeps the search index's `inStock` flag in step with the ledger. Only events that cross zero
 * matter (the flag cannot have changed otherwise), and for those the flag is taken from the
 * ledger's CURRENT figure, not from the event: whatever order events arrive in, the last write
 * reflects the live stock. One write per product per batch at most; after it is visible, the
 * product's pages are purged hard and the listings (in-stock filter and facet) softly.
 */
export class StockSearchSync {
  constructor(
    private readonly ledger: LiveStockReader,
    private readonly indexer: InStockWriter,
    private readonly purger: CachePurger,
    private readonly logger: LoggerLike = SILENT_LOGGER,
    private readonly listener: SyncOutcomeListener = {},
  ) {}

  async handle(events: readonly StockChangedEvent[]): Promise<StockSearchResult> {
    const ids = distinct(events.filter(crossesZero).map((event) => event.id));
    const result: StockSearchResult = {
      events: events.length,
      crossings: ids.length,
      written: 0,
      unknown: [],
    };
    if (ids.length === 0) return result;

    const touched = new Set<number>();
    let pending = ids;
    let flags = await this.currentFlags(pending);
    for (let round = 1; pending.length > 0; round += 1) {
      result.unknown = distinct([...result.unknown, ...pending.filter((id) => !flags.has(id))]);
      const writes = pending.flatMap((id) => {
        const inStock = flags.get(id);
        return inStock === undefined ? [] : [{ id, inStock }];
      });
      if (writes.length === 0) break;
      const indexed = await this.indexer.setInStockMany(writes);
      result.written += writes.length;
      writes.forEach((write) => touched.add(write.id));
      notify(() => this.listener.searchWrites?.('stock-search', 'in_stock', writes.length));
      if (indexed < writes.length) {
        this.logger.debug?.(
          `${writes.length - indexed} product(s) not in the index yet; their next upsert carries the flag`,
        );
      }
      // A competing consumer may have written an older reading after ours: read again, and write
      // again where the ledger moved to the other side of zero meanwhile.
      const again = await this.currentFlags(writes.map((write) => write.id));
      pending = writes
        .filter((write) => again.has(write.id) && again.get(write.id) !== write.inStock)
        .map((write) => write.id);
      flags = again;
      if (round >= MAX_ROUNDS) {
        if (pending.length > 0) {
          this.logger.warn(
            `inStock of ${pending.length} product(s) still moving; the next event settles it`,
          );
        }
        break;
      }
    }

    if (touched.size > 0) {
      const hard = [...touched].map(productTag);
      await this.purger.purge({ hard, soft: [LISTING_TAG] });
      notify(() => {
        this.listener.purgedTags?.('stock-search', 'hard', hard.length);
        this.listener.purgedTags?.('stock-search', 'soft', 1);
      });
    }
    return result;
  }

  /** id -> inStock per the ledger; ids the ledger does not know are absent. */
  private async currentFlags(ids: readonly number[]): Promise<Map<number, boolean>> {
    const levels = await this.ledger.getMany(ids);
    const flags = new Map<number, boolean>();
    levels.forEach((level, index) => {
      if (level) flags.set(ids[index], level.stock > 0);
    });
    return flags;
  }
}
