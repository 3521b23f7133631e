import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectShopConfig, type ShopConfig } from '@shop/config';
import { RETIRED_SYNC_QUEUES, SyncQueue } from '@shop/contracts';
import { errorMessage } from '@shop/common';
import { SettlingPurger } from '@shop/http-cache';
import { AmqpConnection, ReliableTransport, retireQueues } from '@shop/messaging';
import { RedisLease, type RedisClient } from '@shop/redis';
import { STOCK_REDIS } from '@shop/stock';
import {
  ListingRefresh,
  QueueDepthPoller,
  ReconcileScheduler,
  Reconciler,
  SyncMetrics,
} from '@shop/sync';
import type { SyncRole } from './sync-roles';
import { InjectSyncRoles, RECONCILER_LEASE_KEY } from './sync-worker.tokens';

/**
 * Runs what comes with the consumers and stops everything in order on shutdown: no new
 * deliveries, in-flight batches handled and acked, then (after every module's destroy hook) the
 * connections close. The consumers themselves are started by the transport (main.ts), before
 * this service's bootstrap.
 */
@Injectable()
export class SyncWorkerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SyncWorker');
  private readonly scheduler: ReconcileScheduler | undefined;
  private poller: QueueDepthPoller | undefined;

  constructor(
    @InjectSyncRoles() private readonly roles: SyncRole[],
    @InjectShopConfig() config: ShopConfig,
    @Inject(STOCK_REDIS) redis: RedisClient,
    private readonly connection: AmqpConnection,
    reconciler: Reconciler,
    private readonly transport: ReliableTransport,
    private readonly metrics: SyncMetrics,
    private readonly purger: SettlingPurger,
    private readonly listingRefresh: ListingRefresh,
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
  }

  onApplicationBootstrap(): void {
    this.logger.log(`running: ${this.roles.join(', ')}`);
    const queues = this.transport.queues();
    for (const queue of queues) this.metrics.registerQueue(queue);
    this.poller = new QueueDepthPoller(
      this.connection,
      queues,
      (depth) => this.metrics.queueDepth(depth),
      { logger: new Logger('QueueDepthPoller') },
    );
    this.poller.start();
    // First lag reading as soon as the queues exist, not one poll interval later.
    const poller = this.poller;
    const ready = this.transport.ready(60_000);
    void ready.then(() => poller.pollOnce()).catch(() => undefined);
    if (this.roles.includes('stock')) void ready.then(() => this.retireOldStockQueues());
    this.scheduler?.start();
  }

  /**
   * Only once `sync.stock` is bound (this process consumes it), so a stock event always has a
   * queue to go to while the old ones are unbound.
   */
  private async retireOldStockQueues(): Promise<void> {
    try {
      await retireQueues(this.connection, RETIRED_SYNC_QUEUES, {
        logger: new Logger('RetiredQueues'),
        advice:
          `events published before ${SyncQueue.Stock} existed are only there; the reconciler ` +
          '(`npm run reconcile`) brings MySQL and search to the ledger, then purge it (or shovel ' +
          `its messages into ${SyncQueue.Stock})`,
      });
    } catch (error) {
      this.logger.warn(
        `retiring the old stock queues failed, the next start tries again: ${errorMessage(error)}`,
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.logger.log('shutting down: finishing in-flight batches');
    await this.scheduler?.stop();
    // Within the 20 s `npm run down` waits before a KILL; what is not done by then stays unacked
    // and is redelivered to another worker. (Nest closes the transport again later: a no-op.)
    await this.transport.stop(15_000);
    await this.poller?.stop();
    // A listing refresh held for its window, then the last batches' purge echoes (2.5 s at
    // most), so their pages do not stay stale.
    await this.listingRefresh.close();
    await this.purger.close();
  }
}
