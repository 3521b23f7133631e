import type { StockLevel } from '@shop/contracts';
import { LISTING_TAG, stockLabelTag, stockTag } from '@shop/http-cache';
import type { StockRepository, VersionedStockRow } from '@shop/persistence';
import type { ProductIdRegistry, StockLedger, StockRestoreRow } from '@shop/stock';
import { errorMessage, SILENT_LOGGER, type LoggerLike } from '@shop/common';
import { type CachePurger } from '../ports';
import type { ReconcileKind, ReconcileTally } from './reconcile-report';

export interface StockReconcilerDeps {
  readonly mysql: Pick<StockRepository, 'page' | 'findByIds' | 'applyVersioned' | 'overwrite'>;
  readonly ledger: Pick<StockLedger, 'getMany' | 'snapshot' | 'restore' | 'isReady'>;
  readonly registry: Pick<ProductIdRegistry, 'register' | 'unregister' | 'levelIds'>;
  /** Purges `stock-<id>` of levels rewritten in Redis (Varnish caches the stock answers). */
  readonly purger?: CachePurger;
  readonly logger?: LoggerLike;
}

export interface StockReconcilerOptions {
  /** Rows per MySQL page and per ledger read (at most 1000, the ledger's read limit). */
  readonly pageSize?: number;
  /**
   * A ledger level changed less than this long ago that is ahead of MySQL is most likely an event
   * still on its way to MySQL: left to the consumer, not counted. Default 5000.
   */
  readonly graceMs?: number;
  readonly now?: () => number;
}

export interface StockReconcileResult {
  /** MySQL rows compared with the ledger. */
  readonly checked: number;
}

function versioned(level: StockLevel): VersionedStockRow {
  return {
    productId: level.id,
    quantity: level.stock,
    held: level.held ?? 0,
    version: level.version,
    updatedAt: level.updatedAt,
  };
}

function restoreRow(level: StockLevel): StockRestoreRow {
  return {
    id: level.id,
    stock: level.stock,
    held: level.held ?? 0,
    version: level.version,
    updatedAt: level.updatedAt,
  };
}

/**
 * MySQL's `stock` table against the Redis ledger, both paged in product id order. The higher
 * version wins: a ledger ahead of MySQL is written to MySQL (version-guarded, so a consumer
 * writing a newer one meanwhile is never undone), a MySQL ahead of the ledger is restored into it
 * (the restore never lowers a newer level). At the same version with different figures the ledger
 * wins: it is what sales were checked against. Levels missing in Redis come back from MySQL.
 *
 * MySQL is read before Redis for each page, so a change landing in between shows as "ledger
 * newer" (harmless to write, and skipped within the grace period), never as "MySQL newer".
 */
export class StockReconciler {
  private readonly pageSize: number;
  private readonly graceMs: number;
  private readonly now: () => number;
  private readonly logger: LoggerLike;

  constructor(
    private readonly deps: StockReconcilerDeps,
    options: StockReconcilerOptions = {},
  ) {
    this.pageSize = Math.min(options.pageSize ?? 500, 1000);
    this.graceMs = options.graceMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.logger = deps.logger ?? SILENT_LOGGER;
  }

  async reconcile(tally: ReconcileTally): Promise<StockReconcileResult> {
    await this.ensureReady();
    const purge = new Set<number>();
    let checked = 0;
    for (let afterId: number | null = 0; afterId !== null;) {
      const page = await this.deps.mysql.page(afterId, this.pageSize);
      if (page.items.length > 0) await this.compareWithLedger(page.items, tally, purge);
      checked += page.items.length;
      afterId = page.nextAfterId;
    }
    for (let afterId: number | null = 0; afterId !== null;) {
      const page = await this.deps.ledger.snapshot(afterId, this.pageSize);
      if (page.levels.length > 0) await this.findLedgerOnly(page.levels, tally);
      afterId = page.nextAfterId;
    }
    for await (const ids of this.deps.registry.levelIds(this.pageSize)) {
      await this.removeOrphanLevels(ids, tally);
    }
    if (purge.size > 0 && this.deps.purger) {
      await this.deps.purger
        .purge({
          // The figure and, since the repair published no event to judge by, the badge's words:
          // on the product pages (hard) and on the listings that carry badges inline (soft).
          hard: [...purge].sort((a, b) => a - b).flatMap((id) => [stockTag(id), stockLabelTag(id)]),
          soft: [LISTING_TAG],
        })
        .catch((error: unknown) =>
          tally.problem(`stock: purge after repair failed: ${errorMessage(error)}`),
        );
    }
    return { checked };
  }

  /**
   * A ledger Redis lost is rebuilt by the stock API alone (StockLedgerRestorer): only it waits
   * for the published events to reach MySQL first. Until then there is nothing to compare.
   */
  private async ensureReady(): Promise<void> {
    if (await this.deps.ledger.isReady()) return;
    throw new Error('the stock ledger is not ready (Redis lost it; the stock API restores it)');
  }

  /** One page of MySQL rows against the ledger's levels of the same products. */
  private async compareWithLedger(
    rows: readonly StockLevel[],
    tally: ReconcileTally,
    purge: Set<number>,
  ): Promise<void> {
    const levels = await this.deps.ledger.getMany(rows.map((row) => row.id));
    const unregistered: number[] = [];
    const restore = new Map<number, { row: StockLevel; kind: ReconcileKind }>();
    const ledgerNewer: VersionedStockRow[] = [];
    const mismatched: VersionedStockRow[] = [];

    rows.forEach((row, index) => {
      const level = levels[index];
      if (level === null || level === undefined) {
        // Not registered: the stock API answers 404 for it. Registering is the repair; its level
        // is restored too in case it went with the registration.
        tally.found('stock.missingInRedis');
        unregistered.push(row.id);
        restore.set(row.id, { row, kind: 'stock.missingInRedis' });
        return;
      }
      // A registered product without a level hash reads as 0 at version 0, changed at epoch 0.
      const noLevel = level.version === 0 && Date.parse(level.updatedAt) === 0;
      if (noLevel) {
        if (row.version > 0 || row.stock !== 0) {
          tally.found('stock.missingInRedis');
          restore.set(row.id, { row, kind: 'stock.missingInRedis' });
        }
      } else if (level.version > row.version) {
        if (this.now() - Date.parse(level.updatedAt) < this.graceMs) return; // likely in flight
        tally.found('stock.redisNewer');
        ledgerNewer.push(versioned(level));
      } else if (row.version > level.version) {
        tally.found('stock.mysqlNewer');
        restore.set(row.id, { row, kind: 'stock.mysqlNewer' });
      } else if (level.stock !== row.stock) {
        tally.found('stock.figureMismatch');
        mismatched.push(versioned(level));
      }
    });

    if (unregistered.length > 0) {
      await this.deps.registry.register(unregistered);
      tally.fixed('stock.missingInRedis', unregistered.length);
      unregistered.forEach((id) => purge.add(id));
    }
    if (restore.size > 0) {
      const result = await this.deps.ledger.restore(
        [...restore.values()].map(({ row }) => restoreRow(row)),
      );
      const registeredNow = new Set(unregistered);
      for (const id of result.restoredIds) {
        const entry = restore.get(id);
        if (entry && !registeredNow.has(id)) tally.fixed(entry.kind);
        purge.add(id);
      }
    }
    if (ledgerNewer.length > 0) {
      const result = await this.deps.mysql.applyVersioned(ledgerNewer);
      tally.fixed('stock.redisNewer', result.received - result.unknownProductIds.length);
    }
    if (mismatched.length > 0) {
      const result = await this.deps.mysql.overwrite(mismatched);
      tally.fixed('stock.figureMismatch', result.received - result.unknownProductIds.length);
    }
  }

  /**
   * Level hashes of products that are not registered and that MySQL has no stock row for: what
   * product deletes left behind before `unregister` removed levels too. They are not readable
   * through the stock API, but they are figures of products that no longer exist (orphans):
   * removed and counted as `stock.extraInRedis`. An unregistered id MySQL does have was
   * re-registered by the first pass, so it reads as registered here and is left alone.
   */
  private async removeOrphanLevels(
    scanned: readonly number[],
    tally: ReconcileTally,
  ): Promise<void> {
    for (const ids of slices([...new Set(scanned)], this.pageSize)) {
      const levels = await this.deps.ledger.getMany(ids);
      const unregistered = ids.filter((_, index) => levels[index] === null);
      if (unregistered.length === 0) continue;
      const inMysql = new Set((await this.deps.mysql.findByIds(unregistered)).map((row) => row.id));
      const orphans = unregistered.filter((id) => !inMysql.has(id));
      if (orphans.length === 0) continue;
      tally.found('stock.extraInRedis', orphans.length);
      await this.deps.registry.unregister(orphans);
      tally.fixed('stock.extraInRedis', orphans.length);
    }
  }

  /** Ledger levels of products MySQL has no stock row for: a lost row, or a deleted product. */
  private async findLedgerOnly(
    levels: readonly StockLevel[],
    tally: ReconcileTally,
  ): Promise<void> {
    const inMysql = new Set(
      (await this.deps.mysql.findByIds(levels.map((level) => level.id))).map((row) => row.id),
    );
    const missing = levels.filter((level) => !inMysql.has(level.id));
    if (missing.length === 0) return;
    // Version-guarded insert: the write itself tells which products no longer exist.
    const result = await this.deps.mysql.applyVersioned(missing.map(versioned));
    const deleted = result.unknownProductIds;
    const restored = missing.length - deleted.length;
    tally.found('stock.missingInMysql', restored);
    tally.fixed('stock.missingInMysql', restored);
    if (deleted.length > 0) {
      tally.found('stock.extraInRedis', deleted.length);
      await this.deps.registry.unregister(deleted);
      tally.fixed('stock.extraInRedis', deleted.length);
    }
  }
}

/** `ids` in slices of at most `size` (SCAN's COUNT is a hint: a batch may be larger). */
function slices(ids: readonly number[], size: number): number[][] {
  const result: number[][] = [];
  for (let start = 0; start < ids.length; start += size)
    result.push(ids.slice(start, start + size));
  return result;
}
