import { Logger, type LoggerService } from '@nestjs/common';
import type { Carts } from './carts';

export interface CartHoldSweeperOptions {
  /** How often due carts are looked for; holds come back at most this long after expiry. */
  intervalMs?: number;
  /** Carts expired per Redis call batch. */
  batchSize?: number;
  logger?: LoggerService;
}

export interface SweepResult {
  carts: number;
  units: number;
}

/**
 * Gives back the holds of carts past their deadline. The deadlines live in Redis (a sorted set),
 * so nothing is lost across restarts; each cart is expired by one atomic Lua step that does
 * nothing for a cart already expired, so every stock-api process can run a sweeper and no unit is
 * returned twice. With several stock shards it also finishes what a stopped process left half
 * done: the expiry of a cart with parts, and checkouts across shards
 * (Carts.finishStalledCheckouts).
 */
export class CartHoldSweeper {
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly logger: LoggerService;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private failing = false;

  constructor(
    private readonly carts: Pick<Carts, 'dueCarts' | 'expire' | 'finishStalledCheckouts'>,
    options: CartHoldSweeperOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.batchSize = options.batchSize ?? 200;
    this.logger = options.logger ?? new Logger(CartHoldSweeper.name);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // One sweep at a time per process: a slow one is not stacked on.
      if (this.running) return;
      this.running = this.sweepOnce()
        .then(
          () => {
            if (this.failing) this.logger.log('Cart hold sweeper works again');
            this.failing = false;
          },
          (error: unknown) => {
            if (!this.failing) {
              this.logger.warn(
                `Cart hold sweeper failed, retrying: ${error instanceof Error ? error.message : String(error)}`,
              );
            }
            this.failing = true;
          },
        )
        .finally(() => {
          this.running = null;
        });
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * Expires every cart due now, then finishes the checkouts across shards left half done; returns
   * how many carts and units went back.
   */
  async sweepOnce(nowMs: number = Date.now()): Promise<SweepResult> {
    const result: SweepResult = { carts: 0, units: 0 };
    await this.expireDue(nowMs, result);
    const finished = await this.carts.finishStalledCheckouts(nowMs);
    if (finished > 0) this.logger.warn(`Finished ${finished} checkout(s) a process left half done`);
    return result;
  }

  private async expireDue(nowMs: number, result: SweepResult): Promise<void> {
    for (;;) {
      const due = await this.carts.dueCarts(nowMs, this.batchSize);
      for (const id of due) {
        const units = await this.carts.expire(id);
        if (units !== null) {
          result.carts += 1;
          result.units += units;
        }
      }
      // A cart that was not due after all (clock skew) stays in the set: stop, try next tick.
      if (due.length < this.batchSize || result.carts === 0) return;
    }
  }
}
