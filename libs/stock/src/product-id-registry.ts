import { randomUUID } from 'node:crypto';
import { scanKeys, type RedisClient } from '@shop/redis';
import { parseProductId } from '@shop/contracts';
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
    private readonly redis: RedisClient,
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
   * Forgets products the catalog deleted: the registration and the level hash go together (one
   * MULTI per chunk), so the stock API answers 404 and the ledger keeps no figures MySQL no longer
   * has (its stock row went with the product, by foreign key). Product ids are never reused
   * (AUTO_INCREMENT), so no product can inherit them. Returns how many were registered.
   */
  async unregister(ids: readonly number[]): Promise<number> {
    let removed = 0;
    for (const chunk of chunks(ids.map((id) => parseProductId(id)))) {
      const replies = await this.redis
        .multi()
        .zrem(this.keys.knownIds, ...chunk)
        .del(...chunk.map((id) => this.keys.level(id)))
        .exec();
      const failed = replies?.find(([error]) => error !== null);
      if (!replies || failed) throw failed?.[0] ?? new Error('unregister: the MULTI was aborted');
      removed += Number(replies[0][1]);
    }
    return removed;
  }

  /**
   * Ids of every level hash, registered or not, in batches (SCAN: unordered, an id may repeat).
   * Level hashes of ids that are not registered are what deletes left behind before `unregister`
   * removed them too: the reconciler finds them here.
   */
  async *levelIds(batchSize = CHUNK): AsyncGenerator<number[]> {
    for await (const keys of scanKeys(this.redis, this.keys.levels, batchSize)) {
      const ids = keys
        .map((key) => this.keys.levelId(key))
        .filter((id): id is number => id !== null);
      if (ids.length > 0) yield ids;
    }
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
