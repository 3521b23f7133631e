import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { parseProductId } from './stock-change';
import { StockKeys } from './stock-keys';

const CHUNK = 1000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    result.push(items.slice(start, start + size));
  }
  return result;
}

/**
 * The product ids the catalog has, kept in Redis so the stock API answers 404 for an unknown
 * product without a MySQL query per request. Filled from MySQL at start-up, kept current by the
 * catalog's product events.
 */
export class ProductIdRegistry {
  readonly keys: StockKeys;

  constructor(
    private readonly redis: Redis,
    options: { keyPrefix?: string } = {},
  ) {
    this.keys = new StockKeys(options.keyPrefix);
  }

  /** Adds ids; returns how many were new. */
  async register(ids: readonly number[]): Promise<number> {
    let added = 0;
    for (const chunk of chunks(ids.map((id) => parseProductId(id)))) {
      added += await this.redis.zadd(this.keys.knownIds, ...chunk.flatMap((id) => [id, id]));
    }
    return added;
  }

  /**
   * Forgets ids (product deleted). Their level hashes stay: a reappearing id would get its old
   * figures back, and MySQL's stock rows are not deleted either.
   */
  async unregister(ids: readonly number[]): Promise<number> {
    let removed = 0;
    for (const chunk of chunks(ids.map((id) => parseProductId(id)))) {
      removed += await this.redis.zrem(this.keys.knownIds, ...chunk);
    }
    return removed;
  }

  /**
   * Replaces the whole set with `ids` in one atomic RENAME (a full sync from MySQL that also drops
   * ids deleted while nobody listened). A register that lands during the sync may be lost until
   * the next product event or sync: call it from a periodic job, not per request.
   */
  async replaceAll(ids: Iterable<number> | AsyncIterable<readonly number[]>): Promise<number> {
    const staging = `${this.keys.knownIds}:staging:${randomUUID()}`;
    let count = 0;
    const add = async (batch: readonly number[]): Promise<void> => {
      for (const chunk of chunks(batch.map((id) => parseProductId(id)))) {
        count += await this.redis.zadd(staging, ...chunk.flatMap((id) => [id, id]));
      }
    };
    try {
      if (Symbol.asyncIterator in ids) {
        for await (const batch of ids) await add(batch);
      } else {
        await add([...ids]);
      }
      if (count === 0) {
        await this.redis.del(this.keys.knownIds);
      } else {
        await this.redis.rename(staging, this.keys.knownIds);
      }
    } finally {
      await this.redis.del(staging);
    }
    return count;
  }

  async has(id: number): Promise<boolean> {
    return (await this.redis.zscore(this.keys.knownIds, parseProductId(id))) !== null;
  }

  async count(): Promise<number> {
    return this.redis.zcard(this.keys.knownIds);
  }
}
