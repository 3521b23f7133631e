import type { Provider } from '@nestjs/common';
import { BackInStockSignup } from '@shop/notifications';
import { BackInStockRepository } from '@shop/persistence';
import { StockLedger } from '@shop/stock';

/** The sign-up reads stock from the live ledger (as GET stock does) and writes MySQL. */
export const BACK_IN_STOCK_PROVIDERS: Provider[] = [
  {
    provide: BackInStockSignup,
    inject: [StockLedger, BackInStockRepository],
    useFactory: (ledger: StockLedger, subscriptions: BackInStockRepository) =>
      new BackInStockSignup(ledger, subscriptions),
  },
];
