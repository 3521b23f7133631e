import { DEFAULT_REDIS_URL } from '@shop/config';
import { randomBytes } from 'node:crypto';
import { createRedisClient, type RedisClient } from './redis-client';
import { RedisLease } from './redis-lease';

describe('RedisLease (real Redis)', () => {
  let redis: RedisClient;
  const key = `lease-test-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    redis = createRedisClient(process.env.REDIS_URL ?? DEFAULT_REDIS_URL, {
      maxRetriesPerRequest: 1,
      lazyConnect: true,
    });
    await redis.connect();
  });

  afterAll(async () => {
    await redis.del(key);
    redis.disconnect();
  });

  it('has one holder at a time, who may renew it and hand it over', async () => {
    const first = new RedisLease(redis, key, 10_000);
    const second = new RedisLease(redis, key, 10_000);
    expect(await first.acquire()).toBe(true);
    expect(await second.acquire()).toBe(false);
    expect(await first.acquire()).toBe(true);
    await second.release(); // not the owner: no effect
    expect(await redis.get(key)).toBe(first.owner);
    await first.release();
    expect(await second.acquire()).toBe(true);
    await second.release();
  });

  it('lapses after its TTL unless renewed', async () => {
    const lease = new RedisLease(redis, key, 5000);
    expect(await lease.acquire()).toBe(true);
    await redis.pexpire(key, 100); // as if time passed: a renewal sets the full TTL again
    expect(await lease.acquire()).toBe(true);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(5000);
    await lease.release();
    expect(await redis.exists(key)).toBe(0);
  });
});
