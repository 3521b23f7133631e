import { errorMessage, SILENT_LOGGER, type LoggerLike } from '@shop/common';
import {
  ReconcileTally,
  summarizeReport,
  totalFound,
  type ReconcileReport,
} from './reconcile-report';
import type { PriceReconciler } from './price-reconciler';
import type { SearchReconciler } from './search-reconciler';
import type { StockReconciler } from './stock-reconciler';

export interface ReconcilerParts {
  readonly stock?: Pick<StockReconciler, 'reconcile'>;
  readonly price?: Pick<PriceReconciler, 'reconcile'>;
  readonly search?: Pick<SearchReconciler, 'reconcile'>;
}

export interface ReconcilerOptions {
  readonly logger?: LoggerLike;
  /** Told about every finished run (metrics). */
  readonly onReport?: (report: ReconcileReport) => void;
  readonly now?: () => number;
}

/**
 * One reconciliation: stock first (MySQL and the ledger agree afterwards), then prices (MySQL
 * takes Redis' live prices), then search (whose in-stock flags read the ledger and whose prices
 * read MySQL). A part that fails is reported and the other still runs. Runs
 * are never concurrent within a process: a second caller gets the run in progress.
 */
export class Reconciler {
  private inFlight: Promise<ReconcileReport> | undefined;
  private last: ReconcileReport | undefined;
  private readonly logger: LoggerLike;
  private readonly now: () => number;

  constructor(
    private readonly parts: ReconcilerParts,
    private readonly options: ReconcilerOptions = {},
  ) {
    this.logger = options.logger ?? SILENT_LOGGER;
    this.now = options.now ?? Date.now;
  }

  /** The last finished run's report. */
  lastReport(): ReconcileReport | undefined {
    return this.last;
  }

  run(): Promise<ReconcileReport> {
    this.inFlight ??= this.runOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async runOnce(): Promise<ReconcileReport> {
    const started = this.now();
    const tally = new ReconcileTally();
    const errors: string[] = [];
    const checked = { stock: 0, price: 0, search: 0 };
    for (const name of ['stock', 'price', 'search'] as const) {
      const part = this.parts[name];
      if (!part) continue;
      try {
        checked[name] = (await part.reconcile(tally)).checked;
      } catch (error) {
        const message = errorMessage(error);
        errors.push(`${name}: ${message}`);
        this.logger.error(`reconciling ${name} failed: ${message}`);
      }
    }
    errors.push(...tally.problems);
    const finished = this.now();
    const report: ReconcileReport = {
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
      checked,
      kinds: tally.kinds,
      errors,
      ok: errors.length === 0,
    };
    const line =
      `reconciled ${checked.stock} stock rows, ${checked.price} live prices and ` +
      `${checked.search} products in ` +
      `${report.durationMs} ms: ${summarizeReport(report)}`;
    if (totalFound(report) > 0 || !report.ok) this.logger.warn(line);
    else this.logger.log(line);
    this.last = report;
    try {
      this.options.onReport?.(report);
    } catch {
      // Metrics are best effort.
    }
    return report;
  }
}
