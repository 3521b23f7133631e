import { Injectable } from '@nestjs/common';
import { Kysely, Transaction } from 'kysely';
import { errorMessage } from '@shop/common';
import { InjectDatabase } from '../database.tokens';
import type { Database, OutboxRow } from '../schema';

/** What a write appends to the outbox, in the same transaction as the write itself. */
export interface OutboxEventInput {
  /** E.g. `product`. */
  aggregateType: string;
  aggregateId: string | number;
  /** The routing key the relay publishes with, e.g. `product.upserted`. */
  eventType: string;
  /** Serialised with JSON.stringify. */
  payload: unknown;
  /** The request id of the write, published as the AMQP `correlationId`. */
  correlationId?: string;
}

export interface OutboxMessage {
  id: number;
  aggregateType: string;
  aggregateId: string;
  eventType: string;
  /** The payload as JSON text, ready to publish as a message body. */
  payloadJson: string;
  createdAt: Date;
  /** Failed publish attempts so far. */
  attempts: number;
  lastError: string | null;
  /** The request id of the write; null when it was made outside a request. */
  correlationId: string | null;
}

const MAX_ERROR_LENGTH = 2000;

export function toOutboxMessage(row: OutboxRow): OutboxMessage {
  return {
    id: row.id,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    eventType: row.event_type,
    payloadJson: row.payload,
    createdAt: row.created_at,
    attempts: row.attempts,
    lastError: row.last_error,
    correlationId: row.correlation_id,
  };
}

/**
 * The transactional outbox: writers append an event in their own transaction, a relay publishes
 * unpublished rows oldest first and marks them. Rows of one aggregate are appended while its row
 * is locked, so their ids follow commit order and a single relay publishes them in order.
 *
 * Several relays may run at once: `claimBatch` inside a transaction locks the rows it returns
 * with `FOR UPDATE SKIP LOCKED` (MySQL 8 and MariaDB >= 10.6), so each row goes to one relay.
 * Across relays, two events of one product may then be published out of order; consumers order
 * them by the `version` in the payload.
 */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDatabase() private readonly db: Kysely<Database>) {}

  /** Appends one event through `executor` (normally the writer's transaction); returns its id. */
  async append(executor: Kysely<Database>, event: OutboxEventInput): Promise<number> {
    const result = await executor
      .insertInto('outbox')
      .values({
        aggregate_type: event.aggregateType,
        aggregate_id: String(event.aggregateId),
        event_type: event.eventType,
        payload: JSON.stringify(event.payload),
        correlation_id: event.correlationId ?? null,
      })
      .executeTakeFirstOrThrow();
    return Number(result.insertId);
  }

  /**
   * Up to `limit` unpublished messages, oldest first. Inside a transaction the rows stay locked
   * (and invisible to other relays' claims) until it ends; outside one the lock ends with the
   * statement, which is enough for a single relay.
   */
  async claimBatch(limit: number, executor: Kysely<Database> = this.db): Promise<OutboxMessage[]> {
    const rows = await executor
      .selectFrom('outbox')
      .selectAll()
      .where('published_at', 'is', null)
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows.map(toOutboxMessage);
  }

  /**
   * Claims a batch in a transaction, hands it to `relay` and commits what the relay marked
   * (with `markPublished`/`markFailed` on the given transaction). If `relay` throws, nothing is
   * marked and the rows are claimable again.
   */
  async withClaimedBatch<T>(
    limit: number,
    relay: (messages: OutboxMessage[], trx: Transaction<Database>) => Promise<T>,
  ): Promise<T> {
    return this.db
      .transaction()
      .execute(async (trx) => relay(await this.claimBatch(limit, trx), trx));
  }

  async markPublished(
    ids: readonly number[],
    executor: Kysely<Database> = this.db,
    publishedAt: Date = new Date(),
  ): Promise<void> {
    if (ids.length === 0) return;
    await executor
      .updateTable('outbox')
      .set({ published_at: publishedAt })
      .where('id', 'in', [...ids])
      .where('published_at', 'is', null)
      .execute();
  }

  /** Counts a failed publish and keeps its reason; the row stays unpublished for a later try. */
  async markFailed(
    id: number,
    error: unknown,
    executor: Kysely<Database> = this.db,
  ): Promise<void> {
    const reason = errorMessage(error);
    await executor
      .updateTable('outbox')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_error: reason.slice(0, MAX_ERROR_LENGTH),
      }))
      .where('id', '=', id)
      .execute();
  }

  async countUnpublished(): Promise<number> {
    const { count } = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('published_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  /** When the oldest unpublished message was written, or null when none waits: relay lag. */
  async oldestUnpublishedAt(): Promise<Date | null> {
    const row = await this.db
      .selectFrom('outbox')
      .select('created_at')
      .where('published_at', 'is', null)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return row?.created_at ?? null;
  }

  /**
   * Ids of the aggregates of one type that had an event written at or after `since`: what a
   * full reindex must replay, since writes during its load went to the index it replaced.
   */
  async aggregatesChangedSince(aggregateType: string, since: Date): Promise<string[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .select('aggregate_id')
      .distinct()
      .where('aggregate_type', '=', aggregateType)
      .where('created_at', '>=', since)
      .execute();
    return rows.map((row) => row.aggregate_id);
  }

  /** Deletes up to `limit` messages published before `before`; returns how many went. */
  async prunePublished(before: Date, limit = 10_000): Promise<number> {
    const result = await this.db
      .deleteFrom('outbox')
      .where('published_at', '<', before)
      // The order of ix_outbox_unpublished (published_at, id): the scan stops at `limit` rows.
      .orderBy('published_at')
      .limit(limit)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
