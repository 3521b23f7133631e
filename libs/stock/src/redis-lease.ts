import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { withStockScripts, type StockScriptCommands } from './stock-scripts';

/**
 * A lease on one Redis key (`SET NX PX` with an owner token): at most one holder at a time, lost
 * when the holder stops renewing it for `ttlMs`. Good enough to keep two relays from publishing
 * the same outbox concurrently; not a fencing lock (a paused holder may briefly overlap the next).
 */
export class RedisLease {
  readonly owner = randomUUID();
  private readonly scripts: StockScriptCommands;

  constructor(
    redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {
    this.scripts = withStockScripts(redis);
  }

  /** Acquires the lease, or extends it when already held. Returns whether the caller holds it. */
  async acquire(): Promise<boolean> {
    return (await this.scripts.shopStockLeaseAcquire(this.key, this.owner, this.ttlMs)) === 1;
  }

  async release(): Promise<void> {
    await this.scripts.shopStockLeaseRelease(this.key, this.owner);
  }
}
