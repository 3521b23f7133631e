// Relative import: jest's globalSetup runs outside moduleNameMapper.
import { randomBytes, randomUUID } from 'node:crypto';
import { parseShopConfig } from '../../libs/config/src/shop-config';
import { eventually } from './eventually';

export { eventually };

/** Where the real stack answers; the same configuration the apps read. */
export const config = parseShopConfig(process.env);

export const urls = {
  varnish: config.PUBLIC_URL,
  storefront: `http://127.0.0.1:${config.STOREFRONT_PORT}`,
  catalog: `http://127.0.0.1:${config.CATALOG_API_PORT}`,
  stock: `http://127.0.0.1:${config.STOCK_API_PORT}`,
  syncWorker: `http://127.0.0.1:${config.SYNC_WORKER_PORT}`,
  live: `http://127.0.0.1:${config.LIVE_PORT}`,
  // Cluster mode's second processes (scripts/stack/common.sh: the same defaults).
  catalog2: `http://127.0.0.1:${process.env.CATALOG_API_2_PORT ?? 3021}`,
  stock2: `http://127.0.0.1:${process.env.STOCK_API_2_PORT ?? 3022}`,
  syncWorker2: `http://127.0.0.1:${process.env.SYNC_WORKER_2_PORT ?? 3023}`,
  // The first node: a plain fetch talks to one.
  elasticsearch: config.ELASTICSEARCH_URL[0],
};

export const adminHeaders = {
  authorization: `Bearer ${config.ADMIN_TOKEN}`,
  'content-type': 'application/json',
};

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function requestJson<T = unknown>(
  url: string,
  init: RequestInit = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: the raw text is what the test gets to look at.
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

/** A product's stock figures as the ledger and MySQL report them. */
export interface StockLevelFigures {
  id: number;
  stock: number;
  version: number;
}

/** What GET stock answers: for sale (`stock` = on hand − held), on hand and held by carts. */
export interface SellableFigures extends StockLevelFigures {
  onHand: number;
  held: number;
}

/** Sets a product's on-hand figure through the admin stock API (via Varnish); expects a 200. */
export async function setStock(id: number, stock: number): Promise<SellableFigures> {
  const response = await requestJson<SellableFigures>(`${urls.varnish}/products/${id}/stock`, {
    method: 'PUT',
    headers: adminHeaders,
    body: JSON.stringify({ stock, action: 'set' }),
  });
  expect(response.status).toBe(200);
  return response.body;
}

/** A stock PUT's body: `set` to, or `increment`/`decrement` by, `stock`. */
export interface StockChange {
  stock: number;
  action: 'set' | 'increment' | 'decrement';
}

/**
 * One stock change as a careful client makes it: one Idempotency-Key, sent to `base` (Varnish or
 * one stock-api process) again while the answer is not a verdict (503, or none: a process killed
 * mid-request), so a change applied before its answer was lost counts once.
 */
export function putStockUntilAnswered(
  base: string,
  id: number,
  change: StockChange,
  timeoutMs = 60_000,
): Promise<SellableFigures> {
  const key = randomUUID();
  return eventually(
    async () => {
      const response = await requestJson<SellableFigures & { message?: string }>(
        `${base}/products/${id}/stock`,
        {
          method: 'PUT',
          headers: { ...adminHeaders, 'idempotency-key': key },
          body: JSON.stringify(change),
          signal: AbortSignal.timeout(10_000),
        },
      );
      if (response.status === 200) return response.body;
      if (response.status === 503) return undefined;
      throw new Error(`PUT stock of ${id}: ${response.status} ${response.body.message ?? ''}`);
    },
    { what: `an answer to the stock change of ${id}`, timeoutMs, intervalMs: 50 },
  );
}

/**
 * The `index`-th change of a mixed warehouse load over `ids`: every third an increment, the others
 * decrements, of 1 to 5 units; `delta` is what it does to the product's stock.
 */
export function mixedStockChange(
  index: number,
  ids: number[],
): { id: number; change: StockChange; delta: number } {
  const id = ids[index % ids.length];
  const amount = 1 + (index % 5);
  const action = index % 3 === 0 ? 'increment' : 'decrement';
  return {
    id,
    change: { stock: amount, action },
    delta: action === 'increment' ? amount : -amount,
  };
}

/**
 * A warehouse load through `base`: every product of `ids` set to `start`, then `total`
 * mixedStockChanges from `clients` concurrent careful clients (putStockUntilAnswered).
 * `afterAnswer(n)` runs after the n-th answer (a fault test kills something there; the load
 * waits for it). Resolves with each product's expected stock: `start` plus every answered change.
 */
export async function mixedStockLoad(options: {
  base: string;
  ids: number[];
  start: number;
  total: number;
  clients: number;
  afterAnswer?: (answered: number) => Promise<void> | void;
}): Promise<Map<number, number>> {
  const { base, ids, start, total, clients, afterAnswer } = options;
  const expected = new Map<number, number>();
  for (const id of ids) {
    await putStockUntilAnswered(base, id, { stock: start, action: 'set' });
    expected.set(id, start);
  }
  let sent = 0;
  let answered = 0;
  const client = async (): Promise<void> => {
    while (sent < total) {
      const index = sent;
      sent += 1;
      const { id, change, delta } = mixedStockChange(index, ids);
      await putStockUntilAnswered(base, id, change);
      expected.set(id, expected.get(id)! + delta);
      answered += 1;
      await afterAnswer?.(answered);
    }
  };
  await Promise.all(Array.from({ length: clients }, () => client()));
  return expected;
}

/** A product's figures straight from stock-api: Varnish may hold a stock answer until its purge. */
export async function stockFigures(id: number): Promise<SellableFigures> {
  const response = await requestJson<SellableFigures>(`${urls.stock}/products/${id}/stock`);
  expect(response.status).toBe(200);
  return response.body;
}

/**
 * A word no demo product contains (`prefix` and twelve random letters; letters only, so the
 * english analyzer keeps it whole): a search for it finds exactly one run's fixtures.
 */
export function uniqueWord(prefix: string): string {
  return `${prefix}${randomBytes(6)
    .toString('hex')
    .replace(/[0-9]/g, (digit) => 'abcdefghij'[Number(digit)])}`;
}

/** `from`, `from + 1`, …, `to`. */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

/**
 * The sum of the Prometheus samples in `url`'s /metrics named `name` whose line contains every
 * one of `parts` (label pairs such as `queue="sync.stock"`); 0 when none does.
 */
export async function metricSum(url: string, name: string, parts: string[]): Promise<number> {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${url}/metrics answered ${response.status}`);
  return (await response.text())
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && parts.every((part) => line.includes(part)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
