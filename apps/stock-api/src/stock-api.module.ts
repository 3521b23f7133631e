import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ShopConfigModule } from '@shop/config';
import {
  MessageType,
  ORDER_QUEUE_BINDINGS,
  OrderQueue,
  PRICE_EXCHANGE,
  STOCK_EXCHANGE,
  SyncQueue,
  syncQueuesBoundTo,
  type StockBarrier,
} from '@shop/contracts';
import {
  AmqpConnection,
  ConfirmingPublisher,
  consumerQueueNames,
  MessagingModule,
  readyMessageCount,
  withShortLivedChannel,
} from '@shop/messaging';
import { METRICS_REGISTRY, MetricsModule, ShopLoggerModule } from '@shop/observability';
import type { Registry } from 'prom-client';
import {
  PersistenceModule,
  ProductRepository,
  StockLedgerEpochRepository,
  StockRepository,
} from '@shop/persistence';
import {
  MysqlStockRestoreSource,
  PublishedStockEvents,
  registerStockOutboxMetrics,
  StockModule,
  StockOutboxRelays,
  type StockBarrierTransport,
} from '@shop/stock';
import { CART_PROVIDERS } from './carts/carts.providers';
import { CartsController } from './carts/carts.controller';
import { HealthController } from './health/health.controller';
import { BackInStockController } from './notifications/back-in-stock.controller';
import { BACK_IN_STOCK_PROVIDERS } from './notifications/back-in-stock.providers';
import { OrdersController } from './orders/orders.controller';
import { ORDER_PROVIDERS } from './orders/orders.providers';
import { PricesController } from './prices/prices.controller';
import { PRICE_PROVIDERS } from './prices/prices.providers';
import { StockController } from './stock/stock.controller';

const RESTORE_SOURCE = Symbol('RESTORE_SOURCE');
const STOCK_OUTBOX_METRICS = Symbol('STOCK_OUTBOX_METRICS');

/**
 * A rebuild's barrier goes straight into the stock queue (default exchange), behind the
 * events already there; `mandatory`, so a missing queue is an error rather than a lost barrier.
 */
function stockBarrierTransport(
  publisher: ConfirmingPublisher,
  connection: AmqpConnection,
  stock: StockRepository,
): StockBarrierTransport {
  const queue = SyncQueue.Stock;
  const retryQueues = consumerQueueNames({ queue }).filter((name) => name.includes('.retry.'));
  return {
    send: (token) => {
      const body: StockBarrier = { barrier: token, requestedAt: new Date().toISOString() };
      return publisher.publish('', queue, body, {
        messageId: token,
        type: MessageType.StockBarrier,
        mandatory: true,
      });
    },
    reached: (token) => stock.barrierReached(token),
    retriesWaiting: () =>
      withShortLivedChannel(connection, async (channel) => {
        let waiting = 0;
        for (const name of retryQueues) waiting += await readyMessageCount(channel, name);
        return waiting;
      }),
  };
}

/** Restoring the ledger needs MySQL; publishing its outbox needs RabbitMQ. */
@Module({
  imports: [
    MessagingModule.forRoot({
      connectionName: 'stock-api',
      // The order worker's queue too: orders placed before it ever ran wait there for it.
      declareQueues: [
        ...syncQueuesBoundTo(STOCK_EXCHANGE),
        // Price changes wait for the price consumer the same way.
        ...syncQueuesBoundTo(PRICE_EXCHANGE),
        { queue: OrderQueue.ToMysql, bindings: ORDER_QUEUE_BINDINGS[OrderQueue.ToMysql] },
      ],
    }),
    PersistenceModule.forRoot({ connectionLimit: 2 }),
  ],
  providers: [
    {
      provide: RESTORE_SOURCE,
      inject: [
        ProductRepository,
        StockRepository,
        StockLedgerEpochRepository,
        ConfirmingPublisher,
        AmqpConnection,
      ],
      useFactory: (
        products: ProductRepository,
        stock: StockRepository,
        epochs: StockLedgerEpochRepository,
        publisher: ConfirmingPublisher,
        connection: AmqpConnection,
      ) =>
        new MysqlStockRestoreSource(
          products,
          stock,
          epochs,
          new PublishedStockEvents(stockBarrierTransport(publisher, connection, stock)),
        ),
    },
  ],
  exports: [MessagingModule, PersistenceModule, RESTORE_SOURCE],
})
class StockInfrastructureModule {}

@Module({
  imports: [
    ShopConfigModule,
    ShopLoggerModule.forApp('stock-api'),
    StockModule.forRoot({
      imports: [StockInfrastructureModule],
      publisher: ConfirmingPublisher,
      restoreSource: RESTORE_SOURCE,
    }),
    StockInfrastructureModule,
    TerminusModule,
    MetricsModule,
  ],
  controllers: [
    StockController,
    PricesController,
    CartsController,
    OrdersController,
    BackInStockController,
    HealthController,
  ],
  providers: [
    ...CART_PROVIDERS,
    ...PRICE_PROVIDERS,
    ...ORDER_PROVIDERS,
    ...BACK_IN_STOCK_PROVIDERS,
    {
      // Registers the outbox backlog and relay gauges on GET /metrics; nothing injects it.
      provide: STOCK_OUTBOX_METRICS,
      inject: [METRICS_REGISTRY, StockOutboxRelays],
      useFactory: (registry: Registry, relay: StockOutboxRelays): true => {
        registerStockOutboxMetrics(registry, relay);
        return true;
      },
    },
  ],
})
export class StockApiModule {}
