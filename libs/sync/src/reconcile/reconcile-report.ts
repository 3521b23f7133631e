/**
 * Kinds of drift the reconciler looks for. `stock.*`: MySQL's `stock` table against the Redis
 * ledger; `price.*`: MySQL's product prices against Redis' live prices; `search.*`: MySQL's
 * products against the Elasticsearch documents.
 */
export const RECONCILE_KINDS = [
  /** MySQL has a figure the ledger lacks (no level, or the product is not registered). */
  'stock.missingInRedis',
  /** The ledger knows a product MySQL does not have any more. */
  'stock.extraInRedis',
  /** The ledger has a product whose MySQL stock row is missing. */
  'stock.missingInMysql',
  /** The ledger is at a newer version than MySQL (stock events lost or not applied). */
  'stock.redisNewer',
  /** MySQL is at a newer version than the ledger (the ledger lost changes). */
  'stock.mysqlNewer',
  /** Same version, different figure: one side was changed behind the other's back. */
  'stock.figureMismatch',
  /** Redis holds a newer price version than MySQL (price events lost or not applied). */
  'price.redisNewer',
  /** MySQL holds a newer price version than Redis (Redis lost changes). Reported only. */
  'price.mysqlNewer',
  /** Same price version, other figures: MySQL's price was changed behind Redis' back. */
  'price.figureMismatch',
  /** A product MySQL has and the index lacks. */
  'search.missing',
  /** A document for a product MySQL does not have. */
  'search.extra',
  /** A document whose fields differ from MySQL's product (or from the live in-stock flag). */
  'search.stale',
] as const;
export type ReconcileKind = (typeof RECONCILE_KINDS)[number];

export interface ReconcileCount {
  found: number;
  fixed: number;
}

export type ReconcileCounts = Record<ReconcileKind, ReconcileCount>;

export interface ReconcileReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** Rows or documents compared. */
  readonly checked: { readonly stock: number; readonly price: number; readonly search: number };
  readonly kinds: ReconcileCounts;
  /** One line per part that failed (`stock: ...`); its counts so far are kept. */
  readonly errors: readonly string[];
  readonly ok: boolean;
}

export function emptyCounts(): ReconcileCounts {
  return Object.fromEntries(
    RECONCILE_KINDS.map((kind) => [kind, { found: 0, fixed: 0 }]),
  ) as ReconcileCounts;
}

/** Counts found and fixed drift per kind while a reconciliation runs. */
export class ReconcileTally {
  readonly kinds: ReconcileCounts = emptyCounts();
  /** Failures that did not stop the run (a purge that failed after its repair was written). */
  readonly problems: string[] = [];

  found(kind: ReconcileKind, count = 1): void {
    this.kinds[kind].found += count;
  }

  fixed(kind: ReconcileKind, count = 1): void {
    this.kinds[kind].fixed += count;
  }

  problem(message: string): void {
    this.problems.push(message);
  }
}

export function totalFound(report: Pick<ReconcileReport, 'kinds'>): number {
  return RECONCILE_KINDS.reduce((sum, kind) => sum + report.kinds[kind].found, 0);
}

/** `stock.redisNewer 3/3, search.stale 1/1` (found/fixed), or `no drift`. */
export function summarizeReport(report: Pick<ReconcileReport, 'kinds'>): string {
  const parts = RECONCILE_KINDS.filter((kind) => report.kinds[kind].found > 0).map(
    (kind) => `${kind} ${report.kinds[kind].found}/${report.kinds[kind].fixed}`,
  );
  return parts.length === 0 ? 'no drift' : `${parts.join(', ')} (found/fixed)`;
}
