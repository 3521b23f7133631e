import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ShopConfigModule } from '@shop/config';
import { ConfirmingPublisher, MessagingModule } from '@shop/messaging';
import { ShopLoggerModule } from '@shop/observability';
import { PersistenceModule, ProductRepository, StockRepository } from '@shop/persistence';
import { MysqlStockRestoreSource, StockModule } from '@shop/stock';
import { HealthController } from './health/health.controller';
import { StockController } from './stock/stock.controller';

const RESTORE_SOURCE = Symbol('RESTORE_SOURCE');

/** Restoring the ledger needs MySQL; publishing its outbox needs RabbitMQ. */
@Module({
  imports: [
    MessagingModule.forRoot({ connectionName: 'stock-api' }),
    PersistenceModule.forRoot({ connectionLimit: 2 }),
  ],
  providers: [
    {
      provide: RESTORE_SOURCE,
      inject: [ProductRepository, StockRepository],
      useFactory: (products: ProductRepository, stock: StockRepository) =>
        new MysqlStockRestoreSource(products, stock),
    },
  ],
  exports: [MessagingModule, RESTORE_SOURCE],
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
    TerminusModule,
  ],
  controllers: [StockController, HealthController],
})
export class StockApiModule {}
