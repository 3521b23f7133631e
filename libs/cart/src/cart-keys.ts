import { randomFillSync } from 'node:crypto';
import { OPAQUE_ID_PATTERN } from '@shop/contracts';
import { isValidKeyPrefix, isValidShardCount, MAX_STOCK_SHARDS, shardHashTag } from '@shop/stock';

/**
 * Redis layout of carts, checkouts and pending orders; `<p>` is the key prefix (default `shop:`,
 * tests pass a random one) followed by the hash tag of a stock shard (see libs/stock
 * stock-keys.ts; `{shop}` with one shard). A hold changes a cart and a level in one Lua step, so a
 * cart's keys share the tag of the shard whose levels they hold.
 *
 * Every cart has a home shard, worked out from its id (`homeOf`), where its own keys live: the
 * cart hash, the lines of its products of that shard, its deadline, its checkouts and its orders
 * (an order id is drawn so that it has the same home). With several shards, the lines of products
 * of another shard live in that shard, as a part (`part`, `lines`, `info` there), and the home
 * lists those shards (`shards`). One shard (the default) is the layout from before shards.
 *
 * | key                         | type   | content                                                 |
 * |-----------------------------|--------|---------------------------------------------------------|
 * | `<p>cart:<id>`              | hash   | `status` (open, expired, ordered; with parts also       |
 * |                             |        | checking-out, expiring), `createdAt`, `updatedAt`,      |
 * |                             |        | `expiresAt` (epoch ms), `orderId`                       |
 * | `<p>cart:<id>:lines`        | hash   | product id → quantity (held while the cart is open)     |
 * | `<p>cart:<id>:info`         | hash   | product id → JSON `{ name, unitPriceCents }` as it was  |
 * |                             |        | when the line was added                                 |
 * | `<p>cart:<id>:shards`       | set    | in the home: the other shards that have a part          |
 * | `<p>cart:<id>:part`         | hash   | in another shard: `status` of its lines (open, released,|
 * |                             |        | ordered), `orderId`                                     |
 * | `<p>cart-deadlines`         | zset   | cart id, score = expiresAt: the sweeper's work list     |
 * | `<p>checkouts`              | zset   | Idempotency-Key of a checkout of a cart with parts that |
 * |                             |        | is under way, score = its start: the sweeper completes  |
 * |                             |        | one its process left half done                          |
 * | `<p>checkout:<key>`         | hash   | `fingerprint` (cart id + body hash), `orderId` of the   |
 * |                             |        | first checkout with this Idempotency-Key; EXPIRE 24 h.  |
 * |                             |        | With parts also `state` (pending, done), `cartId`,      |
 * |                             |        | `input` (email and address JSON), `placedAt`            |
 * | `<p>order:<id>`             | hash   | `status` (pending), `order` (the order.placed JSON);    |
 * |                             |        | EXPIRE 30 days, an hour once MySQL has the order        |
 *
 * An open cart's keys have no TTL (its holds must be returned by the sweeper, not vanish); once
 * expired or ordered they get one (CART_RETENTION_SECONDS), and so do its parts.
 */
export const DEFAULT_CART_KEY_PREFIX = 'shop:';

/** The cart keys of one stock shard. */
export class CartShardKeys {
  readonly deadlines: string;
  readonly checkouts: string;
  /** The prefix and the shard's hash tag: what every key of the shard starts with. */
  private readonly tagged: string;

  constructor(
    prefix: string,
    readonly index: number,
    count: number,
  ) {
    this.tagged = `${prefix}${shardHashTag(index, count)}:`;
    this.deadlines = `${this.tagged}cart-deadlines`;
    this.checkouts = `${this.tagged}checkouts`;
  }

  cart(id: string): string {
    return `${this.tagged}cart:${id}`;
  }

  lines(id: string): string {
    return `${this.tagged}cart:${id}:lines`;
  }

  info(id: string): string {
    return `${this.tagged}cart:${id}:info`;
  }

  shards(id: string): string {
    return `${this.tagged}cart:${id}:shards`;
  }

  part(id: string): string {
    return `${this.tagged}cart:${id}:part`;
  }

  checkout(idempotencyKey: string): string {
    return `${this.tagged}checkout:${idempotencyKey}`;
  }

  order(id: string): string {
    return `${this.tagged}order:${id}`;
  }
}

export class CartKeys {
  readonly shards: readonly CartShardKeys[];

  constructor(
    readonly prefix: string = DEFAULT_CART_KEY_PREFIX,
    readonly shardCount = 1,
  ) {
    if (!isValidKeyPrefix(prefix)) {
      throw new Error(`Invalid cart key prefix ${JSON.stringify(prefix)}`);
    }
    if (!isValidShardCount(shardCount)) {
      throw new RangeError(`Stock shards must be 1 to ${MAX_STOCK_SHARDS}, got ${shardCount}`);
    }
    this.shards = Array.from(
      { length: shardCount },
      (_, index) => new CartShardKeys(prefix, index, shardCount),
    );
  }

  /** The home shard of a cart or order id (its last 8 hex digits, modulo the shard count). */
  homeOf(id: string): number {
    return this.shardCount === 1 ? 0 : Number.parseInt(id.slice(-8), 16) % this.shardCount;
  }

  /** The keys of the home shard of cart or order `id`. */
  home(id: string): CartShardKeys {
    return this.shards[this.homeOf(id)];
  }
}

// Random bytes drawn 4 KiB at a time: one call into the CSPRNG per 256 ids rather than one per
// id (2 µs each, measured), as node's randomUUID does. Every byte is used once.
const randomPool = Buffer.alloc(4096);
let randomPoolOffset = randomPool.length;

/** 128 random bits as 32 lowercase hex digits: cart and order ids. */
export function newOpaqueId(): string {
  if (randomPoolOffset + 16 > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const id = randomPool.toString('hex', randomPoolOffset, randomPoolOffset + 16);
  randomPoolOffset += 16;
  return id;
}

/** Whether `raw` can be a cart or order id (anything else is a 404, never a Redis key). */
export function isOpaqueId(raw: unknown): raw is string {
  return typeof raw === 'string' && OPAQUE_ID_PATTERN.test(raw);
}
