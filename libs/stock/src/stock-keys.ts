import { REDIS_CLUSTER_SLOTS, redisSlot, SHOP_HASH_TAG } from '@shop/redis';

/**
 * Redis layout of the stock ledger. Every key the stock lib touches is named here and nowhere
 * else; `<p>` is the key prefix (default `stock:`, tests pass a random one to isolate themselves)
 * followed by the hash tag of the product's shard (`stock:{shop}:level:7`; see `shardHashTag`).
 *
 * Products are spread over STOCK_SHARDS shards by id (`id mod shards`). Each shard has every key
 * below for its own products: its levels, known ids, ready marker, outbox and relay lease, all
 * under one hash tag, so each script runs in one Redis Cluster slot and the shards' slots spread
 * the writes over the masters. One shard (the default) is the layout from before shards:
 * `{shop}`, the tag the carts and prices share.
 *
 * | key                        | type   | content                                                   |
 * |----------------------------|--------|-----------------------------------------------------------|
 * | `<p>level:<id>`            | hash   | `stock` (on hand), `held` (by open carts; absent = 0),    |
 * |                            |        | `version`, `updatedAt` (epoch ms, Redis clock). What can  |
 * |                            |        | be sold, `stock` everywhere else, is `stock - held`       |
 * | `<p>known-ids`             | zset   | product ids the catalog has, member = score = id (so the  |
 * |                            |        | reconciler can page through them in id order)             |
 * | `<p>ready`                 | string | version floor of the ledger's epoch (see stock-version.ts |
 * |                            |        | in contracts; a date from before epochs reads as 0). When |
 * |                            |        | Redis comes back empty the marker is missing and reads    |
 * |                            |        | and writes are refused until the ledger is restored       |
 * | `<p>restoring`             | set    | tokens of restores in progress (PEXPIRE); `markReady`     |
 * |                            |        | with a token only succeeds while it is still there, so a  |
 * |                            |        | flush in the middle of a restore is never marked ready    |
 * | `<p>outbox`                | stream | pending change events, fields `id stock delta version     |
 * |                            |        | reason at onHand held cid` (at = epoch ms, cid = request  |
 * |                            |        | id or ''; stock = sellable), and the checkouts'           |
 * |                            |        | `order.placed` (fields `type orderId body cid`)           |
 * |                            |        | Never capped: the relay XDELs                             |
 * |                            |        | an entry only after the broker confirmed it               |
 * | `<p>outbox:malformed`      | stream | entries the relay could not parse, kept for a human       |
 * | `<p>outbox:relay-lease`    | string | owner token of the one relay allowed to publish (PX)      |
 * | `<p>idem:<key>`            | hash   | `fingerprint` (`id:action:amount`), `stock`, `version` of |
 * |                            |        | the first answer to an Idempotency-Key; EXPIRE 24 h. In   |
 * |                            |        | the product's shard                                       |
 * | `<p>idem-claim:<s>:<key>`  | string | with several shards, in the shard of the key itself: the  |
 * |                            |        | fingerprint the key is bound to, so a key reused for a    |
 * |                            |        | product (or cart) of another shard is still refused;      |
 * |                            |        | `<s>` = stock or checkout                                 |
 *
 * A product that is known but has no level hash has never changed: stock 0, version 0.
 * The Lua scripts touch several of these keys (and the carts' and prices' keys) at once: the hash
 * tag puts them all in one slot, so they run on a Redis Cluster too, on the master of that slot.
 * An event stays in its product's shard, so one relay per shard keeps each product's order.
 */
export const DEFAULT_STOCK_KEY_PREFIX = 'stock:';
/** STOCK_SHARDS' upper bound: each shard costs a relay loop and a blocking connection. */
export const MAX_STOCK_SHARDS = 64;

/**
 * A prefix is text before the hash tag: no glob characters (keys are found with SCAN patterns),
 * no braces (a brace would move the hash tag), no white space.
 */
export function isValidKeyPrefix(prefix: string): boolean {
  return prefix.length > 0 && !/[*?[\]{}\s]/.test(prefix);
}

const shardTags = new Map<string, string>();

/**
 * The hash tag of shard `index` of `count`: the shop's own (`{shop}`) when there is one shard, so
 * a single-shard ledger keeps the keys it had before shards. Otherwise `{shop-<index>}`, or
 * `{shop-<index>-<n>}` with the first `n` that puts it in the shard's own band of slots (the
 * slots cut into `count` equal runs): a cluster made with `redis-cli --cluster create` gives its
 * masters equal runs too, so shards spread evenly over them (CRC16 alone put 4 of 6 on one).
 */
export function shardHashTag(index: number, count: number): string {
  const id = `${index}/${count}`;
  let tag = shardTags.get(id);
  if (tag === undefined) {
    tag = findShardHashTag(index, count);
    shardTags.set(id, tag);
  }
  return tag;
}

function findShardHashTag(index: number, count: number): string {
  if (count === 1) return SHOP_HASH_TAG;
  const first = Math.ceil((index * REDIS_CLUSTER_SLOTS) / count) + 1;
  const last = Math.floor(((index + 1) * REDIS_CLUSTER_SLOTS) / count) - 1;
  const inBand = (tag: string): boolean => {
    const slot = redisSlot(tag);
    return first <= slot && slot <= last;
  };
  if (inBand(`shop-${index}`)) return `{shop-${index}}`;
  for (let n = 1; ; n += 1) {
    if (inBand(`shop-${index}-${n}`)) return `{shop-${index}-${n}}`;
  }
}

/** Whether `count` can be STOCK_SHARDS. */
export function isValidShardCount(count: number): boolean {
  return Number.isSafeInteger(count) && count >= 1 && count <= MAX_STOCK_SHARDS;
}

/** The keys of one shard: its products' levels and idempotency records, and its own streams. */
export class StockShardKeys {
  readonly knownIds: string;
  readonly ready: string;
  readonly restoring: string;
  readonly outbox: string;
  readonly outboxMalformed: string;
  readonly relayLease: string;
  /** SCAN pattern matching every level hash of this shard (the reconciler looks for orphans). */
  readonly levels: string;
  /** What a level hash's key is before its product id (scripts that read many build them). */
  readonly levelPrefix: string;
  /** The prefix and the shard's hash tag: what every key of the shard starts with. */
  readonly tagged: string;

  constructor(
    prefix: string,
    readonly index: number,
    count: number,
  ) {
    this.tagged = `${prefix}${shardHashTag(index, count)}:`;
    this.knownIds = `${this.tagged}known-ids`;
    this.ready = `${this.tagged}ready`;
    this.restoring = `${this.tagged}restoring`;
    this.outbox = `${this.tagged}outbox`;
    this.outboxMalformed = `${this.tagged}outbox:malformed`;
    this.relayLease = `${this.tagged}outbox:relay-lease`;
    this.levelPrefix = `${this.tagged}level:`;
    this.levels = `${this.levelPrefix}*`;
  }

  level(id: number): string {
    return `${this.levelPrefix}${id}`;
  }

  /** The product id of a level hash's key (`level(id)`'s inverse); null for any other key. */
  levelId(key: string): number | null {
    const match = /^level:([1-9][0-9]*)$/.exec(
      key.startsWith(this.tagged) ? key.slice(this.tagged.length) : '',
    );
    return match ? Number(match[1]) : null;
  }

  idempotency(key: string): string {
    return `${this.tagged}idem:${key}`;
  }

  /** With several shards: which request an Idempotency-Key is bound to (IdempotencyClaims). */
  idempotencyClaim(key: string): string {
    return `${this.tagged}idem-claim:${key}`;
  }
}

export class StockKeys {
  readonly shards: readonly StockShardKeys[];
  /** SCAN pattern matching every key of this ledger, every shard (tests clean up with it). */
  readonly everything: string;

  constructor(
    readonly prefix: string = DEFAULT_STOCK_KEY_PREFIX,
    readonly shardCount = 1,
  ) {
    if (!isValidKeyPrefix(prefix)) {
      throw new Error(`Invalid stock key prefix ${JSON.stringify(prefix)}`);
    }
    if (!isValidShardCount(shardCount)) {
      throw new RangeError(`Stock shards must be 1 to ${MAX_STOCK_SHARDS}, got ${shardCount}`);
    }
    this.shards = Array.from(
      { length: shardCount },
      (_, index) => new StockShardKeys(prefix, index, shardCount),
    );
    this.everything = `${prefix}*`;
  }

  /** Which shard holds product `id`: consecutive ids go to consecutive shards. */
  shardOf(id: number): number {
    return id % this.shardCount;
  }

  /** The keys of the shard that holds product `id`. */
  forProduct(id: number): StockShardKeys {
    return this.shards[this.shardOf(id)];
  }

  level(id: number): string {
    return this.forProduct(id).level(id);
  }

  /** Positions in `ids` grouped by the shard of the id there (each shard's calls take a group). */
  positionsByShard(ids: readonly number[]): Map<number, number[]> {
    const groups = new Map<number, number[]>();
    ids.forEach((id, position) => {
      const shard = this.shardOf(id);
      const group = groups.get(shard);
      if (group) group.push(position);
      else groups.set(shard, [position]);
    });
    return groups;
  }
}
