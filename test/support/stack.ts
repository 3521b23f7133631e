// Relative import: jest's globalSetup runs outside moduleNameMapper.
import { randomBytes } from 'node:crypto';
import { parseShopConfig } from '../../libs/config/src/shop-config';

export { eventually } from './eventually';

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
