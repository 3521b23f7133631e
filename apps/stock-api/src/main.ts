import 'reflect-metadata';
import { startShopApp } from '@shop/http';
import { CART_API_ERRORS } from './carts/cart-api.errors';
import { BACK_IN_STOCK_API_ERRORS } from './notifications/back-in-stock.errors';
import { ORDER_API_ERRORS } from './orders/orders.errors';
import { STOCK_API_ERRORS } from './stock-api.errors';
import { StockApiModule } from './stock-api.module';

void startShopApp(StockApiModule, {
  port: (config) => config.STOCK_API_PORT,
  errors: [
    ...STOCK_API_ERRORS,
    ...CART_API_ERRORS,
    ...ORDER_API_ERRORS,
    ...BACK_IN_STOCK_API_ERRORS,
  ],
  openApi: {
    title: 'Stock API',
    description:
      'Live stock from the Redis ledger, carts that hold it, checkout and back-in-stock ' +
      'sign-ups; every change is published on the "stock" exchange, every order on "orders"',
  },
});
