import { STOCK_LEVEL_LUA } from '@shop/stock';
import type { RedisClient } from '@shop/redis';

/*
 * The cart's Lua steps. Each one checks and changes a cart and the stock levels it holds in one
 * atomic step, and appends every change of a level to the stock ledger's outbox (the same
 * function as admin changes: STOCK_LEVEL_LUA), so holds can never oversell and no change exists
 * without its event.
 *
 * Keys: the cart's own keys come in KEYS (see cart-keys.ts). The ledger's keys are derived in the
 * script from ARGV[1], the stock keys' prefix and hash tag (`<p>ready`, `<p>known-ids`,
 * `<p>outbox`, `<p>level:<id>`), because which levels a cart touches is only known once its lines
 * are read. On a Redis Cluster a script may touch undeclared keys of its declared keys' slot on
 * that node only: the shared hash tag (SHOP_HASH_TAG) is what makes these scripts run there.
 *
 * Time comes from Redis (`TIME`), one clock for every process: deadlines are compared with it.
 * Scripts answer with a status string first, never an error reply.
 */
const CART_LUA = `${STOCK_LEVEL_LUA}
local stockPrefix = ARGV[1]
local outbox = stockPrefix .. 'outbox'
local function levelKey(id) return stockPrefix .. 'level:' .. id end
local function isKnown(id) return redis.call('ZSCORE', stockPrefix .. 'known-ids', id) end
local function readyFloor()
  local marker = redis.call('GET', stockPrefix .. 'ready')
  if not marker then return nil end
  return tonumber(marker) or 0
end
-- Returns every unit the cart's lines hold to their products (a product deleted meanwhile has no
-- level left to return them to). Returns the units released.
local function releaseHolds(linesKey, floor, now, cid)
  local flat = redis.call('HGETALL', linesKey)
  local units = 0
  for i = 1, #flat, 2 do
    local id = flat[i]
    if isKnown(id) then
      local key = levelKey(id)
      local onHand, held, version = shopReadLevel(key)
      local take = math.min(tonumber(flat[i + 1]), held)
      if take > 0 then
        shopWriteLevel(key, outbox, id, onHand, held - take, version, floor, onHand - held,
          'release', now, cid)
        units = units + take
      end
    end
  end
  return units
end
-- What a cart read answers: status, expiresAt, orderId ('' when none), then the lines and their
-- info as flat HGETALL arrays. Scripts that change a cart end with it, so no second read is needed.
local function cartState(metaKey, linesKey, infoKey)
  local meta = redis.call('HMGET', metaKey, 'status', 'expiresAt', 'orderId')
  return {meta[1] or '', meta[2] or '', meta[3] or '', redis.call('HGETALL', linesKey),
    redis.call('HGETALL', infoKey)}
end
-- An expired or ordered cart is kept for a while (to answer GET and explain a 409), then goes.
local function retire(cartId, metaKey, linesKey, infoKey, deadlinesKey, retention)
  redis.call('ZREM', deadlinesKey, cartId)
  redis.call('EXPIRE', metaKey, retention)
  redis.call('EXPIRE', linesKey, retention)
  redis.call('EXPIRE', infoKey, retention)
end
local function expire(cartId, metaKey, linesKey, infoKey, deadlinesKey, retention, floor, now, cid)
  local units = releaseHolds(linesKey, floor, now, cid)
  redis.call('HSET', metaKey, 'status', 'expired', 'updatedAt', now)
  retire(cartId, metaKey, linesKey, infoKey, deadlinesKey, retention)
  return units
end
`;

/**
 * A new, empty, open cart whose deadline is CART_HOLD_SECONDS away.
 * KEYS: 1 cart, 2 deadlines. ARGV: 1 stock prefix, 2 cart id, 3 hold seconds.
 * Reply: {'OK', expiresAt} | {'EXISTS'} (an id drawn twice: draw another)
 */
export const CREATE_CART_LUA = `${CART_LUA}
if redis.call('EXISTS', KEYS[1]) == 1 then return {'EXISTS'} end
local now = shopNow()
local expiresAt = string.format('%d', tonumber(now) + tonumber(ARGV[3]) * 1000)
redis.call('HSET', KEYS[1], 'status', 'open', 'createdAt', now, 'updatedAt', now,
  'expiresAt', expiresAt)
redis.call('ZADD', KEYS[2], expiresAt, ARGV[2])
return {'OK', expiresAt}
`;

/**
 * A cart as it is now, in one command (a MULTI of three reads costs Redis five).
 * KEYS: 1 cart, 2 lines, 3 info. ARGV: 1 stock prefix (unused; every cart script takes it).
 * Reply: {status, expiresAt, orderId, lines, infos} (see cartState); status '' for no cart
 */
export const READ_CART_LUA = `${CART_LUA}
return cartState(KEYS[1], KEYS[2], KEYS[3])
`;

/**
 * Sets one line's quantity (0 removes it) and holds the difference, atomically. An open cart past
 * its deadline first gives its holds back (as the sweeper would). An expired cart that gets a
 * quantity comes back to life only if every one of its lines can be held again, all or nothing.
 * Any touch of an open cart moves its deadline CART_HOLD_SECONDS ahead.
 *
 * KEYS: 1 cart, 2 lines, 3 info, 4 deadlines
 * ARGV: 1 stock prefix, 2 cart id, 3 product id, 4 quantity, 5 line info JSON, 6 hold seconds,
 *       7 max lines, 8 correlation id, 9 'put' | 'delete', 10 retention seconds
 * Reply: {'OK', cart} (cart as READ_CART_LUA answers it) | {'NOT_READY'} | {'NOT_FOUND'}
 *      | {'CLOSED', orderId} | {'NO_LINE'} | {'NO_PRODUCT'} | {'TOO_MANY_LINES'}
 *      | {'UNAVAILABLE', (id, available, wanted)...}
 */
export const SET_CART_LINE_LUA = `${CART_LUA}
local floor = readyFloor()
if not floor then return {'NOT_READY'} end
local meta = redis.call('HMGET', KEYS[1], 'status', 'expiresAt', 'orderId')
local status = meta[1]
if not status then return {'NOT_FOUND'} end
if status == 'ordered' then return {'CLOSED', meta[3]} end
local cartId = ARGV[2]
local productId = ARGV[3]
local quantity = tonumber(ARGV[4])
local cid = ARGV[8]
local retention = ARGV[10]
local current = tonumber(redis.call('HGET', KEYS[2], productId)) or 0
if ARGV[9] == 'delete' and current == 0 then return {'NO_LINE'} end
if quantity > 0 and not isKnown(productId) then return {'NO_PRODUCT'} end
if quantity > 0 and current == 0 and redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[7]) then
  return {'TOO_MANY_LINES'}
end
local now = shopNow()
if status == 'open' and tonumber(meta[2]) <= tonumber(now) then
  expire(cartId, KEYS[1], KEYS[2], KEYS[3], KEYS[4], retention, floor, now, cid)
  status = 'expired'
end
if status == 'open' then
  local delta = quantity - current
  -- A deleted product's line can still be lowered or removed: its level is gone with it.
  if delta ~= 0 and isKnown(productId) then
    local key = levelKey(productId)
    local onHand, held, version = shopReadLevel(key)
    if delta > 0 and onHand - held < delta then
      return {'UNAVAILABLE', productId, onHand - held + current, quantity}
    end
    local nextHeld = math.max(held + delta, 0)
    shopWriteLevel(key, outbox, productId, onHand, nextHeld, version, floor, onHand - held,
      delta > 0 and 'hold' or 'release', now, cid)
  end
elseif quantity > 0 then
  local wanted = {}
  local flat = redis.call('HGETALL', KEYS[2])
  for i = 1, #flat, 2 do
    if flat[i] ~= productId then wanted[#wanted + 1] = {flat[i], tonumber(flat[i + 1])} end
  end
  wanted[#wanted + 1] = {productId, quantity}
  local failed = {'UNAVAILABLE'}
  for _, line in ipairs(wanted) do
    local available = 0
    if isKnown(line[1]) then
      local onHand, held = shopReadLevel(levelKey(line[1]))
      available = onHand - held
    end
    if available < line[2] then
      failed[#failed + 1] = line[1]
      failed[#failed + 1] = available
      failed[#failed + 1] = line[2]
    end
  end
  if #failed > 1 then return failed end
  for _, line in ipairs(wanted) do
    local key = levelKey(line[1])
    local onHand, held, version = shopReadLevel(key)
    shopWriteLevel(key, outbox, line[1], onHand, held + line[2], version, floor, onHand - held,
      'hold', now, cid)
  end
  status = 'open'
  redis.call('HSET', KEYS[1], 'status', 'open')
end
if quantity > 0 then
  redis.call('HSET', KEYS[2], productId, string.format('%d', quantity))
  -- The name and price stay those of the moment the line was added.
  redis.call('HSETNX', KEYS[3], productId, ARGV[5])
else
  redis.call('HDEL', KEYS[2], productId)
  redis.call('HDEL', KEYS[3], productId)
end
redis.call('HSET', KEYS[1], 'updatedAt', now)
if status == 'open' then
  local expiresAt = string.format('%d', tonumber(now) + tonumber(ARGV[6]) * 1000)
  redis.call('HSET', KEYS[1], 'expiresAt', expiresAt)
  redis.call('ZADD', KEYS[4], expiresAt, cartId)
  redis.call('PERSIST', KEYS[1])
  redis.call('PERSIST', KEYS[2])
  redis.call('PERSIST', KEYS[3])
end
return {'OK', cartState(KEYS[1], KEYS[2], KEYS[3])}
`;

/**
 * The sweeper's step for one cart from the deadlines set: gives its holds back if it is open and
 * past its deadline. Several sweepers may call it for the same cart: the first one finds it open
 * and expires it, the others find it expired, so no unit is returned twice.
 *
 * KEYS: 1 cart, 2 lines, 3 info, 4 deadlines. ARGV: 1 stock prefix, 2 cart id, 3 retention seconds
 * Reply: {'EXPIRED', units} | {'NOT_DUE'} | {'GONE'} | {'NOT_READY'}
 */
export const EXPIRE_CART_LUA = `${CART_LUA}
local floor = readyFloor()
if not floor then return {'NOT_READY'} end
local meta = redis.call('HMGET', KEYS[1], 'status', 'expiresAt')
if meta[1] ~= 'open' then
  redis.call('ZREM', KEYS[4], ARGV[2])
  return {'GONE'}
end
local now = shopNow()
if tonumber(meta[2]) > tonumber(now) then
  -- Touched meanwhile: keep the deadlines set in step with the cart.
  redis.call('ZADD', KEYS[4], meta[2], ARGV[2])
  return {'NOT_DUE'}
end
local units = expire(ARGV[2], KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[3], floor, now, '')
return {'EXPIRED', units}
`;

/**
 * Checkout, atomically: the Idempotency-Key (a repeat answers the first order), the cart as the
 * caller read it (a hash of its lines and their info: if it changed since, the caller reads again
 * and retries), every line's stock, then the sale: on hand down by each line's quantity, the
 * cart's holds gone (`order` events), the cart closed, the pending order stored, `order.placed`
 * appended to the outbox, the key recorded. An open cart sells from its holds, also past its
 * deadline if the sweeper has not come by yet; an expired one sells from what can still be sold,
 * or answers which lines can no longer be had, with nothing changed.
 *
 * KEYS: 1 cart, 2 lines, 3 info, 4 deadlines, 5 checkout record, 6 order
 * ARGV: 1 stock prefix, 2 cart id, 3 order id, 4 fingerprint, 5 record TTL seconds,
 *       6 order.placed JSON, 7 cart digest (see cartDigest), 8 correlation id,
 *       9 retention seconds, 10 order TTL seconds
 * Reply: {'OK', orderId} | {'REPLAYED', orderId} | {'KEY_REUSED'} | {'NOT_READY'} | {'NOT_FOUND'}
 *      | {'CLOSED', orderId} | {'EMPTY'} | {'CHANGED'} | {'UNAVAILABLE', (id, available, wanted)...}
 */
export const CHECKOUT_CART_LUA = `${CART_LUA}
local floor = readyFloor()
if not floor then return {'NOT_READY'} end
local record = redis.call('HMGET', KEYS[5], 'fingerprint', 'orderId')
if record[1] then
  if record[1] ~= ARGV[4] then return {'KEY_REUSED'} end
  return {'REPLAYED', record[2]}
end
local meta = redis.call('HMGET', KEYS[1], 'status', 'orderId')
local status = meta[1]
if not status then return {'NOT_FOUND'} end
if status == 'ordered' then return {'CLOSED', meta[2]} end
local flat = redis.call('HGETALL', KEYS[2])
if #flat == 0 then return {'EMPTY'} end
local lines = {}
for i = 1, #flat, 2 do lines[#lines + 1] = {flat[i], tonumber(flat[i + 1])} end
table.sort(lines, function(a, b) return tonumber(a[1]) < tonumber(b[1]) end)
local digest = {}
for _, line in ipairs(lines) do
  digest[#digest + 1] = line[1] .. '=' .. line[2] .. '=' .. (redis.call('HGET', KEYS[3], line[1]) or '')
end
if redis.sha1hex(table.concat(digest, '\\n')) ~= ARGV[7] then return {'CHANGED'} end
local own = status == 'open'
local failed = {'UNAVAILABLE'}
for _, line in ipairs(lines) do
  local available = 0
  if isKnown(line[1]) then
    local onHand, held = shopReadLevel(levelKey(line[1]))
    available = onHand - held
    if own then available = available + math.min(line[2], held) end
  end
  if available < line[2] then
    failed[#failed + 1] = line[1]
    failed[#failed + 1] = available
    failed[#failed + 1] = line[2]
  end
end
if #failed > 1 then return failed end
local now = shopNow()
local cid = ARGV[8]
for _, line in ipairs(lines) do
  local key = levelKey(line[1])
  local onHand, held, version = shopReadLevel(key)
  local fromHolds = 0
  if own then fromHolds = math.min(line[2], held) end
  shopWriteLevel(key, outbox, line[1], onHand - line[2], held - fromHolds, version, floor,
    onHand - held, 'order', now, cid)
end
local orderId = ARGV[3]
redis.call('HSET', KEYS[1], 'status', 'ordered', 'orderId', orderId, 'updatedAt', now)
retire(ARGV[2], KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[9])
redis.call('HSET', KEYS[6], 'status', 'pending', 'order', ARGV[6])
redis.call('EXPIRE', KEYS[6], ARGV[10])
redis.call('XADD', outbox, '*', 'type', 'order.placed', 'orderId', orderId, 'body', ARGV[6],
  'cid', cid)
redis.call('HSET', KEYS[5], 'fingerprint', ARGV[4], 'orderId', orderId)
redis.call('EXPIRE', KEYS[5], ARGV[5])
return {'OK', orderId}
`;

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

export interface CartScriptCommands {
  shopCartCreate: ScriptCommand;
  shopCartRead: ScriptCommand;
  shopCartSetLine: ScriptCommand;
  shopCartExpire: ScriptCommand;
  shopCartCheckout: ScriptCommand;
}

const definitions: Record<keyof CartScriptCommands, { lua: string; numberOfKeys: number }> = {
  shopCartCreate: { lua: CREATE_CART_LUA, numberOfKeys: 2 },
  shopCartRead: { lua: READ_CART_LUA, numberOfKeys: 3 },
  shopCartSetLine: { lua: SET_CART_LINE_LUA, numberOfKeys: 4 },
  shopCartExpire: { lua: EXPIRE_CART_LUA, numberOfKeys: 4 },
  shopCartCheckout: { lua: CHECKOUT_CART_LUA, numberOfKeys: 6 },
};

/** Defines the scripts on `redis` and returns it typed with them (see withStockScripts). */
export function withCartScripts(redis: RedisClient): CartScriptCommands {
  for (const [name, definition] of Object.entries(definitions)) {
    redis.defineCommand(name, definition);
  }
  return redis as unknown as CartScriptCommands;
}
