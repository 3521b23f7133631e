import type { Redis } from 'ioredis';

/*
 * The Lua scripts of the ledger, as TypeScript strings so they ship in dist. ioredis'
 * `defineCommand` sends them with EVALSHA and falls back to EVAL once per connection.
 * Key layout: see stock-keys.ts. Scripts answer with a status string first, never with an error
 * reply, so the caller maps outcomes without parsing messages.
 *
 * Time comes from `redis.call('TIME')`: one clock for every stock-api process. Redis 7 replicates
 * script effects, so a non-deterministic command in a writing script is allowed. The epoch-ms
 * figure is built by string concatenation: Lua 5.1 numbers would print it in exponent form.
 */

/**
 * One stock change, atomically: ready marker, known id, Idempotency-Key, validation, apply,
 * version + 1, outbox event, idempotency record.
 *
 * KEYS: 1 level hash, 2 known-ids zset, 3 ready marker, 4 outbox stream, 5 idempotency record
 * ARGV: 1 id, 2 action, 3 amount, 4 max stock, 5 fingerprint ('' = no key), 6 record TTL seconds,
 *       7 correlation id (the request id, stored as the entry's `cid`; '' or absent = none)
 * Reply: {'OK', stock, version} | {'REPLAYED', stock, version} | {'INSUFFICIENT', stock, version}
 *      | {'OVER_LIMIT', stock, version} | {'NOT_READY'} | {'NOT_FOUND'}
 *      | {'IDEMPOTENCY_KEY_REUSED'} | {'INVALID', field}
 *
 * Every accepted change bumps the version and emits an event, also a `set` to the same figure or
 * an increment/decrement by 0: an admin asked for it, and consumers see one event per 200.
 */
export const APPLY_STOCK_CHANGE_LUA = `
local readyMarker = redis.call('GET', KEYS[3])
if not readyMarker then return {'NOT_READY'} end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return {'NOT_FOUND'} end
local fingerprint = ARGV[5]
if fingerprint ~= '' then
  local stored = redis.call('HMGET', KEYS[5], 'fingerprint', 'stock', 'version')
  if stored[1] then
    if stored[1] ~= fingerprint then return {'IDEMPOTENCY_KEY_REUSED'} end
    return {'REPLAYED', tonumber(stored[2]), tonumber(stored[3])}
  end
end
local action = ARGV[2]
local amount = tonumber(ARGV[3])
local maxStock = tonumber(ARGV[4])
if amount == nil or amount ~= math.floor(amount) or amount < 0 or amount > maxStock then
  return {'INVALID', 'amount'}
end
local level = redis.call('HMGET', KEYS[1], 'stock', 'version')
local stock = tonumber(level[1]) or 0
local version = tonumber(level[2]) or 0
local nextStock
if action == 'increment' then
  nextStock = stock + amount
  if nextStock > maxStock then return {'OVER_LIMIT', stock, version} end
elseif action == 'decrement' then
  nextStock = stock - amount
  if nextStock < 0 then return {'INSUFFICIENT', stock, version} end
elseif action == 'set' then
  nextStock = amount
else
  return {'INVALID', 'action'}
end
local time = redis.call('TIME')
local now = time[1] .. string.format('%03d', math.floor(tonumber(time[2]) / 1000))
-- The marker holds the version floor of the current ledger epoch (older markers hold a date:
-- floor 0). After a restore every new version starts above every version issued before it.
local floor = tonumber(readyMarker) or 0
if version < floor then version = floor end
version = version + 1
local stockText = string.format('%d', nextStock)
local versionText = string.format('%d', version)
redis.call('HSET', KEYS[1], 'stock', stockText, 'version', versionText, 'updatedAt', now)
redis.call('XADD', KEYS[4], '*', 'id', ARGV[1], 'stock', stockText,
  'delta', string.format('%d', nextStock - stock), 'version', versionText,
  'reason', action, 'at', now, 'cid', ARGV[7] or '')
if fingerprint ~= '' then
  redis.call('HSET', KEYS[5], 'fingerprint', fingerprint, 'stock', stockText, 'version', versionText)
  redis.call('EXPIRE', KEYS[5], ARGV[6])
end
return {'OK', nextStock, version}
`;

/**
 * Reads levels of several products in one round trip, refusing when the ledger is not ready.
 *
 * KEYS: 1 ready marker, 2 known-ids zset, 3.. level hashes (aligned with ARGV)
 * ARGV: product ids
 * Reply: {'NOT_READY'} | {'OK', row...} where row is 0 (unknown id) or {stock, version, updatedAt}
 */
export const READ_STOCK_LEVELS_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOT_READY'} end
local reply = {'OK'}
for i = 1, #ARGV do
  if redis.call('ZSCORE', KEYS[2], ARGV[i]) then
    local level = redis.call('HMGET', KEYS[i + 2], 'stock', 'version', 'updatedAt')
    reply[i + 1] = {level[1] or '0', level[2] or '0', level[3] or '0'}
  else
    reply[i + 1] = 0
  end
end
return reply
`;

/**
 * Restores figures from MySQL: a level is written only where Redis has none or a lower version,
 * so a restore never undoes a newer change and never invents a product's stock.
 *
 * KEYS: level hashes; ARGV: (stock, version, updatedAt ms) per key
 * Reply: per key 1 (written) or 0 (Redis already had this version or a newer one)
 */
export const RESTORE_STOCK_LEVELS_LUA = `
local reply = {}
for i = 1, #KEYS do
  local base = (i - 1) * 3
  local current = redis.call('HGET', KEYS[i], 'version')
  if (not current) or tonumber(current) < tonumber(ARGV[base + 2]) then
    redis.call('HSET', KEYS[i], 'stock', ARGV[base + 1], 'version', ARGV[base + 2],
      'updatedAt', ARGV[base + 3])
    reply[i] = 1
  else
    reply[i] = 0
  end
end
return reply
`;

/**
 * Sets the ready marker to a version floor (see APPLY_STOCK_CHANGE_LUA); a marker that is already
 * there keeps the higher floor, so concurrent restores never lower it.
 *
 * KEYS: 1 ready marker, 2 set of restore tokens; ARGV: 1 token ('' = unconditional), 2 floor
 * Reply: 1 marked ready, 0 the restore's token vanished (Redis was emptied meanwhile)
 */
export const MARK_LEDGER_READY_LUA = `
if ARGV[1] ~= '' then
  if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return 0 end
end
local current = tonumber(redis.call('GET', KEYS[1]))
if (not current) or current < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[1], ARGV[2])
end
return 1
`;

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

/** The scripts as commands of one ioredis client. Dynamic-key scripts take the key count first. */
export interface StockScriptCommands {
  shopStockApply: ScriptCommand;
  shopStockRead: ScriptCommand;
  shopStockRestore: ScriptCommand;
  shopStockMarkReady: ScriptCommand;
}

const definitions: Record<keyof StockScriptCommands, { lua: string; numberOfKeys?: number }> = {
  shopStockApply: { lua: APPLY_STOCK_CHANGE_LUA, numberOfKeys: 5 },
  shopStockRead: { lua: READ_STOCK_LEVELS_LUA },
  shopStockRestore: { lua: RESTORE_STOCK_LEVELS_LUA },
  shopStockMarkReady: { lua: MARK_LEDGER_READY_LUA, numberOfKeys: 2 },
};

/**
 * Defines the scripts on `redis` (idempotent: redefining replaces the same script) and returns
 * the client typed with them. `defineCommand` adds methods at run time, hence the one cast.
 */
export function withStockScripts(redis: Redis): StockScriptCommands {
  for (const [name, definition] of Object.entries(definitions)) {
    redis.defineCommand(name, definition);
  }
  return redis as unknown as StockScriptCommands;
}
