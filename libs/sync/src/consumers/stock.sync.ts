import type { StockChangedEvent } from '@shop/contracts';
import { LISTING_TAG, productTag, stockLabelTag, stockTag } from '@shop/http-cache';
import { latestPerProduct, type StockApplyResult } from '@shop/persistence';
import { SILENT_LOGGER, type LoggerLike } from '@shop/common';
import {
  changesBadgeLabel,
  crossesZero,
  distinct,
  isStockBarrier,
  type StockMessage,
} from '../events';
import { LISTING_REFRESH_WINDOW_MS, ListingRefresh } from './listing-refresh';
import { notify, type SyncOutcomeListener } from '../outcomes';
import {
  type CachePurger,
  type InStockWriter,
  type LiveStockReader,
  type StockRowWriter,
} from '../ports';

export interface InStockFlagsResult {
  /** Products whose events crossed zero in this batch. */
  crossings: number;
  /** `inStock` flags written (one per product at most, plus re-writes after a race). */
  written: number;
  /** Products the ledger does not know any more (deleted): nothing written. */
  unknown: number[];
  /** Products whose flag was written: their pages are purged. */
  touched: number[];
}

export interface StockSyncResult {
  /** Stock events handed in (several per product collapse into one row, one flag, one tag). */
  events: number;
  /** Barriers recorded, after the batch's rows. */
  barriers: number;
  mysql: StockApplyResult;
  search: InStockFlagsResult;
  /** Tags in the batch's one purge. */
  purged: { hard: number; soft: number };
}

/** Re-checks after a flag write; a concurrent consumer rarely needs more than one more round. */
const MAX_ROUNDS = 3;

export interface StockSyncOptions {
  /** STOREFRONT_LOW_STOCK_BELOW: badges say "Only N left" below it, "In stock" from it up. */
  lowStockBelow: number;
  /** Paces the listing refreshes that new badge words ask for; default: its own, on `purger`. */
  listingRefresh?: ListingRefresh;
}

/** The consumer name in metrics. */
const CONSUMER = 'stock';

/**
 * What a batch of stock events changes outside Redis, in this order, each step only after the
 * one before succeeded (a throw rejects the batch, which is retried whole; every step is
 * idempotent):
 *
 * 1. MySQL's `stock` table: one multi-row upsert of each product's newest version; MySQL keeps a
 *    row only where the version is newer than the stored one, so duplicates, redeliveries and
 *    out-of-order events are harmless. Events of products deleted meanwhile are reported and
 *    dropped: retrying them could never succeed. A ledger rebuild's barrier is recorded only
 *    after the rows of everything delivered before it: once MySQL has the barrier, it has every
 *    event queued ahead of it.
 * 2. The search index's `inStock` flag, for products whose events crossed zero (the flag cannot
 *    have changed otherwise), taken from the ledger's CURRENT figure rather than the event, so
 *    whatever order events arrive in, the last write reflects the live stock.
 * 3. One purge on every Varnish: hard `stock-<id>` for each product of the batch, hard
 *    `stock-label-<id>` for the products an event of which changed what their badge says (the
 *    stored product pages carry the badge inline under that tag), hard `product-<id>` for
 *    the products whose flag was written, soft `listing` if there were any (the in-stock filter
 *    and facet) or, paced by ListingRefresh to one a window, if some badge's words changed (the
 *    stored listings' inline badges). The purger splits tags into bounded requests and
 *    retries each host; a host that stays down rejects the batch.
 */
export class StockSync {
  private readonly lowStockBelow: number;
  private readonly listingRefresh: ListingRefresh;

  constructor(
    private readonly stock: StockRowWriter,
    private readonly ledger: LiveStockReader,
    private readonly indexer: InStockWriter,
    private readonly purger: CachePurger,
    options: StockSyncOptions,
    private readonly logger: LoggerLike = SILENT_LOGGER,
    private readonly listener: SyncOutcomeListener = {},
  ) {
    this.lowStockBelow = options.lowStockBelow;
    this.listingRefresh =
      options.listingRefresh ?? new ListingRefresh(purger, LISTING_REFRESH_WINDOW_MS, logger);
  }

  async handle(messages: readonly StockMessage[]): Promise<StockSyncResult> {
    const events = messages.filter(
      (message): message is StockChangedEvent => !isStockBarrier(message),
    );
    const barriers = messages.filter(isStockBarrier).map((message) => message.barrier);
    const mysql = await this.writeRows(events, barriers);
    const search = await this.writeInStockFlags(events);
    const purged = await this.purge(events, search.touched);
    return { events: events.length, barriers: barriers.length, mysql, search, purged };
  }

  private async writeRows(
    events: readonly StockChangedEvent[],
    barriers: readonly string[],
  ): Promise<StockApplyResult> {
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
    return result;
  }

  private async writeInStockFlags(
    events: readonly StockChangedEvent[],
  ): Promise<InStockFlagsResult> {
    const ids = distinct(events.filter(crossesZero).map((event) => event.id));
    const result: InStockFlagsResult = {
      crossings: ids.length,
      written: 0,
      unknown: [],
      touched: [],
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
      notify(() => this.listener.searchWrites?.(CONSUMER, 'in_stock', writes.length));
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
    result.touched = [...touched];
    return result;
  }

  private async purge(
    events: readonly StockChangedEvent[],
    touched: readonly number[],
  ): Promise<{ hard: number; soft: number }> {
    const relabelled = events.filter((event) => changesBadgeLabel(event, this.lowStockBelow));
    const hard = [
      ...distinct(events.map((event) => event.id)).map(stockTag),
      ...distinct(relabelled.map((event) => event.id)).map(stockLabelTag),
      ...touched.map(productTag),
    ];
    // An inStock flip moves listings' filters: they are refreshed at once. New badge words (the
    // stored listings carry badges inline, under `listing` alone) at most once a window.
    if (touched.length > 0) this.listingRefresh.sent();
    const refreshListings =
      touched.length > 0 || (relabelled.length > 0 && this.listingRefresh.ask());
    const soft = refreshListings ? [LISTING_TAG] : [];
    if (hard.length === 0) return { hard: 0, soft: 0 };
    await this.purger.purge({ hard, soft });
    notify(() => {
      this.listener.purgedTags?.(CONSUMER, 'hard', hard.length);
      if (soft.length > 0) this.listener.purgedTags?.(CONSUMER, 'soft', soft.length);
    });
    return { hard: hard.length, soft: soft.length };
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
