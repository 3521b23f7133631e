import { Logger, type Provider } from '@nestjs/common';
import { Carts } from '@shop/cart';
import { OrderDesk } from '@shop/orders';
import { OrderRepository } from '@shop/persistence';
import { StockLedger } from '@shop/stock';

/** Orders: MySQL's rows, the checkout's pending copies in Redis, and the ledger for cancels. */
export const ORDER_PROVIDERS: Provider[] = [
  {
    provide: OrderDesk,
    inject: [OrderRepository, Carts, StockLedger],
    useFactory: (orders: OrderRepository, carts: Carts, ledger: StockLedger) =>
      new OrderDesk(orders, carts, ledger, new Logger(OrderDesk.name)),
  },
];
