import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseShopConfig, ShopConfigModule } from '@shop/config';
import type { StockLevel } from '@shop/contracts';
import { BackInStockSignup } from '@shop/notifications';
import { MetricsModule, ShopLoggerModule } from '@shop/observability';
import {
  DatabaseUnavailableError,
  type BackInStockSubscribeResult,
  type BackInStockSubscription,
} from '@shop/persistence';
import { LedgerUnavailableError } from '@shop/stock';
import { startInProcessApp } from '../../../../test/support/in-process-app';
import { STOCK_API_ERRORS } from '../stock-api.errors';
import { BackInStockController } from './back-in-stock.controller';
import { BACK_IN_STOCK_API_ERRORS } from './back-in-stock.errors';

const levels = new Map<number, StockLevel>();
let ledgerDown = false;
let mysqlDown = false;
const rows: BackInStockSubscription[] = [];

const signup = new BackInStockSignup(
  {
    get: (id) =>
      ledgerDown
        ? Promise.reject(new LedgerUnavailableError(new Error('connection refused')))
        : Promise.resolve(levels.get(id) ?? null),
  },
  {
    subscribe: (productId, email, at): Promise<BackInStockSubscribeResult> => {
      if (mysqlDown) return Promise.reject(new DatabaseUnavailableError(new Error('ECONNREFUSED')));
      const found = rows.find((row) => row.productId === productId && row.email === email);
      if (found) return Promise.resolve({ subscription: found, created: false });
      const row: BackInStockSubscription = {
        id: rows.length + 1,
        productId,
        email,
        status: 'pending',
        round: 1,
        subscribedAt: at,
        sentAt: null,
      };
      rows.push(row);
      return Promise.resolve({ subscription: row, created: true });
    },
  },
);

@Module({
  imports: [ShopConfigModule, ShopLoggerModule.forApp('stock-api'), MetricsModule],
  controllers: [BackInStockController],
  providers: [{ provide: BackInStockSignup, useValue: signup }],
})
class BackInStockControllerTestModule {}

/** The real controller in the app's HTTP setup (pipes, error mapping), no Redis, no MySQL. */
describe('BackInStockController', () => {
  const config = parseShopConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startInProcessApp(BackInStockControllerTestModule, config, {
      port: (shopConfig) => shopConfig.STOCK_API_PORT,
      errors: [...STOCK_API_ERRORS, ...BACK_IN_STOCK_API_ERRORS],
    });
  });

  afterAll(() => app.close());

  beforeEach(() => {
    rows.length = 0;
    ledgerDown = false;
    mysqlDown = false;
    levels.clear();
    levels.set(1, { id: 1, stock: 0, version: 4, updatedAt: '2026-01-01T00:00:00.000Z' });
    levels.set(2, { id: 2, stock: 3, version: 4, updatedAt: '2026-01-01T00:00:00.000Z' });
  });

  const post = (body: unknown) =>
    app.inject({
      method: 'POST',
      url: '/notifications/back-in-stock',
      headers: { 'content-type': 'application/json' },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('answers 201 with the new subscription, then 200 with the same one, never cacheable', async () => {
    const first = await post({ productId: 1, email: 'ada@example.com' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ id: 1, productId: 1, status: 'pending', sentAt: null });
    expect(first.headers['cache-control']).toMatch(/no-store/);
    const again = await post({ productId: 1, email: 'ada@example.com' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(rows).toHaveLength(1);
  });

  it.each([
    ['a bad address', { productId: 1, email: 'ada' }, 400, 'email must be an email address'],
    ['an unknown product', { productId: 9, email: 'a@b.co' }, 404, 'product 9 not found'],
    ['a product in stock', { productId: 2, email: 'a@b.co' }, 409, 'product 2 is in stock'],
    ['broken JSON', '{"productId":', 400, 'JSON'],
  ])('refuses %s, writing nothing', async (_what, body, status, message) => {
    const response = await post(body);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({
      statusCode: status,
      error: expect.any(String),
      message: expect.stringContaining(message),
    });
    expect(rows).toEqual([]);
  });

  it('answers 503 while Redis or MySQL is down', async () => {
    ledgerDown = true;
    expect((await post({ productId: 1, email: 'a@b.co' })).statusCode).toBe(503);
    ledgerDown = false;
    mysqlDown = true;
    expect((await post({ productId: 1, email: 'a@b.co' })).statusCode).toBe(503);
  });
});
