import type { StockChangedEvent } from '@shop/contracts';
import { stockTag } from '@shop/http-cache';
import { distinct } from '../events';
import { notify, type SyncOutcomeListener } from '../outcomes';
import type { CachePurger } from '../ports';

export interface StockCacheResult {
  events: number;
  /** Distinct `stock-<id>` tags purged. */
  tags: number;
}

/**
 * Drops the cached stock answers of changed products: one hard purge of their `stock-<id>` tags
 * per batch, on every Varnish. The purger splits the tags into requests with bounded headers and
 * retries each host; a host that stays down rejects the batch, which then goes round the retry
 * path (purging again is harmless).
 */
export class StockCacheSync {
  constructor(
    private readonly purger: CachePurger,
    private readonly listener: SyncOutcomeListener = {},
  ) {}

  async handle(events: readonly StockChangedEvent[]): Promise<StockCacheResult> {
    const tags = distinct(events.map((event) => event.id)).map(stockTag);
    if (tags.length > 0) {
      await this.purger.purge({ hard: tags, soft: [] });
      notify(() => this.listener.purgedTags?.('stock-cache', 'hard', tags.length));
    }
    return { events: events.length, tags: tags.length };
  }
}
