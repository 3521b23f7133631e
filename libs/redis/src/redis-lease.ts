import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis-client';

/** KEYS: 1 lease; ARGV: 1 owner token, 2 TTL ms. Reply: 1 held by the caller, 0 held by another. */
const ACQUIRE_LEASE_LUA = `
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not owner then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

/** KEYS: 1 lease; ARGV: 1 owner token. Deletes the lease only if the caller still owns it. */
const RELEASE_LEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

interface LeaseScriptCommands {
  shopLeaseAcquire: ScriptCommand;
  shopLeaseRelease: ScriptCommand;
}

/**
 * Defines the lease scripts on `redis` (idempotent: redefining replaces the same script) and
 * returns the client typed with them. `defineCommand` adds methods at run time, hence the cast.
 */
function withLeaseScripts(redis: RedisClient): LeaseScriptCommands {
  redis.defineCommand('shopLeaseAcquire', { lua: ACQUIRE_LEASE_LUA, numberOfKeys: 1 });
  redis.defineCommand('shopLeaseRelease', { lua: RELEASE_LEASE_LUA, numberOfKeys: 1 });
  return redis as unknown as LeaseScriptCommands;
}

/**
 * A lease on one Redis key (`SET NX PX` with an owner token): at most one holder at a time, lost
 * when the holder stops renewing it for `ttlMs`. Good enough to keep two relays from publishing
 * the same outbox concurrently; not a fencing lock (a paused holder may briefly overlap the next).
 */
export class RedisLease {
  readonly owner = randomUUID();
  private readonly scripts: LeaseScriptCommands;

  constructor(
    redis: RedisClient,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {
    this.scripts = withLeaseScripts(redis);
  }

  /** Acquires the lease, or extends it when already held. Returns whether the caller holds it. */
  async acquire(): Promise<boolean> {
    return (await this.scripts.shopLeaseAcquire(this.key, this.owner, this.ttlMs)) === 1;
  }

  async release(): Promise<void> {
    await this.scripts.shopLeaseRelease(this.key, this.owner);
  }
}
