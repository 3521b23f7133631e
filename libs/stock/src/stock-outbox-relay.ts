import { Logger } from '@nestjs/common';
import { ORDERS_EXCHANGE, PRICE_EXCHANGE, STOCK_EXCHANGE } from '@shop/contracts';
import { duplicateClient, RedisLease, type RedisClient } from '@shop/redis';
import { backoffDelay, errorMessage, sleep, type LoggerLike } from '@shop/common';
import { StockKeys, type StockShardKeys } from './stock-keys';
import {
  ORDER_PLACED_ENTRY_TYPE,
  outboxEntryType,
  PRICE_CHANGED_ENTRY_TYPE,
  orderOutgoingMessage,
  parseOrderOutboxEntry,
  parseOutboxEntry,
  parsePriceOutboxEntry,
  planOrderedRemoval,
  priceOutgoingMessage,
  publishOutboxBatch,
  StockEventPublisher,
  StockOutgoingMessage,
  stockOutgoingMessages,
  type OutboxMessageBody,
} from './stock-outbox';

/** Hooks for metrics (prom-client counters and gauges, for instance). All optional. */
export interface StockOutboxRelayMetrics {
  /** Outbox entries confirmed by the broker and removed. */
  published?(entries: number): void;
  /** Entries whose publish failed this round (they stay in the outbox). */
  failed?(entries: number, error: unknown): void;
  /** Entries waiting in the outbox after a round (XLEN). */
  pending?(entries: number): void;
  /** Entries that could not be parsed and were moved to `outbox:malformed`. */
  malformed?(entries: number): void;
}

export interface StockOutboxRelayOptions {
  /** Key prefix, default `stock:` (see stock-keys.ts). */
  keyPrefix?: string;
  /** STOCK_SHARDS (default 1) and the shard whose outbox this relay publishes (default 0). */
  shards?: number;
  shard?: number;
  /** Exchange to publish to; default `stock` (tests use a throwaway one). */
  exchange?: string;
  /** Exchange of the outbox's `order.placed` entries; default `orders`. */
  ordersExchange?: string;
  /** Exchange of the outbox's price entries (libs/pricing); default `price`. */
  priceExchange?: string;
  /** Entries read and published per round. */
  batchSize?: number;
  /** How long one idle wait for new entries blocks (XREAD BLOCK) before the loop goes round. */
  idleWaitMs?: number;
  /** Backoff while publishing fails: doubles from min to max. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** The lease that makes one relay the publisher among several processes. */
  leaseTtlMs?: number;
  /** How often a relay that is not the leader tries to take the lease. */
  followerRetryMs?: number;
  metrics?: StockOutboxRelayMetrics;
  logger?: LoggerLike;
}

export interface RelayRoundResult {
  /** Entries read from the outbox. */
  read: number;
  /** Entries confirmed and removed. */
  published: number;
  /** Entries kept for the next round (their publish, or an earlier one of the product, failed). */
  kept: number;
  /** Entries moved aside as unparseable. */
  malformed: number;
}

export interface StockOutboxRelayStats {
  running: boolean;
  leader: boolean;
  /** Outbox shards whose relay lease this process holds (0 or 1 for one relay). */
  leases: number;
  published: number;
  failed: number;
  rounds: number;
}

/**
 * Publishes the stock outbox (a Redis stream) to RabbitMQ: in stream order, so each product's
 * events go out in version order; an entry leaves the stream only after its confirm. While the
 * publisher fails, entries stay and the relay backs off, so writes keep succeeding with the broker
 * down and their events follow when it is back.
 *
 * Several stock-api processes may run a relay: a Redis lease lets one of them publish, the others
 * wait to take over. With several shards each has its own outbox, lease and relay (see
 * StockOutboxRelays), so a product's events keep their order and the shards publish in parallel.
 * When idle, the leader blocks on XREAD (on its own connection) to wake up as soon as a change
 * lands.
 */
export class StockOutboxRelay {
  readonly keys: StockShardKeys;
  private readonly exchange: string;
  private readonly ordersExchange: string;
  private readonly priceExchange: string;
  private readonly lease: RedisLease;
  private readonly batchSize: number;
  private readonly idleWaitMs: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly leaseTtlMs: number;
  private readonly followerRetryMs: number;
  private readonly metrics: StockOutboxRelayMetrics;
  private readonly logger: LoggerLike;

  private running = false;
  private leader = false;
  private loop: Promise<void> | null = null;
  private leaseRenewal: NodeJS.Timeout | null = null;
  private blocking: RedisClient | null = null;
  private wake: AbortController | null = null;
  /** Id of the last entry handled, so an idle XREAD returns as soon as anything newer lands. */
  private lastSeenId = '0-0';
  private failing = false;
  private readonly counters = { published: 0, failed: 0, rounds: 0 };

  constructor(
    private readonly redis: RedisClient,
    private readonly publisher: StockEventPublisher<OutboxMessageBody>,
    options: StockOutboxRelayOptions = {},
  ) {
    const shard = options.shard ?? 0;
    const { shards } = new StockKeys(options.keyPrefix, options.shards);
    if (!Number.isSafeInteger(shard) || shard < 0 || shard >= shards.length) {
      throw new RangeError(`No stock shard ${shard} of ${shards.length}`);
    }
    this.keys = shards[shard];
    this.exchange = options.exchange ?? STOCK_EXCHANGE;
    this.ordersExchange = options.ordersExchange ?? ORDERS_EXCHANGE;
    this.priceExchange = options.priceExchange ?? PRICE_EXCHANGE;
    this.batchSize = options.batchSize ?? 500;
    this.idleWaitMs = options.idleWaitMs ?? 1000;
    this.minBackoffMs = options.minBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 2000;
    this.leaseTtlMs = options.leaseTtlMs ?? 10_000;
    this.followerRetryMs = options.followerRetryMs ?? 1000;
    this.metrics = options.metrics ?? {};
    this.logger =
      options.logger ??
      new Logger(
        shards.length === 1 ? StockOutboxRelay.name : `${StockOutboxRelay.name} shard ${shard}`,
      );
    this.lease = new RedisLease(redis, this.keys.relayLease, this.leaseTtlMs);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // Renewed on a timer as well as every round, so a slow batch does not lose the lease.
    this.leaseRenewal = setInterval(() => void this.renewLease(), Math.floor(this.leaseTtlMs / 3));
    this.loop = this.run();
  }

  /** Stops the loop after the batch in flight is settled, and hands the lease over. */
  async stop(): Promise<void> {
    if (!this.running) {
      await this.loop;
      return;
    }
    this.running = false;
    if (this.leaseRenewal) clearInterval(this.leaseRenewal);
    this.leaseRenewal = null;
    this.wake?.abort();
    // Interrupts an idle XREAD BLOCK; the loop sees `running` is false and ends.
    this.blocking?.disconnect();
    this.blocking = null;
    await this.loop;
    this.loop = null;
    if (this.leader) {
      this.leader = false;
      await this.lease.release().catch((error: unknown) => {
        this.logger.warn(`Could not release the outbox relay lease: ${errorMessage(error)}`);
      });
    }
  }

  stats(): StockOutboxRelayStats {
    return {
      running: this.running,
      leader: this.leader,
      leases: this.leader ? 1 : 0,
      ...this.counters,
    };
  }

  /** Entries waiting in the outbox. */
  async pendingCount(): Promise<number> {
    return this.redis.xlen(this.keys.outbox);
  }

  /**
   * When the oldest waiting entry was appended (its stream id is Redis' clock in ms), or null
   * when none waits: how far the relay lags behind the writes.
   */
  async oldestPendingAt(): Promise<Date | null> {
    const [first] = await this.redis.xrange(this.keys.outbox, '-', '+', 'COUNT', 1);
    return first ? new Date(Number(first[0].split('-')[0])) : null;
  }

  /**
   * One round: reads up to `batchSize` entries from the start of the outbox, publishes them in
   * order, removes those confirmed (see `planOutboxRemoval`). Ignores the lease: the loop holds
   * it; call this directly only where no other relay runs (tests, a drain command).
   */
  async relayOnce(): Promise<RelayRoundResult> {
    const raw = await this.redis.xrange(this.keys.outbox, '-', '+', 'COUNT', this.batchSize);
    const result: RelayRoundResult = { read: raw.length, published: 0, kept: 0, malformed: 0 };
    if (raw.length === 0) return result;
    this.lastSeenId = raw[raw.length - 1][0];

    // Stock and price events keep their per-product order (orderingKey); each order is its own key.
    const entries: {
      entryId: string;
      orderingKey: string;
      messages: StockOutgoingMessage<OutboxMessageBody>[];
    }[] = [];
    const malformed: [string, string[]][] = [];
    for (const [entryId, fields] of raw) {
      try {
        const type = outboxEntryType(fields);
        if (type === ORDER_PLACED_ENTRY_TYPE) {
          const { order, correlationId } = parseOrderOutboxEntry(entryId, fields);
          entries.push({
            entryId,
            orderingKey: `order-${order.orderId}`,
            messages: [orderOutgoingMessage(order, this.ordersExchange, correlationId)],
          });
        } else if (type === PRICE_CHANGED_ENTRY_TYPE) {
          const { event, correlationId } = parsePriceOutboxEntry(entryId, fields);
          entries.push({
            entryId,
            // A product's price events keep their version order, apart from its stock events.
            orderingKey: `price-${event.id}`,
            messages: [priceOutgoingMessage(event, this.priceExchange, correlationId)],
          });
        } else {
          const { event, correlationId } = parseOutboxEntry(entryId, fields);
          entries.push({
            entryId,
            orderingKey: `stock-${event.id}`,
            messages: stockOutgoingMessages(event, this.exchange, correlationId),
          });
        }
      } catch (error) {
        this.logger.error(errorMessage(error));
        malformed.push([entryId, fields]);
      }
    }
    if (malformed.length > 0) {
      await this.quarantine(malformed);
      result.malformed = malformed.length;
      this.metrics.malformed?.(malformed.length);
    }

    const { confirmed, lastError } = await publishOutboxBatch(
      this.publisher,
      entries.map((entry) => entry.messages),
    );
    const plan = planOrderedRemoval(entries, confirmed);
    if (plan.remove.length > 0) {
      await this.redis.xdel(this.keys.outbox, ...plan.remove);
    }
    result.published = plan.remove.length;
    result.kept = plan.keep.length;

    this.counters.published += result.published;
    this.counters.failed += result.kept;
    if (result.published > 0) this.metrics.published?.(result.published);
    if (result.kept > 0) this.metrics.failed?.(result.kept, lastError);
    if (this.metrics.pending) this.metrics.pending(await this.pendingCount());
    this.reportHealth(result.kept > 0, lastError);
    return result;
  }

  private async run(): Promise<void> {
    let failedRounds = 0;
    const backOff = async (): Promise<void> => {
      failedRounds += 1;
      await this.pause(
        backoffDelay(failedRounds, { initialMs: this.minBackoffMs, maxMs: this.maxBackoffMs }),
      );
    };
    while (this.running) {
      try {
        // Once held, the lease is kept by the renewal timer (which drops `leader` if it is lost),
        // so a round costs no extra Redis call.
        if (!this.leader) this.leader = await this.lease.acquire();
        if (!this.leader) {
          await this.pause(this.followerRetryMs);
          continue;
        }
        this.counters.rounds += 1;
        const round = await this.relayOnce();
        if (round.kept > 0) {
          await backOff();
          continue;
        }
        failedRounds = 0;
        if (round.read < this.batchSize) await this.waitForEntries();
      } catch (error) {
        if (!this.running) break;
        this.reportHealth(true, error);
        await backOff();
      }
    }
  }

  private async waitForEntries(): Promise<void> {
    if (!this.running) return;
    if (!this.blocking) {
      this.blocking = duplicateClient(this.redis);
      // Failures surface as rejected commands; without a listener ioredis prints each one.
      this.blocking.on('error', () => undefined);
    }
    await this.blocking.xread(
      'COUNT',
      1,
      'BLOCK',
      this.idleWaitMs,
      'STREAMS',
      this.keys.outbox,
      this.lastSeenId,
    );
  }

  private async renewLease(): Promise<void> {
    if (!this.leader || !this.running) return;
    try {
      this.leader = await this.lease.acquire();
      if (!this.leader) this.logger.warn('Lost the outbox relay lease to another process');
    } catch (error) {
      // Not knowing is not holding: the loop tries to take the lease again before publishing.
      this.leader = false;
      this.logger.warn(`Could not renew the outbox relay lease: ${errorMessage(error)}`);
    }
  }

  /** Moves unparseable entries aside (kept for a human) so they cannot block the outbox. */
  private async quarantine(entries: [string, string[]][]): Promise<void> {
    const transaction = this.redis.multi();
    for (const [entryId, fields] of entries) {
      transaction.xadd(this.keys.outboxMalformed, '*', 'entryId', entryId, ...fields);
    }
    transaction.xdel(this.keys.outbox, ...entries.map(([entryId]) => entryId));
    await transaction.exec();
  }

  /** Sleeps `ms`, or less when `stop()` wakes it. */
  private async pause(ms: number): Promise<void> {
    if (!this.running) return;
    this.wake = new AbortController();
    await sleep(ms, this.wake.signal);
  }

  /** Logs transitions only, so an outage gives two lines rather than one per round. */
  private reportHealth(failing: boolean, error: unknown): void {
    if (failing && !this.failing) {
      this.logger.warn(`Stock outbox relay cannot publish, retrying: ${errorMessage(error)}`);
    } else if (!failing && this.failing) {
      this.logger.log('Stock outbox relay publishes again');
    }
    this.failing = failing;
  }
}
