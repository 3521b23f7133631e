import 'reflect-metadata';
import { startShopApp } from '@shop/http';
import { StockApiModule } from './stock-api.module';

void startShopApp(StockApiModule, {
  port: (config) => config.STOCK_API_PORT,
  openApi: {
    title: 'Stock API',
    description:
      'Live stock from the Redis ledger; every change is published on the "stock" exchange',
  },
});
