import type { RedisClient } from '@shop/redis';

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
 * Lua functions every script that changes a level shares (the cart scripts in libs/cart too), so
 * a level and its event are written one way only. A level hash holds `stock` (on hand: the field
 * kept its name from before holds, when on hand was all there was), `held` (units held by open
 * carts; absent = 0), `version`, `updatedAt`. What can be sold is `stock - held`, and that is
 * what events, reads and answers call `stock`.
 *
 * shopNow(): epoch ms from Redis' clock, as text.
 * shopReadLevel(key): onHand, held, version (numbers; a missing hash reads 0, 0, 0).
 * shopWriteLevel(key, outbox, id, onHand, held, version, floor, sellableBefore, reason, now, cid):
 *   writes the level at the next version (above `floor`, the epoch's version floor) and appends
 *   its event to the outbox; returns the new version.
 */
export const STOCK_LEVEL_LUA = `
local function shopNow()
  local time = redis.call('TIME')
  return time[1] .. string.format('%03d', math.floor(tonumber(time[2]) / 1000))
end
local function shopReadLevel(key)
  local level = redis.call('HMGET', key, 'stock', 'held', 'version')
  return tonumber(level[1]) or 0, tonumber(level[2]) or 0, tonumber(level[3]) or 0
end
local function shopWriteLevel(key, outbox, id, onHand, held, version, floor, sellableBefore,
    reason, now, cid)
  if version < floor then version = floor end
  version = version + 1
  local onHandText = string.format('%d', onHand)
  local heldText = string.format('%d', held)
  local versionText = string.format('%d', version)
  redis.call('HSET', key, 'stock', onHandText, 'held', heldText, 'version', versionText,
    'updatedAt', now)
  redis.call('XADD', outbox, '*', 'id', tostring(id), 'stock',
    string.format('%d', onHand - held), 'delta', string.format('%d', onHand - held - sellableBefore),
    'version', versionText, 'reason', reason, 'at', now, 'onHand', onHandText,
    'held', heldText, 'cid', cid or '')
  return version
end
`;

/**
 * One admin stock change, atomically: ready marker, known id, Idempotency-Key, validation, apply
 * to on hand, version + 1, outbox event, idempotency record. On hand never goes below what carts
 * hold (a decrement or set that would is refused), so what can be sold never goes below zero.
 *
 * KEYS: 1 level hash, 2 known-ids zset, 3 ready marker, 4 outbox stream, 5 idempotency record
 * ARGV: 1 id, 2 action, 3 amount, 4 max stock, 5 fingerprint ('' = no key), 6 record TTL seconds,
 *       7 correlation id (the request id, stored as the entry's `cid`; '' or absent = none)
 * Reply: {'OK', stock, version, onHand, held} | {'REPLAYED', stock, version, onHand, held}
 *      | {'INSUFFICIENT', stock, version} | {'BELOW_HELD', held} | {'OVER_LIMIT', onHand, version}
 *      | {'NOT_READY'} | {'NOT_FOUND'} | {'IDEMPOTENCY_KEY_REUSED'} | {'INVALID', field}
 *   (`stock` is what can be sold: on hand minus held.)
 *
 * Every accepted change bumps the version and emits an event, also a `set` to the same figure or
 * an increment/decrement by 0: an admin asked for it, and consumers see one event per 200.
 */
export const APPLY_STOCK_CHANGE_LUA = `${STOCK_LEVEL_LUA}
local readyMarker = redis.call('GET', KEYS[3])
if not readyMarker then return {'NOT_READY'} end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return {'NOT_FOUND'} end
local fingerprint = ARGV[5]
if fingerprint ~= '' then
  local stored = redis.call('HMGET', KEYS[5], 'fingerprint', 'stock', 'version', 'onHand', 'held')
  if stored[1] then
    if stored[1] ~= fingerprint then return {'IDEMPOTENCY_KEY_REUSED'} end
    -- Records from before holds have no onHand/held: on hand was the stock then.
    return {'REPLAYED', tonumber(stored[2]), tonumber(stored[3]),
      tonumber(stored[4]) or tonumber(stored[2]), tonumber(stored[5]) or 0}
  end
end
local action = ARGV[2]
local amount = tonumber(ARGV[3])
local maxStock = tonumber(ARGV[4])
if amount == nil or amount ~= math.floor(amount) or amount < 0 or amount > maxStock then
  return {'INVALID', 'amount'}
end
local onHand, held, version = shopReadLevel(KEYS[1])
local nextOnHand
if action == 'increment' then
  nextOnHand = onHand + amount
  if nextOnHand > maxStock then return {'OVER_LIMIT', onHand, version} end
elseif action == 'decrement' then
  nextOnHand = onHand - amount
  if nextOnHand < held then return {'INSUFFICIENT', onHand - held, version} end
elseif action == 'set' then
  nextOnHand = amount
  if nextOnHand < held then return {'BELOW_HELD', held} end
else
  return {'INVALID', 'action'}
end
-- The marker holds the version floor of the current ledger epoch (older markers hold a date:
-- floor 0). After a restore every new version starts above every version issued before it.
local floor = tonumber(readyMarker) or 0
local now = shopNow()
version = shopWriteLevel(KEYS[1], KEYS[4], ARGV[1], nextOnHand, held, version, floor,
  onHand - held, action, now, ARGV[7])
local stockText = string.format('%d', nextOnHand - held)
if fingerprint ~= '' then
  redis.call('HSET', KEYS[5], 'fingerprint', fingerprint, 'stock', stockText,
    'version', string.format('%d', version), 'onHand', string.format('%d', nextOnHand),
    'held', string.format('%d', held))
  redis.call('EXPIRE', KEYS[5], ARGV[6])
end
return {'OK', nextOnHand - held, version, nextOnHand, held}
`;

/**
 * Reads levels of several products in one round trip, refusing when the ledger is not ready.
 * The level keys are built from ARGV[1] (the shard's level key prefix, same hash tag): a fixed
 * key count keeps a key first in the call, which is what ioredis' cluster auto-pipelining routes
 * by (with a count first it routed by the slot of the count, and mixed nodes in one pipeline).
 *
 * KEYS: 1 ready marker, 2 known-ids zset
 * ARGV: 1 level key prefix (`<p>level:`), 2.. product ids
 * Reply: {'NOT_READY'} | {'OK', row...} where row is 0 (unknown id) or
 *        {stock (sellable), version, updatedAt, onHand, held}
 */
export const READ_STOCK_LEVELS_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'NOT_READY'} end
local reply = {'OK'}
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[2], ARGV[i]) then
    local level = redis.call('HMGET', ARGV[1] .. ARGV[i], 'stock', 'version', 'updatedAt', 'held')
    local onHand = tonumber(level[1]) or 0
    local held = tonumber(level[4]) or 0
    reply[i] = {string.format('%d', onHand - held), level[2] or '0', level[3] or '0',
      string.format('%d', onHand), string.format('%d', held)}
  else
    reply[i] = 0
  end
end
return reply
`;

/**
 * Restores figures from MySQL: a level is written only where Redis has none or a lower version,
 * so a restore never undoes a newer change and never invents a product's stock.
 *
 * Holds live in carts, and carts live in this Redis only. What MySQL calls held belonged to carts
 * that a Redis which lost the ledger lost too: on hand comes back as MySQL's `stock + held`, and
 * held as what this Redis' own level still says (0 when it has none). Where that differs from
 * MySQL's held, the level is written at the next version above the epoch's floor with a `release`
 * (or `hold`) event, so MySQL, search and caches learn that those units can be sold again.
 *
 * KEYS: 1 outbox stream, 2 ready marker (a fixed count: see READ_STOCK_LEVELS_LUA)
 * ARGV: 1 version floor ('' = the ready marker's), 2 level key prefix (`<p>level:`), then
 *       (id, stock, version, updatedAt ms, held) per level (stock = what could be sold, as
 *       MySQL's `quantity`)
 * Reply: per level 1 (written) or 0 (Redis already had this version or a newer one)
 */
export const RESTORE_STOCK_LEVELS_LUA = `${STOCK_LEVEL_LUA}
local floor = tonumber(ARGV[1]) or tonumber(redis.call('GET', KEYS[2])) or 0
local reply = {}
local now = nil
for row = 0, (#ARGV - 2) / 5 - 1 do
  local base = 2 + row * 5
  local id = ARGV[base + 1]
  local key = ARGV[2] .. id
  local sellable = tonumber(ARGV[base + 2])
  local version = tonumber(ARGV[base + 3])
  local mysqlHeld = tonumber(ARGV[base + 5]) or 0
  local current = redis.call('HMGET', key, 'version', 'held')
  if (not current[1]) or tonumber(current[1]) < version then
    local onHand = sellable + mysqlHeld
    local held = tonumber(current[2]) or 0
    if held > onHand then held = onHand end
    if held == mysqlHeld then
      redis.call('HSET', key, 'stock', string.format('%d', onHand),
        'held', string.format('%d', held), 'version', ARGV[base + 3], 'updatedAt', ARGV[base + 4])
    else
      now = now or shopNow()
      shopWriteLevel(key, KEYS[1], id, onHand, held, version, floor, sellable,
        held < mysqlHeld and 'release' or 'hold', now, '')
    end
    reply[row + 1] = 1
  else
    reply[row + 1] = 0
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

/** The scripts as commands of one ioredis client. */
export interface StockScriptCommands {
  shopStockApply: ScriptCommand;
  shopStockRead: ScriptCommand;
  shopStockRestore: ScriptCommand;
  shopStockMarkReady: ScriptCommand;
}

const definitions: Record<keyof StockScriptCommands, { lua: string; numberOfKeys: number }> = {
  shopStockApply: { lua: APPLY_STOCK_CHANGE_LUA, numberOfKeys: 5 },
  shopStockRead: { lua: READ_STOCK_LEVELS_LUA, numberOfKeys: 2 },
  shopStockRestore: { lua: RESTORE_STOCK_LEVELS_LUA, numberOfKeys: 2 },
  shopStockMarkReady: { lua: MARK_LEDGER_READY_LUA, numberOfKeys: 2 },
};

/**
 * Defines the scripts on `redis` (idempotent: redefining replaces the same script) and returns
 * the client typed with them. `defineCommand` adds methods at run time, hence the one cast.
 */
export function withStockScripts(redis: RedisClient): StockScriptCommands {
  for (const [name, definition] of Object.entries(definitions)) {
    redis.defineCommand(name, definition);
  }
  return redis as unknown as StockScriptCommands;
}
