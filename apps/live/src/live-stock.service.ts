import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { errorMessage } from '@shop/common';
import { LiveHub, StockFanout } from '@shop/live';
import { AmqpConnection } from '@shop/messaging';
import { StockLedger } from '@shop/stock';
import { LiveMetrics } from './live-metrics';

/**
 * The gateway's engine: the hub (subscriptions, coalescing, current figures from the Redis
 * ledger) fed by this process's own queue on the `stock` exchange.
 */
@Injectable()
export class LiveStockService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly hub: LiveHub;
  readonly fanout: StockFanout;
  private readonly logger = new Logger('LiveStock');

  constructor(connection: AmqpConnection, ledger: StockLedger, metrics: LiveMetrics) {
    this.hub = new LiveHub({
      readLevels: (ids) => ledger.getMany(ids),
      logger: this.logger,
      onSent: (count) => metrics.stockMessagesSent.inc(count),
    });
    this.fanout = new StockFanout(connection, {
      logger: this.logger,
      onChange: (change) => {
        metrics.changesReceived.inc();
        this.hub.receive(change);
      },
      onInvalid: () => metrics.invalidChanges.inc(),
      onResubscribed: () => {
        this.hub.refreshAll().catch((error: unknown) => {
          this.logger.warn(`re-reading watched figures after a reconnect: ${errorMessage(error)}`);
        });
      },
    });
  }

  onApplicationBootstrap(): void {
    this.fanout.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.hub.close();
    await this.fanout.stop();
  }
}
