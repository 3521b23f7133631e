import { SILENT_LOGGER, type LoggerLike } from '@shop/common';
import type { ProductPriceRow, ProductRepository } from '@shop/persistence';
import type { PriceBook, StoredPrice } from '@shop/pricing';
import type { ReconcileTally } from './reconcile-report';

export interface PriceReconcilerDeps {
  readonly prices: Pick<PriceBook, 'stored'>;
  readonly mysql: Pick<ProductRepository, 'findPrices' | 'applyPrices'>;
  readonly logger?: LoggerLike;
}

export interface PriceReconcilerOptions {
  /**
   * A price changed in Redis less than this long ago is most likely on its way through the price
   * consumer: left to it, not counted. Default 5000.
   */
  readonly graceMs?: number;
  readonly now?: () => number;
}

/** Redis' price in MySQL's terms. */
export function storedPriceRow(stored: StoredPrice): ProductPriceRow {
  const { state } = stored;
  return {
    id: stored.id,
    price: state.priceCents / 100,
    sale:
      state.saleCents === null
        ? null
        : {
            price: state.saleCents / 100,
            startsAt: state.startsAt === null ? null : new Date(state.startsAt).toISOString(),
            endsAt: state.endsAt === null ? null : new Date(state.endsAt).toISOString(),
          },
    version: stored.version,
  };
}

function sameState(a: ProductPriceRow, b: ProductPriceRow): boolean {
  const instant = (value: string | null | undefined): number | null =>
    value ? Date.parse(value) : null;
  return (
    a.price === b.price &&
    (a.sale?.price ?? null) === (b.sale?.price ?? null) &&
    instant(a.sale?.startsAt) === instant(b.sale?.startsAt) &&
    instant(a.sale?.endsAt) === instant(b.sale?.endsAt)
  );
}

/**
 * Redis' live prices against MySQL's products. Redis is the price authority (every change is made
 * there first), so MySQL is repaired towards it: a newer Redis version (events lost or not
 * applied) or the same version with other figures (MySQL changed behind its back, e.g. by an
 * admin product edit) is written over MySQL; the search reconciler, which runs next, then carries
 * the repaired rows into Elasticsearch and Varnish. MySQL newer than Redis (Redis lost changes
 * and was not restored) is reported, not repaired: the next price change starts above it.
 */
export class PriceReconciler {
  private readonly graceMs: number;
  private readonly now: () => number;
  private readonly logger: LoggerLike;

  constructor(
    private readonly deps: PriceReconcilerDeps,
    options: PriceReconcilerOptions = {},
  ) {
    this.graceMs = options.graceMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.logger = deps.logger ?? SILENT_LOGGER;
  }

  async reconcile(tally: ReconcileTally): Promise<{ checked: number }> {
    let checked = 0;
    for await (const batch of this.deps.prices.stored()) {
      const rows = await this.deps.mysql.findPrices(batch.map((stored) => stored.id));
      const mysql = new Map(rows.map((row) => [row.id, row]));
      const newer: ProductPriceRow[] = [];
      const forced: ProductPriceRow[] = [];
      for (const stored of batch) {
        const row = mysql.get(stored.id);
        // Deleted from the catalog: the scheduler drops its price state when it next looks.
        if (!row) continue;
        checked += 1;
        if (this.now() - stored.updatedAt < this.graceMs) continue;
        const expected = storedPriceRow(stored);
        if (stored.version > row.version) {
          tally.found('price.redisNewer');
          newer.push(expected);
        } else if (stored.version < row.version) {
          tally.found('price.mysqlNewer');
        } else if (!sameState(expected, row)) {
          tally.found('price.figureMismatch');
          forced.push(expected);
        }
      }
      if (newer.length > 0) {
        const written = await this.deps.mysql.applyPrices(newer);
        tally.fixed('price.redisNewer', written.length);
      }
      if (forced.length > 0) {
        const written = await this.deps.mysql.applyPrices(forced, { force: true });
        tally.fixed('price.figureMismatch', written.length);
        this.logger.warn(
          `MySQL held other prices than Redis at the same version for ${written.length} product(s): rewritten`,
        );
      }
    }
    return { checked };
  }
}
