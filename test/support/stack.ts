// Relative import: jest's globalSetup runs outside moduleNameMapper.
import { parseShopConfig } from '../../libs/config/src/shop-config';

/** Where the real stack answers; the same configuration the apps read. */
export const config = parseShopConfig(process.env);

export const urls = {
  varnish: config.PUBLIC_URL,
  storefront: `http://127.0.0.1:${config.STOREFRONT_PORT}`,
  catalog: `http://127.0.0.1:${config.CATALOG_API_PORT}`,
  stock: `http://127.0.0.1:${config.STOCK_API_PORT}`,
  syncWorker: `http://127.0.0.1:${config.SYNC_WORKER_PORT}`,
  elasticsearch: config.ELASTICSEARCH_URL,
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

/** Polls until `check` returns a value (not undefined), or fails with the last reason. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `${what} did not hold within ${timeoutMs} ms${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
  );
}

/** A product's stock figures as the ledger and MySQL report them. */
export interface StockLevelFigures {
  id: number;
  stock: number;
  version: number;
}

/** `from`, `from + 1`, …, `to`. */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);
