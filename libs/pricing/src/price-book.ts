import { parseProductId, type ProductPrice, type ProductSale } from '@shop/contracts';
import { LedgerNotReadyError, LedgerUnavailableError } from '@shop/stock';
import { ReplicaWait, scanKeys, type RedisClient } from '@shop/redis';
import { fromCents, type PriceChange, type PriceState, effectivePriceCents } from './price-change';
import {
  InvalidPriceRequestError,
  PriceConflictError,
  PriceNotFoundError,
  PricingError,
} from './price-errors';
import { PriceKeys, type PriceShardKeys } from './price-keys';
import { PriceScriptCommands, withPriceScripts } from './price-scripts';

/** MySQL's price state of a product (the catalog's row), for products Redis has no hash of. */
export interface PriceBaseRow extends PriceState {
  version: number;
}

/** Where the first change of a product reads its current price: MySQL (see README). */
export interface PriceBaseSource {
  /** null when MySQL has no such product. */
  priceBase(id: number): Promise<PriceBaseRow | null>;
}

/** MySQL's price row (persistence's ProductPriceRow) in the book's terms: cents, epoch ms. */
export function toPriceBase(row: {
  price: number;
  sale: ProductSale | null;
  version: number;
}): PriceBaseRow {
  return {
    priceCents: Math.round(row.price * 100),
    saleCents: row.sale ? Math.round(row.sale.price * 100) : null,
    startsAt: row.sale?.startsAt ? Date.parse(row.sale.startsAt) : null,
    endsAt: row.sale?.endsAt ? Date.parse(row.sale.endsAt) : null,
    version: row.version,
  };
}

/** MySQL's product prices as persistence's ProductRepository reads them. */
export interface ProductPriceReader {
  findPrice(id: number): Promise<Parameters<typeof toPriceBase>[0] | null>;
}

/** The base every process reads a product's first price change from: MySQL's row. */
export function mysqlPriceBase(products: ProductPriceReader): PriceBaseSource {
  return {
    priceBase: async (id) => {
      const row = await products.findPrice(id);
      return row ? toPriceBase(row) : null;
    },
  };
}

export interface PriceBookOptions {
  /** The stock ledger's key prefix, default `stock:` (see price-keys.ts). */
  keyPrefix?: string;
  /** STOCK_SHARDS, default 1: prices live in their product's shard. */
  shards?: number;
}

/** A product's price as Redis holds it (the reconciler compares it with MySQL). */
export interface StoredPrice {
  id: number;
  state: PriceState;
  version: number;
  /** Epoch ms of the last change. */
  updatedAt: number;
}

/** The scheduler's work on one due product. */
export interface PriceTransition {
  id: number;
  reason: 'sale-start' | 'sale-end';
  effectivePrice: number;
  version: number;
}

function asReply(value: unknown): readonly unknown[] {
  if (!Array.isArray(value) || typeof value[0] !== 'string') {
    throw new Error('Unexpected reply from a price script');
  }
  return value;
}

function optionalNumber(value: unknown): number | null {
  return value === '' || value === null || value === undefined ? null : Number(value);
}

function instant(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

async function orUnavailable<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw error instanceof PricingError || error instanceof LedgerNotReadyError
      ? error
      : new LedgerUnavailableError(error);
  }
}

/** The answer shape from a state in cents, at `at`. */
export function toProductPrice(
  id: number,
  state: PriceState,
  version: number,
  at: number,
): ProductPrice {
  return {
    id,
    price: fromCents(state.priceCents),
    salePrice: state.saleCents === null ? null : fromCents(state.saleCents),
    saleStartsAt: instant(state.startsAt),
    saleEndsAt: instant(state.endsAt),
    effectivePrice: fromCents(effectivePriceCents(state, at)),
    version,
  };
}

/**
 * Live prices in Redis. Every change is one Lua script (price-scripts.ts) that checks it against
 * the current state, bumps the version, appends the event to the stock ledger's outbox (the stock
 * relay publishes it on the `price` exchange) and schedules the sale's next start or end.
 */
export class PriceBook {
  readonly keys: PriceKeys;
  private readonly scripts: PriceScriptCommands;
  private readonly replicaWait: ReplicaWait;

  constructor(
    private readonly redis: RedisClient,
    private readonly base: PriceBaseSource,
    options: PriceBookOptions = {},
  ) {
    this.keys = new PriceKeys(options.keyPrefix, options.shards);
    this.scripts = withPriceScripts(redis);
    this.replicaWait = ReplicaWait.of(redis);
  }

  /**
   * Applies a validated change (see parsePriceChange). Throws PriceNotFoundError,
   * PriceConflictError (checked against the current state), InvalidPriceRequestError (a sale
   * end that passed meanwhile), LedgerNotReadyError, or LedgerUnavailableError; nothing changed
   * in each case.
   */
  async apply(
    productId: number,
    change: PriceChange,
    options: { correlationId?: string } = {},
  ): Promise<ProductPrice> {
    const id = parseProductId(productId);
    let reply = await this.runApply(id, change, null, options.correlationId);
    if (reply[0] === 'NEED_BASE') {
      // Never changed since Redis was filled: MySQL's row is the current price.
      const base = await this.base.priceBase(id);
      if (!base) throw new PriceNotFoundError(id);
      reply = await this.runApply(id, change, base, options.correlationId);
    }
    switch (reply[0]) {
      case 'OK': {
        const state: PriceState = {
          priceCents: Number(reply[1]),
          saleCents: optionalNumber(reply[2]),
          startsAt: optionalNumber(reply[3]),
          endsAt: optionalNumber(reply[4]),
        };
        return {
          ...toProductPrice(id, state, Number(reply[6]), Date.now()),
          // Redis' verdict at the change, not this process' clock.
          effectivePrice: fromCents(Number(reply[5])),
        };
      }
      case 'NOT_READY':
        throw new LedgerNotReadyError();
      case 'NOT_FOUND':
        throw new PriceNotFoundError(id);
      case 'ENDED':
        throw new InvalidPriceRequestError('saleEndsAt must be in the future');
      case 'SALE_NOT_BELOW':
        throw new PriceConflictError(
          `The sale price (${fromCents(Number(reply[1]))}) must stay below the price (${fromCents(
            Number(reply[2]),
          )}): change both together, or end the sale first`,
        );
      default:
        throw new Error(`Unexpected reply from the price script: ${String(reply[0])}`);
    }
  }

  /**
   * Takes over a price written through the admin product API at `writtenAt` (see
   * ADOPT_CATALOG_PRICE_LUA): returns the new version, or null when there was nothing to take
   * over (no Redis price, the same price, or a newer change in Redis).
   */
  async adoptCatalogPrice(
    productId: number,
    price: number,
    writtenAt: Date,
    options: { correlationId?: string } = {},
  ): Promise<number | null> {
    const id = parseProductId(productId);
    const keys = this.keys.forProduct(id);
    const reply = asReply(
      await this.written(
        id,
        this.scripts.shopPriceAdoptCatalog(
          keys.price(id),
          keys.ready,
          keys.outbox,
          keys.schedule,
          id,
          Math.round(price * 100),
          writtenAt.getTime(),
          options.correlationId ?? '',
        ),
      ),
    );
    if (reply[0] === 'NOT_READY') throw new LedgerNotReadyError();
    return reply[0] === 'OK' ? Number(reply[1]) : null;
  }

  /** The current price: Redis' when it has one, else MySQL's; null for an unknown product. */
  async get(productId: number): Promise<ProductPrice | null> {
    const id = parseProductId(productId);
    const keys = this.keys.forProduct(id);
    const reply = asReply(
      await orUnavailable(this.scripts.shopPriceRead(keys.price(id), keys.ready)),
    );
    if (reply[0] === 'NOT_READY') throw new LedgerNotReadyError();
    if (reply[1] !== '') {
      const state: PriceState = {
        priceCents: Number(reply[1]),
        saleCents: optionalNumber(reply[2]),
        startsAt: optionalNumber(reply[3]),
        endsAt: optionalNumber(reply[4]),
      };
      return toProductPrice(id, state, Number(reply[5]), Date.now());
    }
    const base = await this.base.priceBase(id);
    return base ? toProductPrice(id, base, base.version, Date.now()) : null;
  }

  /**
   * Every price hash, in batches (SCAN: unordered; a product changed during the scan may come
   * twice). Products never changed through the price route since Redis was filled have none.
   */
  async *stored(batchSize = 500): AsyncGenerator<StoredPrice[]> {
    for (const shard of this.keys.shards) {
      yield* this.storedIn(shard, batchSize);
    }
  }

  private async *storedIn(shard: PriceShardKeys, batchSize: number): AsyncGenerator<StoredPrice[]> {
    for await (const keys of scanKeys(this.redis, shard.priceKeys, batchSize)) {
      const ids = keys.map((key) => shard.priceId(key)).filter((id): id is number => id !== null);
      if (ids.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const id of ids) {
        pipeline.hmget(shard.price(id), 'price', 'sale', 'start', 'end', 'version', 'updatedAt');
      }
      const replies = (await pipeline.exec()) ?? [];
      const batch: StoredPrice[] = [];
      replies.forEach(([error, value], index) => {
        if (error) throw error;
        const fields = value as (string | null)[];
        if (fields[0] === null) return;
        batch.push({
          id: ids[index],
          state: {
            priceCents: Number(fields[0]),
            saleCents: optionalNumber(fields[1]),
            startsAt: optionalNumber(fields[2]),
            endsAt: optionalNumber(fields[3]),
          },
          version: Number(fields[4] ?? 0),
          updatedAt: Number(fields[5] ?? 0),
        });
      });
      if (batch.length > 0) yield batch;
    }
  }

  /** Ids whose sale starts or ends at or before `at` (epoch ms), earliest first. */
  async dueIds(at: number, limit = 100): Promise<number[]> {
    const pages = await Promise.all(
      this.keys.shards.map((shard) =>
        this.redis.zrangebyscore(
          shard.schedule,
          '-inf',
          String(at),
          'WITHSCORES',
          'LIMIT',
          0,
          limit,
        ),
      ),
    );
    const due: { id: number; at: number }[] = [];
    for (const page of pages) {
      for (let index = 0; index + 1 < page.length; index += 2) {
        due.push({ id: Number(page[index]), at: Number(page[index + 1]) });
      }
    }
    return due
      .sort((a, b) => a.at - b.at)
      .slice(0, limit)
      .map((entry) => entry.id);
  }

  /** When the next scheduled start or end is due (epoch ms), or null when none is. */
  async nextDueAt(): Promise<number | null> {
    const firsts = await Promise.all(
      this.keys.shards.map((shard) => this.redis.zrange(shard.schedule, '0', '0', 'WITHSCORES')),
    );
    const scores = firsts.filter((first) => first.length === 2).map((first) => Number(first[1]));
    return scores.length === 0 ? null : Math.min(...scores);
  }

  /** Runs the step for one product (see PRICE_TRANSITION_LUA); null when nothing was due. */
  async transition(productId: number): Promise<PriceTransition | null> {
    const id = parseProductId(productId);
    const reply = asReply(
      await this.written(id, this.scripts.shopPriceTransition(...this.scriptKeys(id), id)),
    );
    if (reply[0] !== 'OK') return null;
    return {
      id,
      reason: reply[1] === 'sale-end' ? 'sale-end' : 'sale-start',
      effectivePrice: fromCents(Number(reply[2])),
      version: Number(reply[3]),
    };
  }

  /** Every transition due now, up to `limit`: what one scheduler round does. */
  async runDue(limit = 100): Promise<PriceTransition[]> {
    const done: PriceTransition[] = [];
    for (const id of await this.dueIds(Date.now(), limit)) {
      const transition = await this.transition(id);
      if (transition) done.push(transition);
    }
    return done;
  }

  /** KEYS of the apply and transition scripts (see price-scripts.ts), in their order. */
  private scriptKeys(id: number): [string, string, string, string, string] {
    const keys = this.keys.forProduct(id);
    return [keys.price(id), keys.knownIds, keys.ready, keys.outbox, keys.schedule];
  }

  /**
   * The reply of a script that may have written, once the write is on the replicas the client
   * waits for (see ReplicaWait): an answered price change must survive a Redis failover.
   */
  private async written<T>(productId: number, call: Promise<T>): Promise<T> {
    const reply = await orUnavailable(call);
    await orUnavailable(this.replicaWait.afterWrite(this.keys.forProduct(productId).outbox));
    return reply;
  }

  private async runApply(
    id: number,
    change: PriceChange,
    base: PriceBaseRow | null,
    correlationId: string | undefined,
  ): Promise<readonly unknown[]> {
    const text = (value: number | null | undefined): string =>
      value === null || value === undefined ? '' : String(value);
    const sale = change.sale;
    return asReply(
      await this.written(
        id,
        this.scripts.shopPriceApply(
          ...this.scriptKeys(id),
          id,
          text(change.priceCents),
          sale === undefined ? 'keep' : sale.kind,
          sale?.kind === 'set' ? sale.saleCents : '',
          sale?.kind === 'set' ? text(sale.startsAt) : '',
          sale?.kind === 'set' ? text(sale.endsAt) : '',
          base ? '1' : '0',
          text(base?.priceCents),
          text(base?.saleCents),
          text(base?.startsAt),
          text(base?.endsAt),
          text(base?.version),
          correlationId ?? '',
        ),
      ),
    );
  }
}
