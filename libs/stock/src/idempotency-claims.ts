import { crc16, type RedisClient } from '@shop/redis';
import type { StockKeys } from './stock-keys';

/** What `IdempotencyClaims.claim` found: the key was free, or bound to this or another request. */
export type ClaimOutcome = 'claimed' | 'same' | 'other';

/**
 * With several shards, an Idempotency-Key's record lives with what it changed (a product's or a
 * cart's shard), so the same key sent for something in another shard would not find it. A claim
 * binds the key to its request's fingerprint in one place, the shard of the key itself, before the
 * change: the same key with another fingerprint is then refused wherever it points. One shard
 * needs no claim (the record is found there) and takes no extra round trip.
 */
export class IdempotencyClaims {
  /** `scope` keeps apart the keys of different APIs (`stock` changes, `checkout`). */
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StockKeys,
    private readonly scope: string,
    private readonly ttlSeconds: number,
  ) {}

  /**
   * Runs `change` under a claim of `key` for `fingerprint` (with one shard, just runs it): throws
   * `reused()` when the key is bound to another request, and frees a claim it took when `change`
   * fails with an error `refused` says left nothing changed.
   */
  async bound<T>(
    key: string | undefined,
    fingerprint: string,
    on: { reused: () => Error; refused: (error: unknown) => boolean },
    change: () => Promise<T>,
  ): Promise<T> {
    if (key === undefined || this.keys.shardCount === 1) return change();
    const outcome = await this.claim(key, fingerprint);
    if (outcome === 'other') throw on.reused();
    try {
      return await change();
    } catch (error) {
      if (outcome === 'claimed' && on.refused(error)) {
        await this.release(key, fingerprint).catch(() => undefined);
      }
      throw error;
    }
  }

  /** Binds `key` to `fingerprint` unless it is bound already; says which it found. */
  async claim(key: string, fingerprint: string): Promise<ClaimOutcome> {
    const claimKey = this.claimKey(key);
    const set = await this.redis.set(claimKey, fingerprint, 'EX', this.ttlSeconds, 'NX');
    if (set === 'OK') return 'claimed';
    return (await this.redis.get(claimKey)) === fingerprint ? 'same' : 'other';
  }

  /**
   * Frees a claim this request took, when its change was refused (nothing changed: a retry with
   * the key is judged afresh). A claim bound to another fingerprint meanwhile is left alone.
   */
  async release(key: string, fingerprint: string): Promise<void> {
    const claimKey = this.claimKey(key);
    if ((await this.redis.get(claimKey)) === fingerprint) await this.redis.del(claimKey);
  }

  private claimKey(key: string): string {
    const shard = this.keys.shards[crc16(Buffer.from(key, 'utf8')) % this.keys.shardCount];
    return shard.idempotencyClaim(`${this.scope}:${key}`);
  }
}
