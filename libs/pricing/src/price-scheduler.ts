import { Logger } from '@nestjs/common';
import { errorMessage, sleep, type LoggerLike } from '@shop/common';
import { RedisLease, type RedisClient } from '@shop/redis';
import type { PriceBook } from './price-book';

export interface PriceSchedulerOptions {
  /** Longest wait between two looks at the schedule; a sale starts at most this late. */
  pollMs?: number;
  leaseTtlMs?: number;
  logger?: LoggerLike;
}

/**
 * Starts and ends scheduled sales on time without anyone acting: every `pollMs` (100 ms) it runs
 * the transition of every product whose time in the schedule (a Redis sorted set) has come. The
 * schedule is in Redis (AOF), so a restart loses nothing: a transition missed while no process
 * ran happens at the next start. One scheduler works at a time across stock-api processes (a
 * RedisLease); the transition script re-checks, so an overlap at a lease hand-over is harmless.
 */
export class PriceScheduler {
  private readonly pollMs: number;
  private readonly leaseTtlMs: number;
  private readonly lease: RedisLease;
  private readonly logger: LoggerLike;
  private running = false;
  private leader = false;
  private loop: Promise<void> | null = null;
  private wake: AbortController | null = null;
  private failing = false;

  constructor(
    redis: RedisClient,
    private readonly book: PriceBook,
    options: PriceSchedulerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 100;
    this.leaseTtlMs = options.leaseTtlMs ?? 2000;
    this.logger = options.logger ?? new Logger(PriceScheduler.name);
    this.lease = new RedisLease(redis, book.keys.schedulerLease, this.leaseTtlMs);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.abort();
    await this.loop;
    this.loop = null;
    if (this.leader) {
      this.leader = false;
      await this.lease.release().catch(() => undefined);
    }
  }

  isLeader(): boolean {
    return this.leader;
  }

  private async run(): Promise<void> {
    let lastRenewal = 0;
    while (this.running) {
      try {
        // Renewed every third of its TTL, not every poll: one Redis call per 100 ms is enough.
        if (!this.leader || Date.now() - lastRenewal > this.leaseTtlMs / 3) {
          this.leader = await this.lease.acquire();
          lastRenewal = Date.now();
        }
        if (this.leader) {
          for (const done of await this.book.runDue()) {
            this.logger.log(
              `Product ${done.id}: ${done.reason}, effective price ${done.effectivePrice} (version ${done.version})`,
            );
          }
        }
        this.report(false, null);
      } catch (error) {
        this.leader = false;
        this.report(true, error);
      }
      await this.pause(this.leader ? this.pollMs : this.leaseTtlMs / 4);
    }
  }

  private async pause(ms: number): Promise<void> {
    if (!this.running) return;
    this.wake = new AbortController();
    await sleep(ms, this.wake.signal);
  }

  /** Logs transitions only: one line when it starts failing, one when it works again. */
  private report(failing: boolean, error: unknown): void {
    if (failing && !this.failing) {
      this.logger.warn(`Price scheduler cannot run, retrying: ${errorMessage(error)}`);
    } else if (!failing && this.failing) {
      this.logger.log('Price scheduler runs again');
    }
    this.failing = failing;
  }
}
