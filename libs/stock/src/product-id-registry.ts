import { randomUUID } from 'node:crypto';
import { scanKeys, type RedisClient } from '@shop/redis';
import { parseProductId } from '@shop/contracts';
import { StockKeys, type StockShardKeys } from './stock-keys';

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
    options: { keyPrefix?: string; shards?: number } = {},
  ) {
    this.keys = new StockKeys(options.keyPrefix, options.shards);
  }

  /** Adds ids (each to its shard's set); returns how many were new. */
  async register(ids: readonly number[]): Promise<number> {
    let added = 0;
    for (const [shard, shardIds] of this.byShard(ids)) {
      for (const chunk of chunks(shardIds)) {
        added += await this.redis.zadd(shard.knownIds, ...chunk.flatMap((id) => [id, id]));
      }
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
    for (const [shard, shardIds] of this.byShard(ids)) {
      for (const chunk of chunks(shardIds)) {
        const replies = await this.redis
          .multi()
          .zrem(shard.knownIds, ...chunk)
          .del(...chunk.map((id) => shard.level(id)))
          .exec();
        const failed = replies?.find(([error]) => error !== null);
        if (!replies || failed) throw failed?.[0] ?? new Error('unregister: the MULTI was aborted');
        removed += Number(replies[0][1]);
      }
    }
    return removed;
  }

  /**
   * Ids of every level hash, registered or not, in batches (SCAN: unordered, an id may repeat).
   * Level hashes of ids that are not registered are what deletes left behind before `unregister`
   * removed them too: the reconciler finds them here.
   */
  async *levelIds(batchSize = CHUNK): AsyncGenerator<number[]> {
    for (const shard of this.keys.shards) {
      for await (const keys of scanKeys(this.redis, shard.levels, batchSize)) {
        const ids = keys.map((key) => shard.levelId(key)).filter((id): id is number => id !== null);
        if (ids.length > 0) yield ids;
      }
    }
  }

  /**
   * Replaces the whole set with `ids`, each shard's in one atomic RENAME (a full sync from MySQL
   * that also drops ids deleted while nobody listened). A register that lands during the sync may
   * be lost until the next product event or sync: call it from a periodic job, not per request.
   */
  async replaceAll(ids: Iterable<number> | AsyncIterable<readonly number[]>): Promise<number> {
    const token = randomUUID();
    // Next to its shard's set: same slot, so the RENAME works on a Redis Cluster.
    const staging = (shard: StockShardKeys): string => `${shard.knownIds}:staging:${token}`;
    const counts = this.keys.shards.map(() => 0);
    const add = async (batch: readonly number[]): Promise<void> => {
      for (const [shard, shardIds] of this.byShard(batch)) {
        for (const chunk of chunks(shardIds)) {
          counts[shard.index] += await this.redis.zadd(
            staging(shard),
            ...chunk.flatMap((id) => [id, id]),
          );
        }
      }
    };
    try {
      if (Symbol.asyncIterator in ids) {
        for await (const batch of ids) await add(batch);
      } else {
        await add([...ids]);
      }
      for (const shard of this.keys.shards) {
        if (counts[shard.index] === 0) {
          await this.redis.del(shard.knownIds);
        } else {
          await this.redis.rename(staging(shard), shard.knownIds);
        }
      }
    } finally {
      for (const shard of this.keys.shards) await this.redis.del(staging(shard));
    }
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async has(id: number): Promise<boolean> {
    const productId = parseProductId(id);
    return (await this.redis.zscore(this.keys.forProduct(productId).knownIds, productId)) !== null;
  }

  async count(): Promise<number> {
    const counts = await Promise.all(
      this.keys.shards.map((shard) => this.redis.zcard(shard.knownIds)),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  /** Valid ids grouped by the keys of their shard. */
  private byShard(ids: readonly number[]): [StockShardKeys, number[]][] {
    const valid = ids.map((id) => parseProductId(id));
    return [...this.keys.positionsByShard(valid)].map(([shard, positions]) => [
      this.keys.shards[shard],
      positions.map((position) => valid[position]),
    ]);
  }
}
