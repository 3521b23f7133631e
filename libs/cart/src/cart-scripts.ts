import { STOCK_LEVEL_LUA } from '@shop/stock';
import type { RedisClient } from '@shop/redis';

/*
 * The cart's Lua steps. Each one checks and changes a cart and the stock levels it holds in one
 * atomic step, and appends every change of a level to the stock ledger's outbox (the same
 * function as admin changes: STOCK_LEVEL_LUA), so holds can never oversell and no change exists
 * without its event.
 *
 * With several stock shards a cart may hold products of several shards. Its home (the shard of its
 * id) keeps the cart and the lines of its own shard; every other shard keeps a part: the lines of
 * its products and their status. The home decides: parts are only released while the home is
 * `expiring`, and only sold while it is `checking-out`, and neither state lets a line change; the
 * steps that cross shards are run by Carts in an order that leaves nothing held that no deadline
 * will return (see carts.ts). A cart whose lines are all in its home (always, with one shard) is
 * changed and checked out in one step as before.
 *
 * Keys: the cart's own keys come in KEYS (see cart-keys.ts). The ledger's keys are derived in the
 * script from ARGV[1], the stock keys' prefix and hash tag (`<p>ready`, `<p>known-ids`,
 * `<p>outbox`, `<p>level:<id>`), because which levels a cart touches is only known once its lines
 * are read. On a Redis Cluster a script may touch undeclared keys of its declared keys' slot on
 * that node only: the shard's hash tag, which the cart's keys share, makes these scripts run there.
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
-- An open cart's keys stay (its holds are returned by the sweeper, not by a TTL); a closed
-- one's go after \`seconds\`.
local function persistAll(...)
  for _, key in ipairs({...}) do redis.call('PERSIST', key) end
end
local function expireAll(seconds, ...)
  for _, key in ipairs({...}) do redis.call('EXPIRE', key, seconds) end
end
-- An expired or ordered cart is kept for a while (to answer GET and explain a 409), then goes.
-- \`shardsKey\` nil: the caller found the cart without parts (no shards set to expire).
local function retire(cartId, metaKey, linesKey, infoKey, deadlinesKey, shardsKey, retention)
  redis.call('ZREM', deadlinesKey, cartId)
  expireAll(retention, metaKey, linesKey, infoKey)
  if shardsKey then redis.call('EXPIRE', shardsKey, retention) end
end
-- Holds or releases the difference between a line's quantity and \`quantity\` on its product's
-- level (a product the catalog deleted has no level left: a line of it can still be lowered).
-- Returns {'UNAVAILABLE', id, available, wanted} with nothing changed when the level cannot give
-- the difference; with \`dryRun\` it only checks. \`known\`: the caller has just found the product.
local function holdDifference(productId, current, quantity, floor, now, cid, dryRun, known)
  local delta = quantity - current
  if delta == 0 or not (known or isKnown(productId)) then return nil end
  local key = levelKey(productId)
  local onHand, held, version = shopReadLevel(key)
  if delta > 0 and onHand - held < delta then
    return {'UNAVAILABLE', productId, onHand - held + current, quantity}
  end
  if dryRun then return nil end
  shopWriteLevel(key, outbox, productId, onHand, math.max(held + delta, 0), version, floor,
    onHand - held, delta > 0 and 'hold' or 'release', now, cid)
  return nil
end
local function expire(cartId, metaKey, linesKey, infoKey, deadlinesKey, shardsKey, retention,
    floor, now, cid)
  local units = releaseHolds(linesKey, floor, now, cid)
  redis.call('HSET', metaKey, 'status', 'expired', 'updatedAt', now)
  retire(cartId, metaKey, linesKey, infoKey, deadlinesKey, shardsKey, retention)
  return units
end
-- The {id, quantity} lines of \`wanted\` that what can be sold now does not cover (with
-- \`ownHolds\`, plus what this cart holds of each), as {'UNAVAILABLE', (id, available, wanted)...};
-- nil when it covers them all. Second, the {onHand, held, version} it read for each line (in the
-- same order; none for a product the catalog deleted), so a caller need not read them again.
local function missingOf(wanted, ownHolds)
  local failed = {'UNAVAILABLE'}
  local levels = {}
  for index, line in ipairs(wanted) do
    local available = 0
    if isKnown(line[1]) then
      local onHand, held, version = shopReadLevel(levelKey(line[1]))
      levels[index] = {onHand, held, version}
      available = onHand - held
      if ownHolds then available = available + math.min(line[2], held) end
    end
    if available < line[2] then
      failed[#failed + 1] = line[1]
      failed[#failed + 1] = available
      failed[#failed + 1] = line[2]
    end
  end
  if #failed > 1 then return failed, levels end
  return nil, levels
end
-- Holds every {id, quantity} of \`wanted\` from what can be sold, all or nothing: returns nil once
-- held, or missingOf's answer with nothing changed.
local function holdAll(wanted, floor, now, cid)
  local failed = missingOf(wanted)
  if failed then return failed end
  for _, line in ipairs(wanted) do
    local key = levelKey(line[1])
    local onHand, held, version = shopReadLevel(key)
    shopWriteLevel(key, outbox, line[1], onHand, held + line[2], version, floor, onHand - held,
      'hold', now, cid)
  end
  return nil
end
-- A lines hash as {id, quantity} pairs.
local function linesOf(linesKey)
  local flat = redis.call('HGETALL', linesKey)
  local lines = {}
  for i = 1, #flat, 2 do lines[#lines + 1] = {flat[i], tonumber(flat[i + 1])} end
  return lines
end
-- Holds a revived shard's lines, all or nothing (see holdAll), with the line of \`productId\`
-- (if the cart has it, and '' is not given) at \`quantity\`: a revival holds what the change that
-- asked for it wants, and sets that line to match, so the change finds its line held as it wants.
local function reholdWith(linesKey, productId, quantity, floor, now, cid)
  local lines = linesOf(linesKey)
  local changed = false
  for _, line in ipairs(lines) do
    if line[1] == productId and tonumber(quantity) > 0 then
      line[2] = tonumber(quantity)
      changed = true
    end
  end
  local failed = holdAll(lines, floor, now, cid)
  if failed then return failed end
  if changed then redis.call('HSET', linesKey, productId, quantity) end
  return nil
end
-- Sells held lines: on hand and held go down together (\`order\` events). A line whose product
-- the catalog deleted meanwhile has no level left: it is dropped.
local function sellHeld(linesKey, infoKey, floor, now, cid)
  for _, line in ipairs(linesOf(linesKey)) do
    if isKnown(line[1]) then
      local key = levelKey(line[1])
      local onHand, held, version = shopReadLevel(key)
      shopWriteLevel(key, outbox, line[1], onHand - line[2], held - math.min(line[2], held),
        version, floor, onHand - held, 'order', now, cid)
    else
      redis.call('HDEL', linesKey, line[1])
      redis.call('HDEL', infoKey, line[1])
    end
  end
end
-- A cart that is changing across shards (checkout, expiry): its lines must wait.
local function isBusy(status) return status == 'checking-out' or status == 'expiring' end
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
 * KEYS: 1 cart, 2 lines, 3 info, 4 shards. ARGV: 1 stock prefix (unused; every cart script
 * takes it).
 * Reply: {status, expiresAt, orderId, lines, infos, shards} (see cartState; shards: the other
 * shards holding parts); status '' for no cart
 */
export const READ_CART_LUA = `${CART_LUA}
local state = cartState(KEYS[1], KEYS[2], KEYS[3])
state[6] = redis.call('SMEMBERS', KEYS[4])
return state
`;

/**
 * Sets one line's quantity (0 removes it) and holds the difference, atomically. An open cart past
 * its deadline first gives its holds back (as the sweeper would). An expired cart that gets a
 * quantity comes back to life only if every one of its lines can be held again, all or nothing.
 * Any touch of an open cart moves its deadline CART_HOLD_SECONDS ahead.
 *
 * A cart with parts in other shards cannot expire or come back to life in this one step: it
 * answers REVIVE, and Carts runs the expiry (and the revival) across the shards first.
 *
 * 'create' makes a new open cart with this line (a product of the cart's home shard): the cart
 * exists only if the line could be held, so a refused first line leaves nothing behind.
 *
 * KEYS: 1 cart, 2 lines, 3 info, 4 deadlines, 5 shards
 * ARGV: 1 stock prefix, 2 cart id, 3 product id, 4 quantity, 5 line info JSON, 6 hold seconds,
 *       7 max lines, 8 correlation id, 9 'put' | 'delete' | 'create', 10 retention seconds
 * Reply: {'OK', cart, parts} (cart as READ_CART_LUA answers it, without the other shards' lines;
 *        parts 1 when it has some) | {'NOT_READY'} | {'NOT_FOUND'} | {'CLOSED', orderId}
 *      | {'NO_LINE'} | {'NO_PRODUCT'} | {'TOO_MANY_LINES'}
 *      | {'UNAVAILABLE', (id, available, wanted)...} | {'BUSY'} | {'REVIVE'}
 *      | {'EXISTS'} ('create' with an id drawn twice: draw another)
 */
export const SET_CART_LINE_LUA = `${CART_LUA}
local floor = readyFloor()
if not floor then return {'NOT_READY'} end
local meta = redis.call('HMGET', KEYS[1], 'status', 'expiresAt', 'orderId')
local status = meta[1]
-- Each redis.call costs a sale-day order more than the work it does: what a new cart is known
-- to have (no parts, no lines) is not read.
local creating = ARGV[9] == 'create'
if creating then
  if status then return {'EXISTS'} end
  status = 'open'
end
if not status then return {'NOT_FOUND'} end
if status == 'ordered' then return {'CLOSED', meta[3]} end
if isBusy(status) then return {'BUSY'} end
local parts = not creating and redis.call('SCARD', KEYS[5]) > 0
local cartId = ARGV[2]
local productId = ARGV[3]
local quantity = tonumber(ARGV[4])
local cid = ARGV[8]
local retention = ARGV[10]
local current = 0
if not creating then current = tonumber(redis.call('HGET', KEYS[2], productId)) or 0 end
if ARGV[9] == 'delete' and current == 0 then return {'NO_LINE'} end
if quantity > 0 and not isKnown(productId) then return {'NO_PRODUCT'} end
if quantity > 0 and current == 0 and not creating
    and redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[7]) then
  return {'TOO_MANY_LINES'}
end
local now = shopNow()
if status == 'open' and not creating and tonumber(meta[2]) <= tonumber(now) then
  if parts then return {'REVIVE'} end
  expire(cartId, KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], retention, floor, now, cid)
  status = 'expired'
end
-- Only a cart that expired (in this step or before) has keys with a TTL to take off.
local revived = false
if status == 'open' then
  local failed = holdDifference(productId, current, quantity, floor, now, cid, false,
    quantity > 0)
  if failed then return failed end
elseif quantity > 0 then
  if parts then return {'REVIVE'} end
  local wanted = {}
  for _, line in ipairs(linesOf(KEYS[2])) do
    if line[1] ~= productId then wanted[#wanted + 1] = line end
  end
  wanted[#wanted + 1] = {productId, quantity}
  local failed = holdAll(wanted, floor, now, cid)
  if failed then return failed end
  status = 'open'
  revived = true
end
if quantity > 0 then
  redis.call('HSET', KEYS[2], productId, string.format('%d', quantity))
  -- The name and price stay those of the moment the line was added.
  redis.call('HSETNX', KEYS[3], productId, ARGV[5])
else
  redis.call('HDEL', KEYS[2], productId)
  redis.call('HDEL', KEYS[3], productId)
end
local expiresAt = meta[2] or ''
local fields = {'updatedAt', now}
if creating then
  fields[#fields + 1] = 'createdAt'
  fields[#fields + 1] = now
end
if status == 'open' then
  expiresAt = string.format('%d', tonumber(now) + tonumber(ARGV[6]) * 1000)
  fields[#fields + 1] = 'status'
  fields[#fields + 1] = 'open'
  fields[#fields + 1] = 'expiresAt'
  fields[#fields + 1] = expiresAt
  redis.call('ZADD', KEYS[4], expiresAt, cartId)
end
redis.call('HSET', KEYS[1], unpack(fields))
if revived then persistAll(KEYS[1], KEYS[2], KEYS[3], KEYS[5]) end
-- The cart as READ_CART_LUA would answer it (see cartState); a new one has only this line.
local lines, infos
if creating then
  lines = {productId, string.format('%d', quantity)}
  infos = {productId, ARGV[5]}
else
  lines = redis.call('HGETALL', KEYS[2])
  infos = redis.call('HGETALL', KEYS[3])
end
return {'OK', {status, expiresAt, meta[3] or '', lines, infos}, parts and 1 or 0}
`;

/**
 * The sweeper's step for one cart from the deadlines set: gives its holds back if it is open and
 * past its deadline. Several sweepers may call it for the same cart: the first one finds it open
 * and expires it, the others find it expired, so no unit is returned twice.
 *
 * A cart with parts in other shards gives back its home's holds and becomes `expiring`: Carts
 * then releases every part (PART_RELEASE_LUA) and ends it with FINISH_EXPIRY_LUA. It stays in the
 * deadlines set meanwhile, so a sweeper that finds it there again finishes what another began.
 *
 * One that another process began expiring less than `stalled ms` ago answers BUSY (it is on it).
 *
 * KEYS: 1 cart, 2 lines, 3 info, 4 deadlines, 5 shards
 * ARGV: 1 stock prefix, 2 cart id, 3 retention seconds, 4 '1' = now, due or not ('' = if due),
 *       5 stalled ms
 * Reply: {'EXPIRED', units} | {'EXPIRING', units, shard...} | {'NOT_DUE'} | {'GONE'} | {'BUSY'}
 *      | {'NOT_READY'}
 */
export const EXPIRE_CART_LUA = `${CART_LUA}
local floor = readyFloor()
if not floor then return {'NOT_READY'} end
local meta = redis.call('HMGET', KEYS[1], 'status', 'expiresAt', 'updatedAt')
if meta[1] == 'expiring' then
  if tonumber(shopNow()) - tonumber(meta[3]) < tonumber(ARGV[5]) then return {'BUSY'} end
  redis.call('HSET', KEYS[1], 'updatedAt', shopNow())
  local reply = {'EXPIRING', 0}
  for _, shard in ipairs(redis.call('SMEMBERS', KEYS[5])) do reply[#reply + 1] = shard end
  return reply
end
if meta[1] ~= 'open' then
  -- Checking out: FINISH or ABORT settles it; anything else is settled already.
  if meta[1] ~= 'checking-out' then redis.call('ZREM', KEYS[4], ARGV[2]) end
  return {'GONE'}
end
local now = shopNow()
if ARGV[4] ~= '1' and tonumber(meta[2]) > tonumber(now) then
  -- Touched meanwhile: keep the deadlines set in step with the cart.
  redis.call('ZADD', KEYS[4], meta[2], ARGV[2])
  return {'NOT_DUE'}
end
if redis.call('SCARD', KEYS[5]) > 0 then
  local units = releaseHolds(KEYS[2], floor, now, '')
  redis.call('HSET', KEYS[1], 'status', 'expiring', 'updatedAt', now)
  local reply = {'EXPIRING', units}
  for _, shard in ipairs(redis.call('SMEMBERS', KEYS[5])) do reply[#reply + 1] = shard end
  return reply
end
local units = expire(ARGV[2], KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[3], floor, now, '')
return {'EXPIRED', units}
`;

/**
 * The end of a cart's expiry across shards, once every part is released: `expired`, retired.
 * KEYS: 1 cart, 2 lines, 3 info, 4 deadlines, 5 shards. ARGV: 1 stock prefix, 2 cart id,
 *       3 retention seconds
 * Reply: {'EXPIRED'} | {'GONE'} (not expiring: another sweeper finished it)
 */
export const FINISH_EXPIRY_LUA = `${CART_LUA}
if redis.call('HGET', KEYS[1], 'status') ~= 'expiring' then return {'GONE'} end
redis.call('HSET', KEYS[1], 'status', 'expired', 'updatedAt', shopNow())
retire(ARGV[2], KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[3])
return {'EXPIRED'}
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
 * A cart with parts in other shards answers PARTS: Carts checks it out across the shards
 * (CHECKOUT_BEGIN_LUA and the steps after it).
 *
 * KEYS: 1 cart, 2 lines, 3 info, 4 deadlines, 5 checkout record, 6 order, 7 shards
 * ARGV: 1 stock prefix, 2 cart id, 3 order id, 4 fingerprint, 5 record TTL seconds,
 *       6 order.placed JSON, 7 cart digest (see cartDigest), 8 correlation id,
 *       9 retention seconds, 10 order TTL seconds
 * Reply: {'OK', orderId} | {'REPLAYED', orderId} | {'KEY_REUSED'} | {'NOT_READY'} | {'NOT_FOUND'}
 *      | {'CLOSED', orderId} | {'EMPTY'} | {'CHANGED'} | {'UNAVAILABLE', (id, available, wanted)...}
 *      | {'BUSY'} | {'PARTS'}
 */
export const CHECKOUT_CART_LUA = `${CART_LUA}
local floor = readyFloor()
if not floor then return {'NOT_READY'} end
local record = redis.call('HMGET', KEYS[5], 'fingerprint', 'orderId', 'state')
if record[1] then
  if record[1] ~= ARGV[4] then return {'KEY_REUSED'} end
  if record[3] == 'pending' then return {'PARTS'} end
  return {'REPLAYED', record[2]}
end
local meta = redis.call('HMGET', KEYS[1], 'status', 'orderId')
local status = meta[1]
if not status then return {'NOT_FOUND'} end
if status == 'ordered' then return {'CLOSED', meta[2]} end
if isBusy(status) then return {'BUSY'} end
if redis.call('SCARD', KEYS[7]) > 0 then return {'PARTS'} end
local lines = linesOf(KEYS[2])
if #lines == 0 then return {'EMPTY'} end
table.sort(lines, function(a, b) return tonumber(a[1]) < tonumber(b[1]) end)
local digest = {}
for _, line in ipairs(lines) do
  digest[#digest + 1] = line[1] .. '=' .. line[2] .. '=' .. (redis.call('HGET', KEYS[3], line[1]) or '')
end
if redis.sha1hex(table.concat(digest, '\\n')) ~= ARGV[7] then return {'CHANGED'} end
local own = status == 'open'
local failed, levels = missingOf(lines, own)
if failed then return failed end
local now = shopNow()
local cid = ARGV[8]
-- Every line is covered, so every product is known and its level was read just now.
for index, line in ipairs(lines) do
  local onHand, held, version = unpack(levels[index])
  local fromHolds = 0
  if own then fromHolds = math.min(line[2], held) end
  shopWriteLevel(levelKey(line[1]), outbox, line[1], onHand - line[2], held - fromHolds, version,
    floor, onHand - held, 'order', now, cid)
end
local orderId = ARGV[3]
redis.call('HSET', KEYS[1], 'status', 'ordered', 'orderId', orderId, 'updatedAt', now)
retire(ARGV[2], KEYS[1], KEYS[2], KEYS[3], KEYS[4], nil, ARGV[9])
redis.call('HSET', KEYS[6], 'status', 'pending', 'order', ARGV[6])
redis.call('EXPIRE', KEYS[6], ARGV[10])
redis.call('XADD', outbox, '*', 'type', 'order.placed', 'orderId', orderId, 'body', ARGV[6],
  'cid', cid)
redis.call('HSET', KEYS[5], 'fingerprint', ARGV[4], 'orderId', orderId)
redis.call('EXPIRE', KEYS[5], ARGV[5])
return {'OK', orderId}
`;

/**
 * The home's half of a line change for a product of another shard: checks the cart, lists the
 * shard among its parts (before the part is written, so no part exists that the home's expiry
 * would not release) and moves the deadline, as any touch of an open cart does.
 * KEYS: 1 cart, 2 deadlines, 3 shards. ARGV: 1 stock prefix, 2 cart id, 3 shard, 4 hold seconds,
 *       5 quantity
 * Reply: {'OK', 'open' | 'expired'} | {'NOT_FOUND'} | {'CLOSED', orderId} | {'BUSY'}
 *      | {'REVIVE'} (past its deadline, or expired and getting a quantity)
 */
export const HOME_TOUCH_LUA = `${CART_LUA}
local meta = redis.call('HMGET', KEYS[1], 'status', 'expiresAt', 'orderId')
local status = meta[1]
if not status then return {'NOT_FOUND'} end
if status == 'ordered' then return {'CLOSED', meta[3]} end
if isBusy(status) then return {'BUSY'} end
local now = shopNow()
if status == 'open' and tonumber(meta[2]) <= tonumber(now) then return {'REVIVE'} end
if status == 'expired' then
  if tonumber(ARGV[5]) > 0 then return {'REVIVE'} end
  return {'OK', 'expired'}
end
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('PERSIST', KEYS[3])
local expiresAt = string.format('%d', tonumber(now) + tonumber(ARGV[4]) * 1000)
redis.call('HSET', KEYS[1], 'updatedAt', now, 'expiresAt', expiresAt)
redis.call('ZADD', KEYS[2], expiresAt, ARGV[2])
return {'OK', 'open'}
`;

/**
 * A line change in a part (another shard than the cart's home), after HOME_TOUCH_LUA: holds or
 * releases the difference while the part is open. A missing part is made, open or released as
 * the home is.
 * With `check`, it only answers what it would do: Carts asks first, so a refused change leaves
 * the home untouched too.
 * KEYS: 1 part, 2 lines, 3 info
 * ARGV: 1 stock prefix, 2 product id, 3 quantity, 4 line info JSON, 5 correlation id,
 *       6 'put' | 'delete', 7 the home's status ('open' | 'expired'), 8 'check' | ''
 * Reply: {'OK'} | {'NOT_READY'} | {'CLOSED', orderId} | {'NO_LINE'} | {'NO_PRODUCT'}
 *      | {'UNAVAILABLE', id, available, wanted} | {'REVIVE'} (released, and getting a quantity)
 */
export const PART_SET_LINE_LUA = `${CART_LUA}
local floor = readyFloor()
if not floor then return {'NOT_READY'} end
local part = redis.call('HMGET', KEYS[1], 'status', 'orderId')
local status = part[1]
if status == 'ordered' then return {'CLOSED', part[2]} end
local productId = ARGV[2]
local quantity = tonumber(ARGV[3])
local current = tonumber(redis.call('HGET', KEYS[2], productId)) or 0
if ARGV[6] == 'delete' and current == 0 then return {'NO_LINE'} end
if quantity > 0 and not isKnown(productId) then return {'NO_PRODUCT'} end
if not status then status = ARGV[7] == 'open' and 'open' or 'released' end
if status == 'released' and quantity > 0 then return {'REVIVE'} end
local now = shopNow()
if status == 'open' then
  local failed = holdDifference(productId, current, quantity, floor, now, ARGV[5],
    ARGV[8] == 'check', quantity > 0)
  if failed then return failed end
end
if ARGV[8] == 'check' then return {'OK'} end
redis.call('HSET', KEYS[1], 'status', status)
if quantity > 0 then
  redis.call('HSET', KEYS[2], productId, string.format('%d', quantity))
  redis.call('HSETNX', KEYS[3], productId, ARGV[4])
else
  redis.call('HDEL', KEYS[2], productId)
  redis.call('HDEL', KEYS[3], productId)
end
if status == 'open' then persistAll(KEYS[1], KEYS[2], KEYS[3]) end
return {'OK'}
`;

/**
 * A part as it is now. KEYS: 1 part, 2 lines, 3 info. ARGV: 1 stock prefix (unused)
 * Reply: {status ('' for none), lines, infos} (flat HGETALL arrays)
 */
export const PART_READ_LUA = `${CART_LUA}
return {redis.call('HGET', KEYS[1], 'status') or '', redis.call('HGETALL', KEYS[2]),
  redis.call('HGETALL', KEYS[3])}
`;

/**
 * Holds a released part's lines again, all or nothing (a revival, or a checkout making sure every
 * part holds before anything is sold). An open part, or one sold to `orderId`, is left as it is;
 * a missing one is made open and empty.
 * KEYS: 1 part, 2 lines, 3 info. ARGV: 1 stock prefix, 2 correlation id, 3 order id ('' = none),
 *       4 product id of the change that revives ('' = none), 5 its quantity (see reholdWith)
 * Reply: {'OK'} | {'NOT_READY'} | {'CLOSED', orderId} | {'UNAVAILABLE', (id, available, wanted)...}
 */
export const PART_REHOLD_LUA = `${CART_LUA}
local floor = readyFloor()
if not floor then return {'NOT_READY'} end
local part = redis.call('HMGET', KEYS[1], 'status', 'orderId')
if part[1] == 'ordered' then
  if part[2] == ARGV[3] then return {'OK'} end
  return {'CLOSED', part[2]}
end
if part[1] == 'open' then return {'OK'} end
if part[1] == 'released' then
  local failed = reholdWith(KEYS[2], ARGV[4], ARGV[5], floor, shopNow(), ARGV[2])
  if failed then return failed end
end
redis.call('HSET', KEYS[1], 'status', 'open')
persistAll(KEYS[1], KEYS[2], KEYS[3])
return {'OK'}
`;

/**
 * Gives an open part's holds back (the cart's expiry, run for each part). A missing part is made
 * released, so a line change that was under way cannot hold units the expired cart keeps.
 * KEYS: 1 part, 2 lines, 3 info. ARGV: 1 stock prefix, 2 correlation id, 3 retention seconds
 * Reply: {'OK', units} | {'NOT_READY'}
 */
export const PART_RELEASE_LUA = `${CART_LUA}
local floor = readyFloor()
if not floor then return {'NOT_READY'} end
local status = redis.call('HGET', KEYS[1], 'status')
local units = 0
if status == 'open' then units = releaseHolds(KEYS[2], floor, shopNow(), ARGV[2]) end
if status == 'open' or not status then
  redis.call('HSET', KEYS[1], 'status', 'released')
  expireAll(ARGV[3], KEYS[1], KEYS[2], KEYS[3])
end
return {'OK', units}
`;

/**
 * Sells a part's held lines to `orderId` (the checkout across shards, once every part holds). The
 * same order again answers the same lines; a missing part is made sold and empty, so a line change
 * that was under way cannot hold units after the sale.
 * KEYS: 1 part, 2 lines, 3 info. ARGV: 1 stock prefix, 2 order id, 3 correlation id,
 *       4 retention seconds
 * Reply: {'OK', lines, infos} (what was sold) | {'NOT_READY'} | {'CLOSED', orderId}
 *      | {'RELEASED'} (it holds nothing: hold it again first)
 */
export const PART_SELL_LUA = `${CART_LUA}
local floor = readyFloor()
if not floor then return {'NOT_READY'} end
local part = redis.call('HMGET', KEYS[1], 'status', 'orderId')
if part[1] == 'ordered' and part[2] ~= ARGV[2] then return {'CLOSED', part[2]} end
if part[1] == 'released' then return {'RELEASED'} end
if part[1] ~= 'ordered' then
  sellHeld(KEYS[2], KEYS[3], floor, shopNow(), ARGV[3])
  redis.call('HSET', KEYS[1], 'status', 'ordered', 'orderId', ARGV[2])
  expireAll(ARGV[4], KEYS[1], KEYS[2], KEYS[3])
end
return {'OK', redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3])}
`;

/**
 * Whether one shard's lines of a cart could all be held from what can be sold now, with one line
 * set to a new quantity (a revival's question before it changes anything).
 * KEYS: 1 lines. ARGV: 1 stock prefix, 2 product id ('' = none), 3 its quantity (0 = without it)
 * Reply: {'OK'} | {'UNAVAILABLE', (id, available, wanted)...}
 */
export const LINES_AVAILABLE_LUA = `${CART_LUA}
local wanted = {}
for _, line in ipairs(linesOf(KEYS[1])) do
  if line[1] ~= ARGV[2] then wanted[#wanted + 1] = line end
end
if ARGV[2] ~= '' and tonumber(ARGV[3]) > 0 then
  wanted[#wanted + 1] = {ARGV[2], tonumber(ARGV[3])}
end
return missingOf(wanted) or {'OK'}
`;

/**
 * Brings an expired cart with parts back to life, its home's lines first (all or nothing): open
 * again with a new deadline, so if holding a part's lines then fails, or the process stops, the
 * deadline gives everything back. An open cart is left as it is.
 * KEYS: 1 cart, 2 lines, 3 info, 4 deadlines, 5 shards
 * ARGV: 1 stock prefix, 2 cart id, 3 hold seconds, 4 correlation id, 5 product id of the change
 *       that revives ('' = none), 6 its quantity (see reholdWith)
 * Reply: {'OK', shard...} | {'NOT_READY'} | {'NOT_FOUND'} | {'CLOSED', orderId} | {'BUSY'}
 *      | {'UNAVAILABLE', (id, available, wanted)...}
 */
export const HOME_REVIVE_LUA = `${CART_LUA}
local floor = readyFloor()
if not floor then return {'NOT_READY'} end
local meta = redis.call('HMGET', KEYS[1], 'status', 'orderId')
local status = meta[1]
if not status then return {'NOT_FOUND'} end
if status == 'ordered' then return {'CLOSED', meta[2]} end
if isBusy(status) then return {'BUSY'} end
local now = shopNow()
if status == 'expired' then
  local failed = reholdWith(KEYS[2], ARGV[5], ARGV[6], floor, now, ARGV[4])
  if failed then return failed end
  local expiresAt = string.format('%d', tonumber(now) + tonumber(ARGV[3]) * 1000)
  redis.call('HSET', KEYS[1], 'status', 'open', 'updatedAt', now, 'expiresAt', expiresAt)
  redis.call('ZADD', KEYS[4], expiresAt, ARGV[2])
  persistAll(KEYS[1], KEYS[2], KEYS[3], KEYS[5])
end
local reply = {'OK'}
for _, shard in ipairs(redis.call('SMEMBERS', KEYS[5])) do reply[#reply + 1] = shard end
return reply
`;

/**
 * The start of a checkout of a cart with parts: the Idempotency-Key is recorded as pending with
 * what the order needs (so the sweeper can finish it if this process stops), and the cart becomes
 * `checking-out`: no line changes, no expiry, until FINISH or ABORT. An open cart past its
 * deadline is still open (the sweeper has not come by): it sells from its holds.
 * KEYS: 1 cart, 2 lines, 3 info, 4 checkout record, 5 checkouts, 6 shards
 * ARGV: 1 stock prefix, 2 cart id, 3 order id, 4 fingerprint, 5 record TTL seconds,
 *       6 input JSON, 7 Idempotency-Key
 * Reply: {'BEGUN' | 'PENDING', orderId, placedAt, shards, lines, infos} | {'REPLAYED', orderId}
 *      | {'KEY_REUSED'} | {'NOT_READY'} | {'NOT_FOUND'} | {'CLOSED', orderId} | {'BUSY'}
 *      | {'REVIVE'} (expired: bring it back first)
 *   PENDING: this key's checkout is under way (or was left half done): finish it.
 */
export const CHECKOUT_BEGIN_LUA = `${CART_LUA}
local floor = readyFloor()
if not floor then return {'NOT_READY'} end
local record = redis.call('HMGET', KEYS[4], 'fingerprint', 'orderId', 'state', 'placedAt')
if record[1] then
  if record[1] ~= ARGV[4] then return {'KEY_REUSED'} end
  if record[3] ~= 'pending' then return {'REPLAYED', record[2]} end
  return {'PENDING', record[2], record[4], redis.call('SMEMBERS', KEYS[6]),
    redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3])}
end
local meta = redis.call('HMGET', KEYS[1], 'status', 'orderId')
local status = meta[1]
if not status then return {'NOT_FOUND'} end
if status == 'ordered' then return {'CLOSED', meta[2]} end
if isBusy(status) then return {'BUSY'} end
if status == 'expired' then return {'REVIVE'} end
local now = shopNow()
redis.call('HSET', KEYS[1], 'status', 'checking-out', 'orderId', ARGV[3], 'updatedAt', now)
redis.call('HSET', KEYS[4], 'fingerprint', ARGV[4], 'orderId', ARGV[3], 'state', 'pending',
  'cartId', ARGV[2], 'input', ARGV[6], 'placedAt', now)
redis.call('EXPIRE', KEYS[4], ARGV[5])
redis.call('ZADD', KEYS[5], now, ARGV[7])
return {'BEGUN', ARGV[3], now, redis.call('SMEMBERS', KEYS[6]), redis.call('HGETALL', KEYS[2]),
  redis.call('HGETALL', KEYS[3])}
`;

/**
 * The end of a checkout across shards, once every part is sold: the home's own lines sold, the
 * cart closed, the pending order stored, `order.placed` appended to the home's outbox, the key
 * recorded as done. Again for the same order: nothing more.
 * KEYS: 1 cart, 2 lines, 3 info, 4 deadlines, 5 checkout record, 6 checkouts, 7 order, 8 shards
 * ARGV: 1 stock prefix, 2 cart id, 3 order id, 4 order.placed JSON, 5 correlation id,
 *       6 retention seconds, 7 order TTL seconds, 8 Idempotency-Key
 * Reply: {'OK'} | {'NOT_READY'} | {'LOST', status} (not checking out this order)
 */
export const CHECKOUT_FINISH_LUA = `${CART_LUA}
local floor = readyFloor()
if not floor then return {'NOT_READY'} end
local meta = redis.call('HMGET', KEYS[1], 'status', 'orderId')
if meta[2] == ARGV[3] and meta[1] == 'ordered' then return {'OK'} end
if meta[2] ~= ARGV[3] or meta[1] ~= 'checking-out' then return {'LOST', meta[1] or ''} end
local now = shopNow()
sellHeld(KEYS[2], KEYS[3], floor, now, ARGV[5])
redis.call('HSET', KEYS[1], 'status', 'ordered', 'updatedAt', now)
retire(ARGV[2], KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[8], ARGV[6])
redis.call('HSET', KEYS[7], 'status', 'pending', 'order', ARGV[4])
redis.call('EXPIRE', KEYS[7], ARGV[7])
redis.call('XADD', outbox, '*', 'type', 'order.placed', 'orderId', ARGV[3], 'body', ARGV[4],
  'cid', ARGV[5])
redis.call('HSET', KEYS[5], 'state', 'done')
redis.call('ZREM', KEYS[6], ARGV[8])
return {'OK'}
`;

/**
 * Calls off a checkout across shards before anything was sold (a part could not hold its lines
 * again): the cart is open again and the key forgotten, so a retry is judged afresh.
 * KEYS: 1 cart, 2 checkout record, 3 checkouts. ARGV: 1 stock prefix, 2 order id,
 *       3 Idempotency-Key
 * Reply: {'OK'}
 */
export const CHECKOUT_ABORT_LUA = `${CART_LUA}
local meta = redis.call('HMGET', KEYS[1], 'status', 'orderId')
if meta[1] == 'checking-out' and meta[2] == ARGV[2] then
  redis.call('HSET', KEYS[1], 'status', 'open')
  redis.call('HDEL', KEYS[1], 'orderId')
end
if redis.call('HGET', KEYS[2], 'orderId') == ARGV[2] then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[3], ARGV[3])
return {'OK'}
`;

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

export interface CartScriptCommands {
  shopCartCreate: ScriptCommand;
  shopCartRead: ScriptCommand;
  shopCartSetLine: ScriptCommand;
  shopCartExpire: ScriptCommand;
  shopCartFinishExpiry: ScriptCommand;
  shopCartCheckout: ScriptCommand;
  shopCartHomeTouch: ScriptCommand;
  shopCartHomeRevive: ScriptCommand;
  shopCartPartSetLine: ScriptCommand;
  shopCartPartRead: ScriptCommand;
  shopCartPartRehold: ScriptCommand;
  shopCartPartRelease: ScriptCommand;
  shopCartPartSell: ScriptCommand;
  shopCartCheckoutBegin: ScriptCommand;
  shopCartCheckoutFinish: ScriptCommand;
  shopCartCheckoutAbort: ScriptCommand;
  shopCartLinesAvailable: ScriptCommand;
}

const definitions: Record<keyof CartScriptCommands, { lua: string; numberOfKeys: number }> = {
  shopCartCreate: { lua: CREATE_CART_LUA, numberOfKeys: 2 },
  shopCartRead: { lua: READ_CART_LUA, numberOfKeys: 4 },
  shopCartSetLine: { lua: SET_CART_LINE_LUA, numberOfKeys: 5 },
  shopCartExpire: { lua: EXPIRE_CART_LUA, numberOfKeys: 5 },
  shopCartFinishExpiry: { lua: FINISH_EXPIRY_LUA, numberOfKeys: 5 },
  shopCartCheckout: { lua: CHECKOUT_CART_LUA, numberOfKeys: 7 },
  shopCartHomeTouch: { lua: HOME_TOUCH_LUA, numberOfKeys: 3 },
  shopCartHomeRevive: { lua: HOME_REVIVE_LUA, numberOfKeys: 5 },
  shopCartPartSetLine: { lua: PART_SET_LINE_LUA, numberOfKeys: 3 },
  shopCartPartRead: { lua: PART_READ_LUA, numberOfKeys: 3 },
  shopCartPartRehold: { lua: PART_REHOLD_LUA, numberOfKeys: 3 },
  shopCartPartRelease: { lua: PART_RELEASE_LUA, numberOfKeys: 3 },
  shopCartPartSell: { lua: PART_SELL_LUA, numberOfKeys: 3 },
  shopCartCheckoutBegin: { lua: CHECKOUT_BEGIN_LUA, numberOfKeys: 6 },
  shopCartCheckoutFinish: { lua: CHECKOUT_FINISH_LUA, numberOfKeys: 8 },
  shopCartCheckoutAbort: { lua: CHECKOUT_ABORT_LUA, numberOfKeys: 3 },
  shopCartLinesAvailable: { lua: LINES_AVAILABLE_LUA, numberOfKeys: 1 },
};

/** Defines the scripts on `redis` and returns it typed with them (see withStockScripts). */
export function withCartScripts(redis: RedisClient): CartScriptCommands {
  for (const [name, definition] of Object.entries(definitions)) {
    redis.defineCommand(name, definition);
  }
  return redis as unknown as CartScriptCommands;
}
