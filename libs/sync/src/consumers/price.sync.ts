import type { PriceChangedEvent } from '@shop/contracts';
import type { ProductPriceRow } from '@shop/persistence';
import { distinct } from '../events';
import type { ProductPriceWriter } from '../ports';
import type { ProductSearchSync } from './product-search.sync';

export interface PriceSyncResult {
  events: number;
  /** Products whose MySQL price moved to a newer version. */
  written: number;
  /** Products re-indexed (all of the batch: see `handle`). */
  indexed: number;
}

/** An event's state as MySQL keeps it. */
export function toPriceRow(event: PriceChangedEvent): ProductPriceRow {
  return {
    id: event.id,
    price: event.price,
    sale:
      event.salePrice === null
        ? null
        : { price: event.salePrice, startsAt: event.saleStartsAt, endsAt: event.saleEndsAt },
    version: event.version,
  };
}

/**
 * Price changes into MySQL (version-guarded: a late or redelivered event writes nothing), then
 * into Elasticsearch and Varnish the way a catalog edit goes (ProductSearchSync re-reads MySQL,
 * writes the document with the effective price at that moment, purges `product-<id>` hard and
 * `listing` softly). Every product of the batch is re-indexed, not only those MySQL took: a
 * redelivery after a crash between the MySQL write and the index write must still reach the
 * index, and re-indexing from MySQL is idempotent.
 */
export class PriceSync {
  constructor(
    private readonly prices: ProductPriceWriter,
    private readonly search: Pick<ProductSearchSync, 'handle'>,
  ) {}

  async handle(events: readonly PriceChangedEvent[]): Promise<PriceSyncResult> {
    if (events.length === 0) return { events: 0, written: 0, indexed: 0 };
    const written = await this.prices.applyPrices(events.map(toPriceRow));
    const ids = distinct(events.map((event) => event.id));
    await this.search.handle(
      ids.map((id) => ({ kind: 'upserted' as const, id, version: 0, categories: [] })),
    );
    return { events: events.length, written: written.length, indexed: ids.length };
  }
}
