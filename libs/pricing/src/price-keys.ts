import { DEFAULT_STOCK_KEY_PREFIX, StockKeys } from '@shop/stock';

/**
 * Redis layout of live prices. Every key the pricing lib touches is named here and nowhere else.
 * Prices live next to the stock ledger, under its prefix (`<p>`, default `stock:`), because their
 * scripts append to the ledger's outbox stream and read its ready marker and known-ids registry.
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

  constructor(readonly prefix: string = DEFAULT_STOCK_KEY_PREFIX) {
    this.stock = new StockKeys(prefix);
    this.schedule = `${prefix}price:schedule`;
    this.schedulerLease = `${prefix}price:scheduler-lease`;
    this.outbox = this.stock.outbox;
    this.ready = this.stock.ready;
    this.knownIds = this.stock.knownIds;
  }

  price(id: number): string {
    return `${this.prefix}price:${id}`;
  }
}
