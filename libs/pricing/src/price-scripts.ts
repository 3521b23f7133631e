import type { RedisClient } from '@shop/redis';

/*
 * The Lua scripts of the price book (key layout: price-keys.ts). Like the stock ledger's, they
 * take time from Redis' clock, answer with a status string first, and write the state, the
 * version and the outbox entry in one atomic step. Amounts are integer cents, times epoch ms.
 */

/**
 * Shared functions.
 * priceNow(): epoch ms (number) from Redis' clock.
 * priceRead(key): price, sale, start, end, version (numbers or nil; price nil = no hash).
 * priceEffective / priceNext: the rules of price-change.ts (effectivePriceCents, nextTransitionAt).
 * priceWrite(...): stores the state at the next version (above `floor`), appends the outbox entry,
 *   and puts the product's next transition into the schedule (or takes it out). Returns the
 *   version and the effective price.
 */
const PRICE_LUA = `
local function priceNow()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local function priceText(value)
  if value == nil then return '' end
  return string.format('%d', value)
end
local function priceRead(key)
  local h = redis.call('HMGET', key, 'price', 'sale', 'start', 'end', 'version')
  return tonumber(h[1]), tonumber(h[2]), tonumber(h[3]), tonumber(h[4]), tonumber(h[5]) or 0
end
local function priceEffective(price, sale, start, finish, t)
  if sale and (not start or start <= t) and (not finish or t < finish) then return sale end
  return price
end
local function priceNext(sale, start, finish, t)
  if not sale then return nil end
  if start and t < start then return start end
  if finish and t < finish then return finish end
  return nil
end
local function priceWrite(key, outbox, schedule, id, price, sale, start, finish, version, floor,
    reason, now, cid)
  if version < floor then version = floor end
  version = version + 1
  local effective = priceEffective(price, sale, start, finish, now)
  redis.call('HSET', key, 'price', priceText(price), 'sale', priceText(sale),
    'start', priceText(start), 'end', priceText(finish), 'version', priceText(version),
    'updatedAt', priceText(now))
  redis.call('XADD', outbox, '*', 'type', 'price.changed', 'id', id, 'price', priceText(price),
    'sale', priceText(sale), 'start', priceText(start), 'end', priceText(finish),
    'effective', priceText(effective), 'version', priceText(version), 'reason', reason,
    'at', priceText(now), 'cid', cid or '')
  local nextAt = priceNext(sale, start, finish, now)
  if nextAt then
    redis.call('ZADD', schedule, priceText(nextAt), id)
  else
    redis.call('ZREM', schedule, id)
  end
  return version, effective
end
`;

/**
 * One admin price change, atomically: ready marker, known id, validation against the current
 * state, version + 1, outbox entry, schedule.
 *
 * KEYS: 1 price hash, 2 known-ids, 3 ready marker, 4 outbox, 5 schedule
 * ARGV: 1 id, 2 new price ('' = unchanged), 3 sale mode ('keep' | 'set' | 'clear'),
 *       4 sale price, 5 sale start ('' = none), 6 sale end ('' = none) (4-6 for 'set'),
 *       7 '1' when 8-12 hold MySQL's state (used only when there is no hash), 8 price,
 *       9 sale, 10 start, 11 end, 12 version, 13 correlation id
 * Reply: {'OK', price, sale, start, end, effective, version} (sale/start/end '' = none)
 *      | {'NEED_BASE'} (no hash and no MySQL state given: read MySQL and call again)
 *      | {'NOT_READY'} | {'NOT_FOUND'} | {'SALE_NOT_BELOW', sale, price} | {'ENDED'}
 */
export const APPLY_PRICE_CHANGE_LUA = `${PRICE_LUA}
local readyMarker = redis.call('GET', KEYS[3])
if not readyMarker then return {'NOT_READY'} end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return {'NOT_FOUND'} end
local price, sale, start, finish, version = priceRead(KEYS[1])
if price == nil then
  if ARGV[7] ~= '1' then return {'NEED_BASE'} end
  price, sale, start, finish = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]),
    tonumber(ARGV[11])
  version = tonumber(ARGV[12]) or 0
end
local now = priceNow()
-- A sale past its end is over, whether or not the scheduler got to it yet.
if sale and finish and finish <= now then sale, start, finish = nil, nil, nil end
if ARGV[2] ~= '' then price = tonumber(ARGV[2]) end
local mode = ARGV[3]
if mode == 'set' then
  sale, start, finish = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
  if finish and finish <= now then return {'ENDED'} end
elseif mode == 'clear' then
  sale, start, finish = nil, nil, nil
end
if sale and sale >= price then return {'SALE_NOT_BELOW', sale, price} end
local floor = tonumber(readyMarker) or 0
local effective
version, effective = priceWrite(KEYS[1], KEYS[4], KEYS[5], ARGV[1], price, sale, start, finish,
  version, floor, 'set', now, ARGV[13])
return {'OK', price, priceText(sale), priceText(start), priceText(finish), effective, version}
`;

/**
 * The scheduler's step for one product whose time in the schedule has come: a sale that reached
 * its end is cleared (`sale-end`), one that reached its start begins (`sale-start`); either way
 * the version goes up and an entry goes to the outbox. Re-checks everything, so a product changed
 * since it was picked, or picked by two schedulers, is handled once.
 *
 * KEYS: 1 price hash, 2 known-ids, 3 ready marker, 4 outbox, 5 schedule
 * ARGV: 1 id
 * Reply: {'OK', reason, effective, version} | {'NOT_DUE'} | {'NOT_READY'} | {'GONE'}
 */
export const PRICE_TRANSITION_LUA = `${PRICE_LUA}
local readyMarker = redis.call('GET', KEYS[3])
if not readyMarker then return {'NOT_READY'} end
local due = tonumber(redis.call('ZSCORE', KEYS[5], ARGV[1]))
local now = priceNow()
if not due or due > now then return {'NOT_DUE'} end
local price, sale, start, finish, version = priceRead(KEYS[1])
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) or price == nil or sale == nil then
  -- Deleted product, or lost state: nothing left to start or end.
  redis.call('ZREM', KEYS[5], ARGV[1])
  if price ~= nil and not redis.call('ZSCORE', KEYS[2], ARGV[1]) then redis.call('DEL', KEYS[1]) end
  return {'GONE'}
end
local reason
if finish and finish <= now then
  sale, start, finish = nil, nil, nil
  reason = 'sale-end'
elseif not start or start <= now then
  reason = 'sale-start'
else
  redis.call('ZADD', KEYS[5], priceText(start), ARGV[1])
  return {'NOT_DUE'}
end
local floor = tonumber(readyMarker) or 0
local effective
version, effective = priceWrite(KEYS[1], KEYS[4], KEYS[5], ARGV[1], price, sale, start, finish,
  version, floor, reason, now, '')
return {'OK', reason, effective, version}
`;

/**
 * Takes over a regular price an admin wrote through the product API (MySQL first), so Redis and
 * MySQL do not diverge: only when Redis has a price of its own (without one, MySQL's is the price
 * anyway), it differs, and Redis' last change is older than the catalog write. A sale that would
 * no longer be below the new price ends (the admin's explicit price wins).
 *
 * KEYS: 1 price hash, 2 ready marker, 3 outbox, 4 schedule
 * ARGV: 1 id, 2 price (cents), 3 epoch ms of the catalog write, 4 correlation id
 * Reply: {'OK', version} | {'NONE'} | {'OLDER'} | {'SAME'} | {'NOT_READY'}
 */
export const ADOPT_CATALOG_PRICE_LUA = `${PRICE_LUA}
local readyMarker = redis.call('GET', KEYS[2])
if not readyMarker then return {'NOT_READY'} end
local price, sale, start, finish, version = priceRead(KEYS[1])
if price == nil then return {'NONE'} end
local updatedAt = tonumber(redis.call('HGET', KEYS[1], 'updatedAt')) or 0
if updatedAt >= tonumber(ARGV[3]) then return {'OLDER'} end
local newPrice = tonumber(ARGV[2])
if newPrice == price then return {'SAME'} end
local now = priceNow()
if sale and finish and finish <= now then sale, start, finish = nil, nil, nil end
if sale and sale >= newPrice then sale, start, finish = nil, nil, nil end
local floor = tonumber(readyMarker) or 0
version = priceWrite(KEYS[1], KEYS[3], KEYS[4], ARGV[1], newPrice, sale, start, finish, version,
  floor, 'set', now, ARGV[4])
-- The catalog write's own time, so a later catalog write still counts as newer than this one.
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[3])
return {'OK', version}
`;

/**
 * Reads a product's price hash (HMGET in one script so the ready check and the read agree).
 * KEYS: 1 price hash, 2 ready marker. Reply: {'OK', price, sale, start, end, version} with ''
 * for missing fields (price '' = no hash) | {'NOT_READY'}
 */
export const READ_PRICE_LUA = `
if not redis.call('GET', KEYS[2]) then return {'NOT_READY'} end
local h = redis.call('HMGET', KEYS[1], 'price', 'sale', 'start', 'end', 'version')
return {'OK', h[1] or '', h[2] or '', h[3] or '', h[4] or '', h[5] or ''}
`;

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

export interface PriceScriptCommands {
  shopPriceApply: ScriptCommand;
  shopPriceTransition: ScriptCommand;
  shopPriceRead: ScriptCommand;
  shopPriceAdoptCatalog: ScriptCommand;
}

/** Defines the scripts on `redis` (idempotent) and returns it typed with them. */
export function withPriceScripts(redis: RedisClient): PriceScriptCommands {
  redis.defineCommand('shopPriceApply', { lua: APPLY_PRICE_CHANGE_LUA, numberOfKeys: 5 });
  redis.defineCommand('shopPriceTransition', { lua: PRICE_TRANSITION_LUA, numberOfKeys: 5 });
  redis.defineCommand('shopPriceRead', { lua: READ_PRICE_LUA, numberOfKeys: 2 });
  redis.defineCommand('shopPriceAdoptCatalog', { lua: ADOPT_CATALOG_PRICE_LUA, numberOfKeys: 4 });
  return redis as unknown as PriceScriptCommands;
}
