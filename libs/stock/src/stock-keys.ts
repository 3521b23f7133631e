import { SHOP_HASH_TAG } from '@shop/redis';

/**
 * Redis layout of the stock ledger. Every key the stock lib touches is named here and nowhere
 * else; `<p>` is the key prefix (default `stock:`, tests pass a random one to isolate themselves)
 * followed by the shop's hash tag (`stock:{shop}:level:7`; see SHOP_HASH_TAG).
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
 * |                            |        | the first answer to an Idempotency-Key; EXPIRE 24 h       |
 *
 * A product that is known but has no level hash has never changed: stock 0, version 0.
 * The Lua scripts touch several of these keys (and the carts' and prices' keys) at once: the hash
 * tag puts them all in one slot, so they run on a Redis Cluster too, on the master of that slot.
 */
export const DEFAULT_STOCK_KEY_PREFIX = 'stock:';

/**
 * A prefix is text before the hash tag: no glob characters (keys are found with SCAN patterns),
 * no braces (a brace would move the hash tag), no white space.
 */
export function isValidKeyPrefix(prefix: string): boolean {
  return prefix.length > 0 && !/[*?[\]{}\s]/.test(prefix);
}

/** `prefix` followed by the shop's hash tag: the start of every ledger, cart and price key. */
export function taggedKeyPrefix(prefix: string): string {
  return `${prefix}${SHOP_HASH_TAG}:`;
}

export class StockKeys {
  readonly knownIds: string;
  readonly ready: string;
  readonly restoring: string;
  readonly outbox: string;
  readonly outboxMalformed: string;
  readonly relayLease: string;
  /** SCAN pattern matching every key of this ledger (tests clean up with it). */
  readonly everything: string;
  /** SCAN pattern matching every level hash (the reconciler looks for orphans with it). */
  readonly levels: string;

  /** The prefix and the hash tag: what every key starts with. */
  readonly tagged: string;

  constructor(readonly prefix: string = DEFAULT_STOCK_KEY_PREFIX) {
    if (!isValidKeyPrefix(prefix)) {
      throw new Error(`Invalid stock key prefix ${JSON.stringify(prefix)}`);
    }
    this.tagged = taggedKeyPrefix(prefix);
    this.knownIds = `${this.tagged}known-ids`;
    this.ready = `${this.tagged}ready`;
    this.restoring = `${this.tagged}restoring`;
    this.outbox = `${this.tagged}outbox`;
    this.outboxMalformed = `${this.tagged}outbox:malformed`;
    this.relayLease = `${this.tagged}outbox:relay-lease`;
    this.everything = `${prefix}*`;
    this.levels = `${this.tagged}level:*`;
  }

  level(id: number): string {
    return `${this.tagged}level:${id}`;
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
}
