import { randomBytes } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { parseShopConfig, SHOP_CONFIG } from '@shop/config';
import { StockChangedEvent } from '@shop/contracts';
import type { RedisClient } from '@shop/redis';
import { eventually } from '../../../test/support/eventually';
import { ProductIdRegistry } from './product-id-registry';
import { StockLedger } from './stock-ledger';
import { StockRestoreSource } from './stock-ledger-restorer';
import { StockEventPublisher } from './stock-outbox';
import { StockOutboxRelays } from './stock-outbox-relays';
import { STOCK_REDIS, StockModule } from './stock.module';
import {
  connectTestRedis,
  deleteKeysWithPrefix,
  inBatches,
  randomStockPrefix,
  TEST_REDIS_URL,
} from './testing/redis-test-support';

const PUBLISHER = Symbol('TEST_PUBLISHER');
const SOURCE = Symbol('TEST_SOURCE');
const published: { exchange: string; routingKey: string; body: StockChangedEvent }[] = [];

/** Stands in for the messaging and persistence modules: only the wiring is under test here. */
@Module({
  providers: [
    {
      provide: PUBLISHER,
      useValue: {
        publish: (exchange, routingKey, body) => {
          published.push({ exchange, routingKey, body });
          return Promise.resolve();
        },
      } satisfies StockEventPublisher,
    },
    {
      provide: SOURCE,
      useValue: {
        awaitPublishedEvents: () => Promise.resolve(),
        beginEpoch: () => Promise.resolve({ epoch: 0, versionFloor: 0 }),
        productIds: () => inBatches([7, 8]),
        stockRows: () =>
          inBatches([{ id: 7, stock: 3, version: 2, updatedAt: new Date('2025-01-01T00:00:00Z') }]),
      } satisfies StockRestoreSource,
    },
  ],
  exports: [PUBLISHER, SOURCE],
})
class FakeInfrastructureModule {}

/**
 * The typed config with defaults (and this run's REDIS_URL). Not parsed from process.env: importing
 * @shop/config runs ConfigModule.forRoot, which writes its defaults into process.env.
 */
@Global()
@Module({
  providers: [
    {
      provide: SHOP_CONFIG,
      useFactory: () => parseShopConfig({ REDIS_URL: TEST_REDIS_URL }),
    },
  ],
  exports: [SHOP_CONFIG],
})
class TestConfigModule {}

describe('StockModule', () => {
  let redis: RedisClient;
  let prefix: string;

  beforeAll(async () => {
    redis = await connectTestRedis();
    prefix = randomStockPrefix();
  });

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('restores at bootstrap, runs the relay, and closes Redis at shutdown', async () => {
    const exchange = `stock-test-${randomBytes(6).toString('hex')}`;
    const moduleRef = await Test.createTestingModule({
      imports: [
        TestConfigModule,
        StockModule.forRoot({
          keyPrefix: prefix,
          imports: [FakeInfrastructureModule],
          publisher: PUBLISHER,
          restoreSource: SOURCE,
          relay: { exchange, idleWaitMs: 200 },
        }),
      ],
    }).compile();
    const app = await moduleRef.init();

    const ledger = app.get(StockLedger);
    expect(app.get(StockOutboxRelays).stats().running).toBe(true);
    expect(await app.get(ProductIdRegistry).count()).toBe(2);
    expect(await ledger.get(7)).toMatchObject({ stock: 3, version: 2 });
    expect(await ledger.apply(8, { action: 'increment', amount: 4 })).toMatchObject({
      stock: 4,
      version: 1,
    });
    await eventually(() => published.length === 2, { what: 'info and restocked' });
    expect(published.map(({ exchange: name, routingKey }) => `${name} ${routingKey}`)).toEqual([
      `${exchange} info`,
      `${exchange} restocked`,
    ]);

    const stockRedis = app.get<RedisClient>(STOCK_REDIS);
    await app.close();
    expect(app.get(StockOutboxRelays).stats().running).toBe(false);
    await eventually(() => stockRedis.status === 'end', { what: 'the Redis connection to close' });
  });
});
