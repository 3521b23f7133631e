import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectShopConfig, type ShopConfig } from '@shop/config';
import { SettlingPurger } from '@shop/http-cache';
import { AmqpConnection } from '@shop/messaging';
import { RedisLease } from '@shop/redis';
import { STOCK_REDIS } from '@shop/stock';
import {
  QueueDepthPoller,
  ReconcileScheduler,
  Reconciler,
  SyncConsumerRunner,
  SyncMetrics,
  type SyncRole,
} from '@shop/sync';
import type { Redis } from 'ioredis';
import { InjectSyncRoles, RECONCILER_LEASE_KEY } from './sync-worker.tokens';

/**
 * Starts what this process was told to run and stops it in order on shutdown: no new deliveries,
 * in-flight batches handled and acked, then (after every module's destroy hook) the connections
 * close.
 */
@Injectable()
export class SyncWorkerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SyncWorker');
  private readonly scheduler: ReconcileScheduler | undefined;
  private readonly poller: QueueDepthPoller;

  constructor(
    @InjectSyncRoles() private readonly roles: SyncRole[],
    @InjectShopConfig() config: ShopConfig,
    @Inject(STOCK_REDIS) redis: Redis,
    connection: AmqpConnection,
    reconciler: Reconciler,
    private readonly runner: SyncConsumerRunner,
    private readonly metrics: SyncMetrics,
    private readonly purger: SettlingPurger,
  ) {
    if (roles.includes('reconciler')) {
      const interval = config.RECONCILE_INTERVAL_MS;
      this.scheduler = new ReconcileScheduler(reconciler, {
        intervalMs: interval,
        // Longer than a few periods: the holder renews it every tick; if it dies, another
        // worker with the role takes over once it expires.
        lease: new RedisLease(redis, RECONCILER_LEASE_KEY, Math.max(3 * interval, 60_000)),
        logger: new Logger('ReconcileScheduler'),
      });
    }
    this.poller = new QueueDepthPoller(
      connection,
      runner.specs.map((spec) => spec.queue),
      (depth) => metrics.queueDepth(depth),
      { logger: new Logger('QueueDepthPoller') },
    );
  }

  onApplicationBootstrap(): void {
    this.logger.log(`running: ${this.roles.join(', ')}`);
    for (const spec of this.runner.specs) this.metrics.registerQueue(spec.queue);
    this.runner.start();
    this.poller.start();
    // First lag reading as soon as the queues exist, not one poll interval later.
    void this.runner
      .ready(60_000)
      .then(() => this.poller.pollOnce())
      .catch(() => undefined);
    this.scheduler?.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.logger.log('shutting down: finishing in-flight batches');
    await this.scheduler?.stop();
    // Within the 20 s `npm run down` waits before a KILL; what is not done by then stays unacked
    // and is redelivered to another worker.
    await this.runner.stop(15_000);
    await this.poller.stop();
    // The last batches' purge echoes (2 s at most), so their pages do not stay stale.
    await this.purger.close();
  }
}
