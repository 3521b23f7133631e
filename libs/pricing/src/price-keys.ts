import { DEFAULT_STOCK_KEY_PREFIX, StockKeys } from '@shop/stock';

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
 */
export class PriceKeys {
  readonly stock: StockKeys;
  readonly schedule: string;
  readonly schedulerLease: string;
  readonly outbox: string;
  readonly ready: string;
  readonly knownIds: string;
  /** SCAN pattern matching the price hashes (and the schedule and lease: see `priceId`). */
  readonly priceKeys: string;

  constructor(readonly prefix: string = DEFAULT_STOCK_KEY_PREFIX) {
    this.stock = new StockKeys(prefix);
    this.schedule = `${this.stock.tagged}price:schedule`;
    this.schedulerLease = `${this.stock.tagged}price:scheduler-lease`;
    this.outbox = this.stock.outbox;
    this.ready = this.stock.ready;
    this.knownIds = this.stock.knownIds;
    this.priceKeys = `${this.stock.tagged}price:*`;
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
