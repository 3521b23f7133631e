import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './redis-client';
import { redisSlot } from './redis-slot';

/** Fewer replicas than asked for confirmed a write in time: it may not survive a failover. */
export class ReplicaWaitError extends Error {
  constructor(
    readonly acknowledged: number,
    readonly wanted: number,
  ) {
    super(`Redis: ${acknowledged} of ${wanted} replica(s) confirmed the write in time`);
    this.name = 'ReplicaWaitError';
  }
}

/**
 * Redis replicates asynchronously: a master that dies right after answering takes the writes its
 * replica had not yet received, and the promoted replica never saw them. Before the API answers
 * a write, `afterWrite` sends WAIT to the master that took it, on the connection that carried it,
 * so an answered change is on `replicas` replicas too. Zero replicas (one server with its AOF,
 * the default stack) waits for nothing.
 */
export class ReplicaWait {
  constructor(
    private readonly client: RedisClient,
    readonly replicas: number,
    private readonly timeoutMs = 1000,
  ) {
    if (!Number.isSafeInteger(replicas) || replicas < 0) {
      throw new RangeError(`replicas must be a non-negative integer, got ${replicas}`);
    }
  }

  /**
   * Resolves once every write sent so far to the master of `key`'s slot is on `replicas`
   * replicas; throws ReplicaWaitError when fewer confirmed within the timeout.
   */
  async afterWrite(key: string): Promise<void> {
    if (this.replicas === 0) return;
    const acknowledged = Number(await this.masterOf(key).wait(this.replicas, this.timeoutMs));
    if (acknowledged < this.replicas) throw new ReplicaWaitError(acknowledged, this.replicas);
  }

  private masterOf(key: string): Redis {
    if (!(this.client instanceof Cluster)) return this.client;
    // The client's own slot map: the node it sent the write to (a MOVED since would have been
    // followed by the write itself, and updated the map).
    const nodeKey = this.client.slots[redisSlot(key)]?.[0];
    const master = this.client
      .nodes('master')
      .find(({ options }) => `${options.host}:${options.port}` === nodeKey);
    if (!master) throw new Error(`Redis: no known master for slot ${redisSlot(key)}`);
    return master;
  }
}

/** The replicas to wait for by default: one on a cluster (each master has one here), none else. */
export function defaultReplicaCount(client: RedisClient): number {
  return client instanceof Cluster ? 1 : 0;
}
