import {
  MessageType,
  ORDERS_EXCHANGE,
  orderPlacedEventSchema,
  OrderRoutingKey,
  type OrderConfirmedEvent,
  type OrderPlacedEvent,
} from '@shop/contracts';
import { PoisonMessageError, type OutgoingMessage } from '@shop/messaging';
import { errorMessage, SILENT_LOGGER, type LoggerLike } from '@shop/common';
import { z } from 'zod';
import type { OrderConfirmedPublisher, OrderCopies, OrderWriter } from '../ports';

export interface OrdersMysqlResult {
  /** Orders this batch wrote to MySQL. */
  inserted: number;
  /** Orders MySQL already had: redeliveries, written by an earlier attempt. */
  existing: number;
  /** `order.confirmed` messages confirmed by the broker. */
  published: number;
}

/** An `orders` exchange `order.placed` body; anything else is poison (see events.ts). */
export function parseOrderPlacedMessage(raw: unknown): OrderPlacedEvent {
  const result = orderPlacedEventSchema.safeParse(raw);
  if (!result.success) {
    throw new PoisonMessageError(
      `not an order.placed: ${z.prettifyError(result.error).replace(/\s+/g, ' ')}`,
    );
  }
  return result.data;
}

/** One `order.confirmed` per order, `messageId` `<orderId>:confirmed`. */
export function orderConfirmedMessage(order: OrderPlacedEvent, confirmedAt: Date): OutgoingMessage {
  const body: OrderConfirmedEvent = {
    orderId: order.orderId,
    status: 'confirmed',
    email: order.email,
    totals: order.totals,
    placedAt: order.placedAt,
    confirmedAt: confirmedAt.toISOString(),
  };
  return {
    exchange: ORDERS_EXCHANGE,
    routingKey: OrderRoutingKey.Confirmed,
    body,
    options: {
      messageId: `${order.orderId}:confirmed`,
      type: MessageType.OrderConfirmed,
      timestamp: confirmedAt,
    },
  };
}

/** `order.confirmed` could not be published for some orders: the batch is retried. */
export class OrderConfirmationPublishError extends Error {
  constructor(
    readonly orderIds: readonly string[],
    cause: unknown,
  ) {
    super(`order.confirmed not confirmed by the broker for ${orderIds.length} order(s)`, { cause });
    this.name = 'OrderConfirmationPublishError';
  }
}

/**
 * The order worker: `order.placed` into MySQL exactly once, as `confirmed`, then `order.confirmed`
 * on the `orders` exchange.
 *
 * Writing the row as `confirmed` in the same transaction as its lines is the "write, then mark
 * confirmed" of the issue without a window in which MySQL holds a half-written or pending order.
 * The steps are ordered so that a crash anywhere is repaired by redelivery: the message is acked
 * only after this resolves; a redelivered order finds its row (unique id) and changes nothing,
 * and its `order.confirmed` is published again, which is why that event is at-least-once. A
 * publish that the broker does not confirm fails the batch, so it is retried, never dropped.
 * Last, the Redis copies of the batch's orders are shortened (see PlacedOrderCopies); if Redis
 * refuses, the copies keep their TTL and the batch still succeeds: nothing is lost either way.
 */
export class OrdersMysqlSync {
  constructor(
    private readonly orders: OrderWriter,
    private readonly publisher: OrderConfirmedPublisher,
    private readonly copies: OrderCopies,
    private readonly logger: LoggerLike = SILENT_LOGGER,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async handle(messages: readonly OrderPlacedEvent[]): Promise<OrdersMysqlResult> {
    const confirmedAt = this.clock();
    const written = await this.orders.insertConfirmed(messages, confirmedAt);
    if (written.existing.length > 0) {
      this.logger.log(
        `orders-mysql: ${written.existing.length} order(s) already in MySQL (redelivered), ` +
          `unchanged: ${written.existing.slice(0, 10).join(', ')}`,
      );
    }
    const byId = new Map(messages.map((order) => [order.orderId, order]));
    const outgoing = [...byId.values()].map((order) => orderConfirmedMessage(order, confirmedAt));
    const outcomes = await this.publisher.publishBatch(outgoing);
    const failed = outcomes.filter((outcome) => !outcome.confirmed);
    if (failed.length > 0) {
      const first = failed[0];
      throw new OrderConfirmationPublishError(
        failed.map((outcome) => (outcome.message.body as OrderConfirmedEvent).orderId),
        first.confirmed ? undefined : first.error,
      );
    }
    await this.copies.confirmed([...byId.keys()]).catch((error: unknown) => {
      this.logger.warn(
        `orders-mysql: the Redis copies of ${byId.size} order(s) keep their TTL: ` +
          errorMessage(error),
      );
    });
    return {
      inserted: written.inserted.length,
      existing: written.existing.length,
      published: outcomes.length,
    };
  }
}
