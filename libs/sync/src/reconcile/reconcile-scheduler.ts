import { errorMessage, SILENT_LOGGER, type LoggerLike } from '@shop/common';
import type { Reconciler } from './reconciler';

/** A lease on a shared key (`RedisLease` of @shop/redis): at most one holder across processes. */
export interface ReconcileLease {
  /** Takes the lease or extends it when already held; false when another process holds it. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

export interface ReconcileSchedulerOptions {
  /** Period; 0 turns the periodic run off (the on-demand run still works). */
  readonly intervalMs: number;
  /** Shared by every worker with the reconciler role, so only one of them reconciles. */
  readonly lease?: ReconcileLease;
  readonly logger?: LoggerLike;
}

/**
 * Runs the reconciler every `intervalMs` (the first run one interval after start). With a lease,
 * the process holding it runs and keeps it by renewing it on each tick; the others skip, and one
 * of them takes over when the holder stops renewing (it died) and the lease expires.
 */
export class ReconcileScheduler {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private current: Promise<void> | undefined;
  private readonly logger: LoggerLike;

  constructor(
    private readonly reconciler: Pick<Reconciler, 'run'>,
    private readonly options: ReconcileSchedulerOptions,
  ) {
    this.logger = options.logger ?? SILENT_LOGGER;
  }

  start(): void {
    if (this.running) return;
    if (this.options.intervalMs <= 0) {
      this.logger.log('periodic reconciliation is off (RECONCILE_INTERVAL_MS=0)');
      return;
    }
    this.running = true;
    this.logger.log(`reconciling every ${this.options.intervalMs} ms`);
    this.schedule();
  }

  /** Runs one tick now (lease permitting); for tests and for the first run after start. */
  async tick(): Promise<void> {
    this.current ??= this.runTick().finally(() => {
      this.current = undefined;
    });
    await this.current;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
    await this.options.lease?.release().catch(() => undefined);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.tick().finally(() => {
        if (this.running) this.schedule();
      });
    }, this.options.intervalMs);
    this.timer.unref?.();
  }

  private async runTick(): Promise<void> {
    try {
      if (this.options.lease && !(await this.options.lease.acquire())) {
        this.logger.debug?.('another worker holds the reconciler lease; skipping this run');
        return;
      }
      await this.reconciler.run();
    } catch (error) {
      this.logger.error(`periodic reconciliation failed: ${errorMessage(error)}`);
    }
  }
}
