import { Logger, type LoggerService } from '@nestjs/common';
import { ProductIdRegistry } from './product-id-registry';
import { StockLedger, StockRestoreRow } from './stock-ledger';

/** Where a restore reads from: MySQL (libs/persistence implements it for the stock API). */
export interface StockRestoreSource {
  /** Every product id the catalog has, in batches. */
  productIds(): AsyncIterable<readonly number[]>;
  /** Every row of MySQL's `stock` table, in batches. */
  stockRows(): AsyncIterable<readonly StockRestoreRow[]>;
}

export interface StockRestoreReport {
  productIds: number;
  restored: number;
  unchanged: number;
}

export interface StockLedgerRestorerOptions {
  /** How often `start()` checks the ready marker. */
  checkIntervalMs?: number;
  logger?: LoggerService;
}

const ATTEMPTS = 3;

/**
 * Brings the ledger back after Redis lost it (it keeps nothing on disk here): registers the
 * catalog's product ids, writes MySQL's figures (never lowering a newer version), then sets the
 * ready marker. Until then the ledger refuses reads and writes. Several processes may restore at
 * once: every step is idempotent.
 */
export class StockLedgerRestorer {
  private readonly checkIntervalMs: number;
  private readonly logger: LoggerService;
  private inFlight: Promise<StockRestoreReport | null> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private watching = false;

  constructor(
    private readonly ledger: StockLedger,
    private readonly registry: ProductIdRegistry,
    private readonly source: StockRestoreSource,
    options: StockLedgerRestorerOptions = {},
  ) {
    this.checkIntervalMs = options.checkIntervalMs ?? 1000;
    this.logger = options.logger ?? new Logger(StockLedgerRestorer.name);
  }

  /** Restores when the ready marker is missing; null when the ledger was ready already. */
  ensureReady(): Promise<StockRestoreReport | null> {
    this.inFlight ??= this.restoreIfNeeded().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /**
   * Checks the marker every `checkIntervalMs` and restores when Redis came back empty. The first
   * check comes after one interval: call `ensureReady()` first for a restore at start-up.
   */
  start(): void {
    if (this.watching) return;
    this.watching = true;
    let failing = false;
    const tick = (): void => {
      this.ensureReady()
        .then(
          () => {
            failing = false;
          },
          (error: unknown) => {
            // Logged once per outage; the watcher keeps retrying quietly.
            if (!failing) {
              this.logger.error(
                `Stock ledger restore failed, retrying: ${error instanceof Error ? error.message : String(error)}`,
              );
            }
            failing = true;
          },
        )
        .finally(() => {
          if (this.watching) this.timer = setTimeout(tick, this.checkIntervalMs);
        })
        .catch(() => undefined);
    };
    this.timer = setTimeout(tick, this.checkIntervalMs);
  }

  async stop(): Promise<void> {
    this.watching = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => null);
  }

  private async restoreIfNeeded(): Promise<StockRestoreReport | null> {
    if (await this.ledger.isReady()) return null;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      const token = await this.ledger.beginRestore();
      const report: StockRestoreReport = { productIds: 0, restored: 0, unchanged: 0 };
      for await (const ids of this.source.productIds()) {
        await this.registry.register(ids);
        report.productIds += ids.length;
      }
      for await (const rows of this.source.stockRows()) {
        const result = await this.ledger.restore(rows);
        report.restored += result.restoredIds.length;
        report.unchanged += result.unchangedIds.length;
      }
      if (await this.ledger.markReady(token)) {
        this.logger.log(
          `Stock ledger restored from MySQL: ${report.productIds} products, ` +
            `${report.restored} levels written, ${report.unchanged} already current`,
        );
        return report;
      }
      this.logger.warn('Redis was emptied during the stock ledger restore; starting over');
    }
    throw new Error(`Stock ledger restore did not complete in ${ATTEMPTS} attempts`);
  }
}
