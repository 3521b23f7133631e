import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
  Provider,
} from '@nestjs/common';
import { SHOP_CONFIG, type ShopConfig } from '@shop/config';
import { Kysely } from 'kysely';
import { CategoryRepository } from './categories/category.repository';
import { createDatabase, CreateDatabaseOptions } from './connection';
import { DATABASE } from './database.tokens';
import { BackInStockRepository } from './notifications/back-in-stock.repository';
import { OrderRepository } from './orders/order.repository';
import { OutboxRepository } from './outbox/outbox.repository';
import { ProductRepository } from './products/product.repository';
import type { Database } from './schema';
import { StockLedgerEpochRepository } from './stock/stock-ledger-epoch.repository';
import { StockRepository } from './stock/stock.repository';

export interface PersistenceModuleOptions extends CreateDatabaseOptions {
  /** Defaults to `MYSQL_URL` from the global `ShopConfigModule`. */
  url?: string;
}

/** Closes the pool after every other module's shutdown hooks, which may still write. */
@Injectable()
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: Kysely<Database>) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.destroy();
  }
}

const REPOSITORIES = [
  ProductRepository,
  CategoryRepository,
  StockRepository,
  StockLedgerEpochRepository,
  OutboxRepository,
  OrderRepository,
  BackInStockRepository,
];

/**
 * The MySQL connection pool (`@InjectDatabase()`) and the repositories, for the whole app.
 * Import once in the root module: `PersistenceModule.forRoot()`. It does not migrate: the set-up
 * does (`scripts/db/migrate.ts`), so several app instances never race over the schema.
 */
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceModuleOptions = {}): DynamicModule {
    const { url, ...poolOptions } = options;
    const database: Provider = url
      ? { provide: DATABASE, useFactory: () => createDatabase(url, poolOptions) }
      : {
          provide: DATABASE,
          useFactory: (config: ShopConfig) => createDatabase(config.MYSQL_URL, poolOptions),
          inject: [SHOP_CONFIG],
        };
    return {
      module: PersistenceModule,
      global: true,
      providers: [database, DatabaseCloser, ...REPOSITORIES],
      exports: [DATABASE, ...REPOSITORIES],
    };
  }
}
