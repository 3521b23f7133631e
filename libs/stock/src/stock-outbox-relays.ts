import type { RedisClient } from '@shop/redis';
import type { OutboxMessageBody, StockEventPublisher } from './stock-outbox';
import {
  StockOutboxRelay,
  type RelayRoundResult,
  type StockOutboxRelayOptions,
  type StockOutboxRelayStats,
} from './stock-outbox-relay';

/**
 * One StockOutboxRelay per shard of the ledger (`options.shards`, default 1), started and stopped
 * together, each with its own lease: on a Redis Cluster, the shards' leases may be held by
 * different processes. The figures are the shards' summed (the oldest entry: the oldest of all).
 */
export class StockOutboxRelays {
  readonly relays: readonly StockOutboxRelay[];

  constructor(
    redis: RedisClient,
    publisher: StockEventPublisher<OutboxMessageBody>,
    options: Omit<StockOutboxRelayOptions, 'shard'> = {},
  ) {
    this.relays = Array.from(
      { length: options.shards ?? 1 },
      (_, shard) => new StockOutboxRelay(redis, publisher, { ...options, shard }),
    );
  }

  start(): void {
    for (const relay of this.relays) relay.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.relays.map((relay) => relay.stop()));
  }

  stats(): StockOutboxRelayStats {
    const all = this.relays.map((relay) => relay.stats());
    return {
      running: all.every((stats) => stats.running),
      leader: all.some((stats) => stats.leader),
      leases: sum(all.map((stats) => stats.leases)),
      published: sum(all.map((stats) => stats.published)),
      failed: sum(all.map((stats) => stats.failed)),
      rounds: sum(all.map((stats) => stats.rounds)),
    };
  }

  async pendingCount(): Promise<number> {
    return sum(await Promise.all(this.relays.map((relay) => relay.pendingCount())));
  }

  async oldestPendingAt(): Promise<Date | null> {
    const oldest = await Promise.all(this.relays.map((relay) => relay.oldestPendingAt()));
    return oldest.reduce<Date | null>(
      (first, at) => (at && (!first || at < first) ? at : first),
      null,
    );
  }

  /** One round of every shard (see StockOutboxRelay.relayOnce), figures summed. */
  async relayOnce(): Promise<RelayRoundResult> {
    const rounds = await Promise.all(this.relays.map((relay) => relay.relayOnce()));
    return {
      read: sum(rounds.map((round) => round.read)),
      published: sum(rounds.map((round) => round.published)),
      kept: sum(rounds.map((round) => round.kept)),
      malformed: sum(rounds.map((round) => round.malformed)),
    };
  }
}

function sum(figures: readonly number[]): number {
  return figures.reduce((total, figure) => total + figure, 0);
}
