import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseShopConfig, ShopConfigModule } from '@shop/config';
import { MAX_STOCK, type StockLevel } from '@shop/contracts';
import { MetricsModule, ShopLoggerModule } from '@shop/observability';
import {
  IdempotencyKeyReusedError,
  InsufficientStockError,
  LedgerUnavailableError,
  StockLedger,
  StockLimitError,
  StockNotFoundError,
} from '@shop/stock';
import { STOCK_API_ERRORS } from '../stock-api.errors';
import { StockController } from './stock.controller';
import { adminJsonHeaders, startInProcessApp } from '../../../../test/support/in-process-app';

type LedgerPort = Pick<StockLedger, 'get' | 'getMany' | 'apply'>;
type StockChange = Parameters<StockLedger['apply']>[1];
type StockChangeResult = Awaited<ReturnType<StockLedger['apply']>>;

/**
 * The ledger as the controller sees it, in memory: the same errors as the Lua scripts for
 * conflicts, unknown products and reused keys (input checks are the controller's, before it), and
 * a record of what reached it, so a test can tell that a refused request never did.
 */
class InMemoryStockLedger implements LedgerPort {
  readonly levels = new Map<number, StockLevel>();
  readonly applied: { id: number; change: StockChange; correlationId?: string }[] = [];
  private readonly remembered = new Map<
    string,
    { fingerprint: string; result: StockChangeResult }
  >();
  unavailable = false;

  reset(): void {
    this.levels.clear();
    this.applied.splice(0);
    this.remembered.clear();
    this.unavailable = false;
  }

  put(id: number, stock: number, version = 1): void {
    this.levels.set(id, { id, stock, version, updatedAt: '2024-01-01T00:00:00.000Z' });
  }

  async get(id: number): Promise<StockLevel | null> {
    const [level] = await this.getMany([id]);
    return level;
  }

  async getMany(ids: readonly number[]): Promise<(StockLevel | null)[]> {
    if (this.unavailable) throw new LedgerUnavailableError(new Error('connection refused'));
    return ids.map((id) => this.levels.get(id) ?? null);
  }

  async apply(
    id: number,
    change: StockChange,
    options: { idempotencyKey?: string; correlationId?: string } = {},
  ): Promise<StockChangeResult> {
    if (this.unavailable) throw new LedgerUnavailableError(new Error('connection refused'));
    const key = options.idempotencyKey;
    const fingerprint = `${id}:${change.action}:${change.amount}`;
    const earlier = key === undefined ? undefined : this.remembered.get(key);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(key!);
      return { ...earlier.result, replayed: true };
    }
    const level = this.levels.get(id);
    if (!level) throw new StockNotFoundError(id);
    const stock =
      change.action === 'set'
        ? change.amount
        : level.stock + (change.action === 'increment' ? change.amount : -change.amount);
    if (stock < 0) throw new InsufficientStockError(id, level.stock, change.amount);
    if (stock > MAX_STOCK) throw new StockLimitError(id, level.stock, change.amount, MAX_STOCK);
    this.put(id, stock, level.version + 1);
    this.applied.push({ id, change, correlationId: options.correlationId });
    const result = {
      id,
      stock,
      onHand: stock,
      held: 0,
      version: level.version + 1,
      replayed: false,
    };
    if (key !== undefined) this.remembered.set(key, { fingerprint, result });
    return result;
  }
}

const ledger = new InMemoryStockLedger();

@Module({
  imports: [ShopConfigModule, ShopLoggerModule.forApp('stock-api'), MetricsModule],
  controllers: [StockController],
  providers: [{ provide: StockLedger, useValue: ledger }],
})
class StockControllerTestModule {}

/** The real StockController in the app's HTTP setup (pipes, guard, error mapping), no Redis. */
describe('StockController', () => {
  const config = parseShopConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const admin = adminJsonHeaders(config);
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startInProcessApp(StockControllerTestModule, config, {
      port: (shopConfig) => shopConfig.STOCK_API_PORT,
      errors: STOCK_API_ERRORS,
    });
  });

  afterAll(() => app.close());

  beforeEach(() => {
    ledger.reset();
    ledger.put(1, 5, 3);
    ledger.put(2, 0, 1);
  });

  const change = (id: number | string, body: unknown, headers: Record<string, string> = admin) =>
    app.inject({
      method: 'PUT',
      url: `/products/${id}/stock`,
      headers,
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  /** The shop's error shape, exactly. */
  function expectError(
    response: { statusCode: number; json: () => unknown },
    status: number,
    error: string,
    message: string | RegExp = /.+/,
  ): void {
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({
      statusCode: status,
      error,
      message: typeof message === 'string' ? message : expect.stringMatching(message),
    });
  }

  describe('GET /products/:id/stock', () => {
    it('answers the level, cached by Varnish under the stock tag', async () => {
      const response = await app.inject({ method: 'GET', url: '/products/1/stock' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        id: 1,
        stock: 5,
        version: 3,
        updatedAt: '2024-01-01T00:00:00.000Z',
      });
      expect(response.headers['surrogate-control']).toBe('max-age=60');
      expect(response.headers['xkey']).toBe('stock-1');
      expect(response.headers['cache-control']).toBe('no-cache');
    });

    it('answers 404 for a product the catalog does not have', async () => {
      const response = await app.inject({ method: 'GET', url: '/products/404/stock' });
      expectError(response, 404, 'Not Found', 'Product 404 does not exist');
    });

    it.each(['abc', '0', '1e3', '-1'])('answers 400 naming the id for %s', async (id) => {
      const response = await app.inject({ method: 'GET', url: `/products/${id}/stock` });
      expectError(response, 400, 'Bad Request', /\bid\b/);
    });

    it('answers 503 JSON, without internals, when the ledger does not answer', async () => {
      ledger.unavailable = true;
      const response = await app.inject({ method: 'GET', url: '/products/1/stock' });
      expectError(response, 503, 'Service Unavailable');
      expect(response.body).not.toMatch(/connection refused|at .*\.ts/);
    });
  });

  describe('GET /stock?ids=', () => {
    it('answers the known levels and names the unknown ids, never stored', async () => {
      const response = await app.inject({ method: 'GET', url: '/stock?ids=2,1,999' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({
        items: [
          { id: 2, stock: 0, version: 1, updatedAt: '2024-01-01T00:00:00.000Z' },
          { id: 1, stock: 5, version: 3, updatedAt: '2024-01-01T00:00:00.000Z' },
        ],
        unknown: [999],
      });
      expect(response.headers['surrogate-control']).toBe('no-store');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['xkey']).toBeUndefined();
    });

    it.each([
      ['no ids', '/stock'],
      ['an empty list', '/stock?ids='],
      ['an id that is not one', '/stock?ids=1,x'],
    ])('answers 400 for %s', async (_what, url) => {
      const response = await app.inject({ method: 'GET', url });
      expectError(response, 400, 'Bad Request', /\bids\b/);
    });
  });

  describe('PUT /products/:id/stock', () => {
    it('applies a change and answers the new figure, never stored', async () => {
      const response = await change(1, { stock: 2, action: 'decrement' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ id: 1, stock: 3, onHand: 3, held: 0, version: 4 });
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['xkey']).toBeUndefined();
      expect(ledger.applied).toEqual([
        { id: 1, change: { action: 'decrement', amount: 2 }, correlationId: expect.any(String) },
      ]);
    });

    it('passes the request id on as the correlation id of the change', async () => {
      const response = await change(
        1,
        { stock: 1, action: 'increment' },
        { ...admin, 'x-request-id': 'req-42' },
      );
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-request-id']).toBe('req-42');
      expect(ledger.applied.map((applied) => applied.correlationId)).toEqual(['req-42']);
    });

    it('answers a repeat with the same Idempotency-Key with the first answer, once applied', async () => {
      const headers = { ...admin, 'idempotency-key': 'order-7' };
      const first = await change(1, { stock: 4, action: 'increment' }, headers);
      const second = await change(1, { stock: 4, action: 'increment' }, headers);
      expect(first.statusCode).toBe(200);
      expect(first.headers['idempotency-replayed']).toBeUndefined();
      expect(second.statusCode).toBe(200);
      expect(second.json()).toEqual(first.json());
      expect(second.headers['idempotency-replayed']).toBe('true');
      expect(ledger.applied).toHaveLength(1);
    });

    it('answers 422 when an Idempotency-Key comes back with another change', async () => {
      const headers = { ...admin, 'idempotency-key': 'order-8' };
      expect((await change(1, { stock: 1, action: 'increment' }, headers)).statusCode).toBe(200);
      const reused = await change(1, { stock: 2, action: 'increment' }, headers);
      expectError(reused, 422, 'Unprocessable Entity', /already used for a different/);
      expect(ledger.applied).toHaveLength(1);
    });

    it.each([
      ['malformed JSON', '{"stock": 1,', /JSON|body/i],
      ['a missing stock', { action: 'increment' }, 'stock is required'],
      ['a missing action', { stock: 1 }, 'action is required'],
      ['a non-integer stock', { stock: 1.5, action: 'increment' }, /^stock must be an integer/],
      ['a string stock', { stock: '3', action: 'increment' }, /^stock must be an integer/],
      ['a negative stock', { stock: -1, action: 'increment' }, /^stock must be an integer/],
      ['a stock over the limit', { stock: MAX_STOCK + 1, action: 'set' }, /^stock must be/],
      ['an unknown action', { stock: 1, action: 'steal' }, /^action must be one of/],
      ['an unknown field', { stock: 1, action: 'set', qty: 2 }, /qty/],
    ])('answers 400 for %s and changes nothing', async (_what, body, message) => {
      const response = await change(1, body);
      expectError(response, 400, 'Bad Request', message);
      expect(ledger.applied).toEqual([]);
      expect(ledger.levels.get(1)?.stock).toBe(5);
    });

    it('answers 400 for an Idempotency-Key that is not visible ASCII', async () => {
      const response = await change(
        1,
        { stock: 1, action: 'increment' },
        { ...admin, 'idempotency-key': 'x'.repeat(201) },
      );
      expectError(response, 400, 'Bad Request', /Idempotency-Key/);
      expect(ledger.applied).toEqual([]);
    });

    it('answers 409 for a decrement below zero or an increment over the limit', async () => {
      expectError(await change(2, { stock: 1, action: 'decrement' }), 409, 'Conflict', /has 0/);
      const over = await change(1, { stock: MAX_STOCK, action: 'increment' });
      expectError(over, 409, 'Conflict', /exceeds/);
      expect(ledger.applied).toEqual([]);
    });

    it('answers 404 for a product the catalog does not have', async () => {
      const response = await change(404, { stock: 1, action: 'set' });
      expectError(response, 404, 'Not Found', 'Product 404 does not exist');
    });

    it.each([
      ['no token', { 'content-type': 'application/json' }, 'A bearer token is required'],
      [
        'a wrong token',
        { ...admin, authorization: 'Bearer nope' },
        'The bearer token is not valid',
      ],
      ['another scheme', { ...admin, authorization: `Basic ${config.ADMIN_TOKEN}` }, /bearer/],
    ])('answers 401 with %s and changes nothing', async (_what, headers, message) => {
      const response = await change(1, { stock: 1, action: 'set' }, headers);
      expectError(response, 401, 'Unauthorized', message);
      expect(ledger.applied).toEqual([]);
    });
  });
});
