import { DEFAULT_REDIS_URL } from '@shop/config';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;

/** A fresh key prefix per test file, so concurrent test runs never share keys. */
export function randomStockPrefix(): string {
  return `stock-test-${randomBytes(6).toString('hex')}:`;
}

/** Fails loudly when Redis is missing (no retry loop hiding it). */
export async function connectTestRedis(): Promise<Redis> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  return redis;
}

/** Deletes the keys under `prefix` only (SCAN + DEL, never FLUSHALL). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** An async iterable over `batches`, as a MySQL-backed source yields them. */
export async function* inBatches<T>(...batches: T[]): AsyncGenerator<T> {
  for (const batch of batches) yield await Promise.resolve(batch);
}
