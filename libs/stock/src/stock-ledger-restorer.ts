import { Logger } from '@nestjs/common';
import { errorMessage, type LoggerLike } from '@shop/common';
import { ProductIdRegistry } from './product-id-registry';
import { StockLedger, StockRestoreRow } from './stock-ledger';

/** Where a restore reads from: MySQL (MysqlStockRestoreSource). */
export interface StockRestoreSource {
  /**
   * Resolves once every stock event published before the call is applied in MySQL, so the rows
   * read next include every change the lost ledger had confirmed and published.
   */
  awaitPublishedEvents(signal: AbortSignal): Promise<void>;
  /** Records a new ledger epoch; its floor is above every version issued before. */
  beginEpoch(reason: string): Promise<{ epoch: number; versionFloor: number }>;
  /** Every product id the catalog has, in batches. */
  productIds(): AsyncIterable<readonly number[]>;
  /** Every row of MySQL's `stock` table, in batches. */
  stockRows(): AsyncIterable<readonly StockRestoreRow[]>;
}

export interface StockRestoreReport {
  epoch: number;
  /** The shards restored: those whose ready marker was missing. */
  shards: number[];
  productIds: number;
  restored: number;
  unchanged: number;
}

export interface StockLedgerRestorerOptions {
  /** How often `start()` checks the ready marker. */
  checkIntervalMs?: number;
  logger?: LoggerLike;
}

const ATTEMPTS = 3;

/**
 * Brings the ledger back when Redis lost it (a new node, a lost disk: Redis runs with AOF, so a
 * restart keeps it). First waits until every stock event already published is in MySQL, then
 * starts a new version epoch, registers the catalog's product ids, writes MySQL's figures (never
 * lowering a newer version), and sets the ready marker with the epoch's version floor. Until then
 * the ledger refuses reads and writes (503). Several processes may restore at once: every step is
 * idempotent, and the highest floor wins. With several shards, only the shards whose marker is
 * missing are restored (a Redis Cluster master lost with its replica): the others keep answering,
 * and their newer figures are never overwritten with MySQL's.
 */
export class StockLedgerRestorer {
  private readonly checkIntervalMs: number;
  private readonly logger: LoggerLike;
  private inFlight: Promise<StockRestoreReport | null> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private watching = false;
  private readonly stopping = new AbortController();

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
              this.logger.error(`Stock ledger restore failed, retrying: ${errorMessage(error)}`);
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
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => null);
  }

  private async restoreIfNeeded(): Promise<StockRestoreReport | null> {
    if ((await this.ledger.unreadyShards()).length === 0) return null;
    this.logger.warn(
      'Redis has no stock ledger: waiting until every stock event already published is in ' +
        'MySQL, then restoring from MySQL (the stock API answers 503 until then)',
    );
    await this.source.awaitPublishedEvents(this.stopping.signal);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      const shards = await this.ledger.unreadyShards();
      if (shards.length === 0) return null; // another process restored meanwhile
      const token = await this.ledger.beginRestore(shards);
      const { epoch, versionFloor } = await this.source.beginEpoch(
        'Redis came back without the stock ledger',
      );
      const report: StockRestoreReport = {
        epoch,
        shards,
        productIds: 0,
        restored: 0,
        unchanged: 0,
      };
      for await (const ids of this.source.productIds()) {
        await this.registry.register(ids);
        report.productIds += ids.length;
      }
      for await (const rows of this.source.stockRows()) {
        const result = await this.ledger.restore(rows, { versionFloor, shards });
        report.restored += result.restoredIds.length;
        report.unchanged += result.unchangedIds.length;
      }
      if (await this.ledger.markReady(token, versionFloor, shards)) {
        this.logger.log(
          `Stock ledger restored from MySQL in epoch ${epoch} (versions above ${versionFloor}), ` +
            `shard(s) ${shards.join(', ')} of ${this.ledger.keys.shardCount}: ` +
            `${report.productIds} products, ${report.restored} levels written, ` +
            `${report.unchanged} already current`,
        );
        return report;
      }
      this.logger.warn('Redis was emptied during the stock ledger restore; starting over');
    }
    throw new Error(`Stock ledger restore did not complete in ${ATTEMPTS} attempts`);
  }
}
