import { Injectable } from '@nestjs/common';
import { Kysely } from 'kysely';
import { InjectDatabase } from '../database.tokens';
import type { Database } from '../schema';

/**
 * Remembers which messages each consumer has handled, so a redelivered message is recognised.
 * Record the id in the same transaction as the message's effect: if the effect rolls back, so
 * does the record, and the redelivery is handled again.
 */
@Injectable()
export class ProcessedMessageRepository {
  constructor(@InjectDatabase() private readonly db: Kysely<Database>) {}

  /**
   * Records `messageId` for `consumer`; false when it was already recorded (a duplicate). A
   * concurrent duplicate waits on the first one's row lock and then gets false, or true if the
   * first one rolled back.
   */
  async tryRecord(
    executor: Kysely<Database>,
    consumer: string,
    messageId: string,
  ): Promise<boolean> {
    const result = await executor
      .insertInto('processed_messages')
      .ignore()
      .values({ consumer, message_id: messageId, processed_at: new Date() })
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async has(consumer: string, messageId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('processed_messages')
      .select('message_id')
      .where('consumer', '=', consumer)
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Forgets records older than `before` (a redelivery older than that is not expected any more);
   * at most `limit` per call so one prune never holds locks for long. Returns how many went.
   */
  async prune(before: Date, limit = 10_000): Promise<number> {
    const result = await this.db
      .deleteFrom('processed_messages')
      .where('processed_at', '<', before)
      .limit(limit)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
