import { Logger } from '@nestjs/common';
import { backoffDelay, sleep } from '@shop/common';
import { CATALOG_EXCHANGE } from '@shop/contracts';
import type { OutboxMessage, OutboxRepository } from '@shop/persistence';

/** What the relay needs of a publisher: `ConfirmingPublisher.publishBatch` of @shop/messaging. */
export interface ConfirmedPublisher {
  /**
   * Writes the messages in order, then waits for every confirm; never rejects: one outcome per
   * message, in order, confirmed or with the reason it was not.
   */
  publishBatch(
    messages: readonly {
      exchange: string;
      routingKey: string;
      /** The payload JSON as stored: the relay never parses it. */
      body: Buffer;
      options: { messageId: string; type: string; timestamp?: Date; correlationId?: string };
    }[],
  ): Promise<readonly ({ confirmed: true } | { confirmed: false; error: Error })[]>;
}

export interface OutboxRelayOptions {
  batchSize?: number;
  /** Poll period while idle; `notify()` cuts it short after a write. */
  idleMs?: number;
  /** Longest wait between tries while the broker refuses. */
  maxBackoffMs?: number;
  /**
   * How long published rows are kept. A full reindex replays the products written since it
   * began from these rows, so this must exceed the longest reindex. Default 24 h.
   */
  retentionMs?: number;
  /** How often published rows older than `retentionMs` are deleted. Default 10 min. */
  pruneEveryMs?: number;
  /** Test seam. */
  now?: () => number;
}

/** Rows deleted per statement while pruning, so one prune never holds a long lock. */
const PRUNE_CHUNK = 5000;

export interface RelayRoundResult {
  published: number;
  failed: number;
}

/** Stable per outbox row, so a re-publish after a crash is recognised by consumers. */
export function outboxMessageId(message: Pick<OutboxMessage, 'id'>): string {
  return `outbox-${message.id}`;
}

/**
 * Publishes the MySQL outbox to the `catalog` exchange. A row is marked published only after the
 * broker's confirm, in the same transaction that claimed it: a crash between confirm and commit
 * re-publishes the row (consumers dedupe by message id and order by version), a failed publish
 * keeps it with its error for the next round. Unlike eShop's event log there is always a relay
 * running, and it retries with backoff until the broker takes the message.
 */
export class CatalogOutboxRelay {
  private readonly logger = new Logger(CatalogOutboxRelay.name);
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly maxBackoffMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: AbortController | undefined;
  /** A write committed while a round was running: go again without the idle wait. */
  private notified = false;
  private consecutiveFailures = 0;
  private readonly retentionMs: number;
  private readonly pruneEveryMs: number;
  private readonly now: () => number;
  private nextPruneAt: number;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly publisher: ConfirmedPublisher,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.idleMs = options.idleMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.retentionMs = options.retentionMs ?? 24 * 60 * 60 * 1000;
    this.pruneEveryMs = options.pruneEveryMs ?? 10 * 60 * 1000;
    this.now = options.now ?? Date.now;
    // Not at once: a restart loop should not turn into a delete loop.
    this.nextPruneAt = this.now() + this.pruneEveryMs;
  }

  /**
   * One claim-publish-mark round over the oldest unpublished rows: all of them written at once,
   * then the confirmed prefix marked. A row the broker did not confirm is kept with its error,
   * and so are the rows after it (they may belong to the same product): the next round sends
   * them again, and consumers dedupe by message id and order by version.
   */
  async relayOnce(): Promise<RelayRoundResult> {
    return this.outbox.withClaimedBatch(this.batchSize, async (messages, trx) => {
      if (messages.length === 0) return { published: 0, failed: 0 };
      const outcomes = await this.publisher.publishBatch(
        messages.map((message) => ({
          exchange: CATALOG_EXCHANGE,
          routingKey: message.eventType,
          body: Buffer.from(message.payloadJson),
          options: {
            messageId: outboxMessageId(message),
            type: message.eventType,
            timestamp: message.createdAt,
            // The admin request's id, so the sync worker's lines for it can be found.
            ...(message.correlationId ? { correlationId: message.correlationId } : {}),
          },
        })),
      );
      const firstFailure = outcomes.findIndex((outcome) => !outcome.confirmed);
      const confirmed = firstFailure === -1 ? messages.length : firstFailure;
      await this.outbox.markPublished(
        messages.slice(0, confirmed).map((message) => message.id),
        trx,
      );
      const outcome = outcomes[firstFailure];
      if (outcome && !outcome.confirmed) {
        const message = messages[firstFailure];
        await this.outbox.markFailed(message.id, outcome.error, trx);
        this.logger.warn(
          `outbox row ${message.id} (${message.eventType}) not published, will retry: ${String(outcome.error)}`,
        );
        return { published: confirmed, failed: 1 };
      }
      return { published: confirmed, failed: 0 };
    });
  }

  /** Cuts the idle wait short: a write just committed a row. */
  notify(): void {
    this.notified = true;
    this.wake?.abort();
  }

  /**
   * Deletes the rows published more than `retentionMs` ago, a chunk per statement; returns how
   * many went. Without it the table (and every scan of it) grows with every write ever made.
   */
  async pruneOnce(): Promise<number> {
    const before = new Date(this.now() - this.retentionMs);
    let pruned = 0;
    for (;;) {
      const deleted = await this.outbox.prunePublished(before, PRUNE_CHUNK);
      pruned += deleted;
      if (deleted < PRUNE_CHUNK || !this.running) return pruned;
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the round in flight, so no claimed row is left half-handled. */
  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let wait = this.idleMs;
      this.notified = false;
      try {
        const round = await this.relayOnce();
        if (round.failed > 0) {
          this.consecutiveFailures += 1;
          wait = this.backoff();
        } else {
          this.consecutiveFailures = 0;
          // A full batch means more are waiting: go again at once.
          if (round.published >= this.batchSize) wait = 0;
        }
      } catch (error) {
        this.consecutiveFailures += 1;
        wait = this.backoff();
        this.logger.error(`outbox relay round failed: ${String(error)}`);
      }
      if (this.notified && this.consecutiveFailures === 0) wait = 0;
      if (this.now() >= this.nextPruneAt) await this.pruneDue();
      if (wait > 0 && this.running) await this.sleep(wait);
    }
  }

  private async pruneDue(): Promise<void> {
    this.nextPruneAt = this.now() + this.pruneEveryMs;
    try {
      const pruned = await this.pruneOnce();
      if (pruned > 0) this.logger.log(`pruned ${pruned} published outbox row(s)`);
    } catch (error) {
      // Not urgent: the rows stay until the next try.
      this.logger.warn(
        `outbox prune failed, next try in ${this.pruneEveryMs} ms: ${String(error)}`,
      );
    }
  }

  private backoff(): number {
    return backoffDelay(this.consecutiveFailures, { initialMs: 200, maxMs: this.maxBackoffMs });
  }

  /** Sleeps `ms`, or less when `notify()` or `stop()` wakes it. */
  private async sleep(ms: number): Promise<void> {
    this.wake = new AbortController();
    await sleep(ms, this.wake.signal);
  }
}
