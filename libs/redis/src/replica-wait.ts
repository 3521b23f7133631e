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
  private static readonly byClient = new WeakMap<RedisClient, ReplicaWait>();

  /**
   * The one ReplicaWait of `client`, waiting for its default number of replicas: the ledger, the
   * carts and the price book share a connection, so they share its WAITs too.
   */
  static of(client: RedisClient): ReplicaWait {
    let wait = ReplicaWait.byClient.get(client);
    if (!wait) {
      wait = new ReplicaWait(client, defaultReplicaCount(client));
      ReplicaWait.byClient.set(client, wait);
    }
    return wait;
  }

  /** Per master: the WAIT on the wire, and the one queued behind it for later writes. */
  private readonly rounds = new Map<Redis, { sent: Promise<void>; next?: Promise<void> }>();

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
   *
   * WAIT blocks its connection, which every request shares, so one WAIT answers for every write
   * sent before it (group commit): a caller whose write came back while a WAIT was on the wire
   * joins the one queued behind it (its write may have left after the first WAIT did), and that
   * one goes out when the first returns. At most two per master, whatever the request rate.
   */
  async afterWrite(key: string): Promise<void> {
    // Synchronous up to the first await: concurrent callers see each other's rounds.
    if (this.replicas === 0) return;
    const master = this.masterOf(key);
    const round = this.rounds.get(master);
    if (!round) return this.send(master);
    round.next ??= round.sent.catch(() => undefined).then(() => this.send(master));
    return round.next;
  }

  private send(master: Redis): Promise<void> {
    const sent = (async () => {
      const acknowledged = Number(await master.wait(this.replicas, this.timeoutMs));
      if (acknowledged < this.replicas) throw new ReplicaWaitError(acknowledged, this.replicas);
    })();
    const round = { sent };
    this.rounds.set(master, round);
    const settle = (): void => {
      // The queued WAIT (sent from here on) takes its place; none queued: nothing on the wire.
      if (this.rounds.get(master) === round) this.rounds.delete(master);
    };
    sent.then(settle, settle);
    return sent;
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
