import { DEFAULT_REDIS_URL } from '@shop/config';
import { randomBytes } from 'node:crypto';
import { createRedisClient, scanKeys, type RedisClient } from '@shop/redis';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;

/** A fresh key prefix per test file, so concurrent test runs never share keys. */
export function randomStockPrefix(): string {
  return `stock-test-${randomBytes(6).toString('hex')}:`;
}

/** Fails loudly when Redis is missing (no retry loop hiding it). */
export async function connectTestRedis(): Promise<RedisClient> {
  const redis = createRedisClient(TEST_REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  return redis;
}

/**
 * Deletes the keys under `prefix` only (SCAN + DEL, never FLUSHALL), one key per DEL: keys of
 * one prefix may lie in several slots of a cluster.
 */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<void> {
  for await (const keys of scanKeys(redis, `${prefix}*`)) {
    await Promise.all(keys.map((key) => redis.del(key)));
  }
}

/** An async iterable over `batches`, as a MySQL-backed source yields them. */
export async function* inBatches<T>(...batches: T[]): AsyncGenerator<T> {
  for (const batch of batches) yield await Promise.resolve(batch);
}
