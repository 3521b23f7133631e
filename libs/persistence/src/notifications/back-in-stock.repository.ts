import { Injectable } from '@nestjs/common';
import type { BackInStockStatus } from '@shop/contracts';
import { Kysely, sql, type Selectable } from 'kysely';
import { InjectDatabase } from '../database.tokens';
import { isDuplicateKeyError, orDatabaseUnavailable } from '../errors';
import type { BackInStockSubscriptionsTable, Database } from '../schema';

/** A subscription as MySQL has it. */
export interface BackInStockSubscription {
  id: number;
  productId: number;
  email: string;
  status: BackInStockStatus;
  round: number;
  subscribedAt: Date;
  sentAt: Date | null;
}

export interface BackInStockSubscribeResult {
  subscription: BackInStockSubscription;
  /** False when the same email already waited for the product: the row is unchanged. */
  created: boolean;
}

const UNIQUE_KEY = 'uq_back_in_stock_email_product';

function toSubscription(row: Selectable<BackInStockSubscriptionsTable>): BackInStockSubscription {
  return {
    id: Number(row.id),
    productId: row.product_id,
    email: row.email,
    status: row.status,
    round: row.round,
    subscribedAt: new Date(row.subscribed_at),
    sentAt: row.sent_at === null ? null : new Date(row.sent_at),
  };
}

/**
 * Back-in-stock subscriptions (migration 0013). The sign-up writes them; the notifier claims each
 * one, sends, and marks it sent or rejected. Every state change is a compare-and-set on the row,
 * so two workers (or a worker and its own redelivered message) never both act on one subscriber.
 */
@Injectable()
export class BackInStockRepository {
  constructor(@InjectDatabase() private readonly db: Kysely<Database>) {}

  /**
   * One subscription per (email, product). A pending one is returned as it is (`created: false`);
   * one already sent or rejected starts a new round (pending again, `created: true`), so a shopper
   * can ask again after the next sell-out without a second row.
   */
  async subscribe(productId: number, email: string, at: Date): Promise<BackInStockSubscribeResult> {
    return orDatabaseUnavailable(async () => {
      try {
        const inserted = await this.db
          .insertInto('back_in_stock_subscriptions')
          .values({ product_id: productId, email, subscribed_at: at })
          .executeTakeFirstOrThrow();
        const id = Number(inserted.insertId);
        return { subscription: await this.byIdOrThrow(id), created: true };
      } catch (error) {
        if (!isDuplicateKeyError(error, UNIQUE_KEY)) throw error;
      }
      const existing = await this.db
        .selectFrom('back_in_stock_subscriptions')
        .selectAll()
        .where('email', '=', email)
        .where('product_id', '=', productId)
        .executeTakeFirstOrThrow();
      if (existing.status === 'pending') {
        return { subscription: toSubscription(existing), created: false };
      }
      // Only the caller that moves it out of sent/rejected starts the round; a concurrent twin
      // finds it pending and answers it unchanged.
      const reopened = await this.db
        .updateTable('back_in_stock_subscriptions')
        .set({
          status: 'pending',
          round: sql<number>`round + 1`,
          subscribed_at: at,
          claim_token: null,
          claimed_at: null,
          sent_at: null,
          last_error: null,
        })
        .where('id', '=', existing.id)
        .where('status', '!=', 'pending')
        .executeTakeFirst();
      return {
        subscription: await this.byIdOrThrow(Number(existing.id)),
        created: Number(reopened.numUpdatedRows) === 1,
      };
    });
  }

  /** The product's pending subscriptions after `afterId`, oldest first (at most `limit`). */
  async pendingFor(
    productId: number,
    afterId = 0,
    limit = 1000,
  ): Promise<BackInStockSubscription[]> {
    return orDatabaseUnavailable(async () => {
      const rows = await this.db
        .selectFrom('back_in_stock_subscriptions')
        .selectAll()
        .where('product_id', '=', productId)
        .where('status', '=', 'pending')
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toSubscription);
    });
  }

  /**
   * Claims a pending subscription for `token`: succeeds when nobody holds it, when `token`
   * already does (the same event, redelivered after its worker died), or when the holder's claim
   * is older than `staleBefore` (a worker that gave up on it). Returns whether this call holds it.
   */
  async claim(id: number, token: string, at: Date, staleBefore: Date): Promise<boolean> {
    const result = await orDatabaseUnavailable(() =>
      this.db
        .updateTable('back_in_stock_subscriptions')
        .set({ claim_token: token, claimed_at: at })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where((eb) =>
          eb.or([
            eb('claim_token', 'is', null),
            eb('claim_token', '=', token),
            eb('claimed_at', '<', staleBefore),
          ]),
        )
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }

  /** Marks a claimed subscription sent (or, for a refused address, rejected); false if not held. */
  async finish(
    id: number,
    token: string,
    outcome: { status: 'sent'; at: Date } | { status: 'rejected'; at: Date; error: string },
  ): Promise<boolean> {
    const result = await orDatabaseUnavailable(() =>
      this.db
        .updateTable('back_in_stock_subscriptions')
        .set({
          status: outcome.status,
          sent_at: outcome.status === 'sent' ? outcome.at : null,
          last_error: outcome.status === 'rejected' ? outcome.error.slice(0, 500) : null,
          claim_token: null,
          claimed_at: null,
        })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('claim_token', '=', token)
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }

  /** Subscriptions by id (tests and tools). */
  async findByIds(ids: readonly number[]): Promise<BackInStockSubscription[]> {
    if (ids.length === 0) return [];
    return orDatabaseUnavailable(async () => {
      const rows = await this.db
        .selectFrom('back_in_stock_subscriptions')
        .selectAll()
        .where('id', 'in', [...ids])
        .orderBy('id')
        .execute();
      return rows.map(toSubscription);
    });
  }

  private async byIdOrThrow(id: number): Promise<BackInStockSubscription> {
    const row = await this.db
      .selectFrom('back_in_stock_subscriptions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return toSubscription(row);
  }
}
