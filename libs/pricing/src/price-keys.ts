import { DEFAULT_STOCK_KEY_PREFIX, StockKeys, type StockShardKeys } from '@shop/stock';

/**
 * Redis layout of live prices. Every key the pricing lib touches is named here and nowhere else.
 * Prices live next to the stock ledger, under its prefix and hash tag (`<p>`, default
 * `stock:{shop}:`), because their scripts append to the ledger's outbox stream and read its ready
 * marker and known-ids registry.
 *
 * | key                         | type   | content                                                  |
 * |-----------------------------|--------|----------------------------------------------------------|
 * | `<p>price:<id>`             | hash   | `price`, `sale` (cents; sale '' = none), `start`, `end`  |
 * |                             |        | (epoch ms; '' = none), `version`, `updatedAt` (epoch ms) |
 * | `<p>price:schedule`         | zset   | member = product id, score = epoch ms of its next sale   |
 * |                             |        | start or end; absent = nothing scheduled                 |
 * | `<p>price:scheduler-lease`  | string | owner token of the one scheduler allowed to run (PX)     |
 * | `<p>outbox`, `<p>ready`,    |        | the stock ledger's (see libs/stock stock-keys.ts): price |
 * | `<p>known-ids`              |        | entries carry `type price.changed`                       |
 *
 * A product without a price hash has never been changed through the price route since Redis was
 * last filled: its price is MySQL's, which the first change reads (see README).
 *
 * With several stock shards, a price lives in its product's shard (its outbox, ready marker and
 * known ids), and so does its place in the schedule: each shard has one. The scheduler's one
 * lease is shard 0's; that scheduler runs every shard's schedule.
 */
/** The price keys of one stock shard. */
export class PriceShardKeys {
  readonly schedule: string;
  readonly outbox: string;
  readonly ready: string;
  readonly knownIds: string;
  /** SCAN pattern matching the shard's price hashes (and its schedule and lease: see `priceId`). */
  readonly priceKeys: string;

  constructor(readonly stock: StockShardKeys) {
    this.schedule = `${stock.tagged}price:schedule`;
    this.outbox = stock.outbox;
    this.ready = stock.ready;
    this.knownIds = stock.knownIds;
    this.priceKeys = `${stock.tagged}price:*`;
  }

  price(id: number): string {
    return `${this.stock.tagged}price:${id}`;
  }

  /** The product id of a price hash's key (`price(id)`'s inverse); null for any other key. */
  priceId(key: string): number | null {
    const match = /^price:([1-9][0-9]*)$/.exec(
      key.startsWith(this.stock.tagged) ? key.slice(this.stock.tagged.length) : '',
    );
    return match ? Number(match[1]) : null;
  }
}

export class PriceKeys {
  readonly stock: StockKeys;
  readonly shards: readonly PriceShardKeys[];
  readonly schedulerLease: string;

  constructor(prefix: string = DEFAULT_STOCK_KEY_PREFIX, shardCount = 1) {
    this.stock = new StockKeys(prefix, shardCount);
    this.shards = this.stock.shards.map((shard) => new PriceShardKeys(shard));
    this.schedulerLease = `${this.stock.shards[0].tagged}price:scheduler-lease`;
  }

  /** The price keys of the shard that holds product `id`. */
  forProduct(id: number): PriceShardKeys {
    return this.shards[this.stock.shardOf(id)];
  }

  price(id: number): string {
    return this.forProduct(id).price(id);
  }
}
