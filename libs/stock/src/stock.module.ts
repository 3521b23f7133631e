import {
  DynamicModule,
  Inject,
  Injectable,
  InjectionToken,
  Logger,
  Module,
  ModuleMetadata,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleDestroy,
  Optional,
  Provider,
} from '@nestjs/common';
import { SHOP_CONFIG, ShopConfig } from '@shop/config';
import { errorMessage } from '@shop/common';
import { createRedisClient, type RedisClient } from '@shop/redis';
import { ProductIdRegistry } from './product-id-registry';
import { StockLedger } from './stock-ledger';
import { StockLedgerRestorer, StockRestoreSource } from './stock-ledger-restorer';
import { StockEventPublisher } from './stock-outbox';
import type { StockOutboxRelayOptions } from './stock-outbox-relay';
import { StockOutboxRelays } from './stock-outbox-relays';

/** The ioredis client of the stock lib (one connection, shared by ledger, registry and relay). */
export const STOCK_REDIS = Symbol('STOCK_REDIS');
/** A StockEventPublisher for the relay (aliased to the token given in `forRoot({ publisher })`). */
export const STOCK_EVENT_PUBLISHER = Symbol('STOCK_EVENT_PUBLISHER');
/** A StockRestoreSource for the restorer (aliased to `forRoot({ restoreSource })`). */
export const STOCK_RESTORE_SOURCE = Symbol('STOCK_RESTORE_SOURCE');

export interface StockModuleOptions {
  /** Key prefix, default `stock:`. */
  keyPrefix?: string;
  /** Shards of the ledger; default `ShopConfig.STOCK_SHARDS` (see stock-keys.ts). */
  shards?: number;
  /** Redis URL; default `ShopConfig.REDIS_URL`. */
  redisUrl?: string;
  /** Modules that export the publisher and restore source tokens below. */
  imports?: ModuleMetadata['imports'];
  /**
   * Token of a StockEventPublisher. When given, this process runs the outbox relay (started at
   * bootstrap, stopped at shutdown; several processes may, one publishes at a time).
   */
  publisher?: InjectionToken;
  relay?: Omit<StockOutboxRelayOptions, 'keyPrefix' | 'shards' | 'shard'>;
  /**
   * Token of a StockRestoreSource. When given, the ledger is restored from it at bootstrap if
   * Redis lacks the ready marker, and re-checked every `restoreCheckIntervalMs` after that.
   */
  restoreSource?: InjectionToken;
  restoreCheckIntervalMs?: number;
}

/** Starts and stops the relay and the restorer with the application, then closes Redis. */
@Injectable()
class StockLifecycle implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('StockModule');

  constructor(
    @Inject(STOCK_REDIS) private readonly redis: RedisClient,
    @Optional() @Inject(StockOutboxRelays) private readonly relay: StockOutboxRelays | undefined,
    @Optional()
    @Inject(StockLedgerRestorer)
    private readonly restorer: StockLedgerRestorer | undefined,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.restorer) {
      // A failed first restore must not stop the app: writes answer 503 until the watcher
      // succeeds.
      await this.restorer.ensureReady().catch((error: unknown) => {
        this.logger.error(`Initial stock ledger restore failed: ${errorMessage(error)}`);
      });
      this.restorer.start();
    }
    this.relay?.start();
  }

  async onModuleDestroy(): Promise<void> {
    // Before the messaging module closes its channel, so the batch in flight can finish.
    await this.relay?.stop();
    await this.restorer?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * The stock ledger on Redis. Exports STOCK_REDIS, StockLedger and ProductIdRegistry, plus
 * StockOutboxRelays (one relay per shard) when `publisher` is given and StockLedgerRestorer when `restoreSource` is.
 * Needs ShopConfigModule (global) in the application.
 */
@Module({})
export class StockModule {
  static forRoot(options: StockModuleOptions = {}): DynamicModule {
    const keyPrefix = options.keyPrefix;
    const shardsOf = (config: ShopConfig): number => options.shards ?? config.STOCK_SHARDS;
    const providers: Provider[] = [
      {
        provide: STOCK_REDIS,
        inject: [SHOP_CONFIG],
        useFactory: (config: ShopConfig): RedisClient => {
          const redis = createRedisClient(options.redisUrl ?? config.REDIS_URL, {
            connectionName: 'shop-stock',
            // Fail a request quickly while Redis is away (the API answers 503) instead of queueing.
            maxRetriesPerRequest: 1,
            // Commands issued in the same tick (concurrent requests) leave in one socket write:
            // under load this saved a fifth of the stock API's CPU per PUT, and Redis reads them
            // as one batch.
            enableAutoPipelining: true,
          });
          const logger = new Logger('StockRedis');
          // One line per outage, not one per reconnect attempt.
          let reported = false;
          redis.on('error', (error: Error) => {
            if (!reported) logger.warn(`Redis unavailable: ${error.message}`);
            reported = true;
          });
          redis.on('ready', () => {
            if (reported) logger.log('Redis available again');
            reported = false;
          });
          return redis;
        },
      },
      {
        provide: StockLedger,
        inject: [STOCK_REDIS, SHOP_CONFIG],
        useFactory: (redis: RedisClient, config: ShopConfig) =>
          new StockLedger(redis, { keyPrefix, shards: shardsOf(config) }),
      },
      {
        provide: ProductIdRegistry,
        inject: [STOCK_REDIS, SHOP_CONFIG],
        useFactory: (redis: RedisClient, config: ShopConfig) =>
          new ProductIdRegistry(redis, { keyPrefix, shards: shardsOf(config) }),
      },
      StockLifecycle,
    ];
    const exported: InjectionToken[] = [STOCK_REDIS, StockLedger, ProductIdRegistry];

    if (options.publisher !== undefined) {
      providers.push(
        { provide: STOCK_EVENT_PUBLISHER, useExisting: options.publisher },
        {
          provide: StockOutboxRelays,
          inject: [STOCK_REDIS, STOCK_EVENT_PUBLISHER, SHOP_CONFIG],
          useFactory: (redis: RedisClient, publisher: StockEventPublisher, config: ShopConfig) =>
            new StockOutboxRelays(redis, publisher, {
              ...options.relay,
              keyPrefix,
              shards: shardsOf(config),
            }),
        },
      );
      exported.push(StockOutboxRelays);
    }
    if (options.restoreSource !== undefined) {
      providers.push(
        { provide: STOCK_RESTORE_SOURCE, useExisting: options.restoreSource },
        {
          provide: StockLedgerRestorer,
          inject: [StockLedger, ProductIdRegistry, STOCK_RESTORE_SOURCE],
          useFactory: (
            ledger: StockLedger,
            registry: ProductIdRegistry,
            source: StockRestoreSource,
          ) =>
            new StockLedgerRestorer(ledger, registry, source, {
              checkIntervalMs: options.restoreCheckIntervalMs,
            }),
        },
      );
      exported.push(StockLedgerRestorer);
    }

    return {
      module: StockModule,
      imports: options.imports ?? [],
      providers,
      exports: exported,
    };
  }
}
