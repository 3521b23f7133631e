import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ORDER_QUEUE_BINDINGS, OrderQueue, type OrderPlacedEvent } from '@shop/contracts';
import { consumerPattern } from '@shop/messaging';
import { OrdersMysqlSync, parseOrderPlacedMessage, splitUnlessOutage } from '@shop/sync';

/**
 * The order worker: `order.placed` into MySQL exactly once, then `order.confirmed`. Same queue
 * guarantees as the sync queues (quorum, acks after the handler resolved, retries, `.dead`).
 */
@Controller()
export class OrdersMysqlController {
  constructor(private readonly sync: OrdersMysqlSync) {}

  // A sale-day rush is hundreds of orders a second: one transaction and one confirmed publish
  // batch per batch of orders, not per order. Room for two batches, as the stock consumers.
  @EventPattern(
    'orders-mysql',
    consumerPattern({
      queue: OrderQueue.ToMysql,
      bindings: ORDER_QUEUE_BINDINGS[OrderQueue.ToMysql],
      parse: parseOrderPlacedMessage,
      batch: { maxSize: 200, maxWaitMs: 10 },
      prefetch: 400,
      splitFailedBatches: splitUnlessOutage,
    }),
  )
  async handle(@Payload() orders: OrderPlacedEvent[]): Promise<void> {
    await this.sync.handle(orders);
  }
}
