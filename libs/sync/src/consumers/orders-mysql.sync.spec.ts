import {
  ORDERS_EXCHANGE,
  OrderRoutingKey,
  type OrderConfirmedEvent,
  type OrderPlacedEvent,
} from '@shop/contracts';
import { PoisonMessageError, type OutgoingMessage, type PublishOutcome } from '@shop/messaging';
import type { OrderInsertResult } from '@shop/persistence';
import type { OrderConfirmedPublisher, OrderWriter } from '../ports';
import { OrdersMysqlSync, parseOrderPlacedMessage } from './orders-mysql.sync';

const NOW = new Date('2026-01-02T03:04:05.000Z');

function placed(n: number): OrderPlacedEvent {
  const hex = n.toString(16).padStart(32, '0');
  return {
    orderId: hex,
    cartId: hex.replace(/^0/, 'c'),
    email: `shopper${n}@example.com`,
    shippingAddress: { name: 'A', line1: '1 Road', city: 'Town', postcode: 'AB1', country: 'GB' },
    lines: [{ productId: 7, name: 'Kettle', unitPrice: 19.99, quantity: 2, lineTotal: 39.98 }],
    totals: { quantity: 2, subtotal: 39.98, total: 39.98 },
    placedAt: '2026-01-02T03:04:00.000Z',
  };
}

/** MySQL's `orders` table as its unique key on id sees it: an id is stored once. */
class FakeOrders implements OrderWriter {
  readonly stored = new Map<string, { order: OrderPlacedEvent; confirmedAt: Date }>();
  failNext: Error | undefined;

  insertConfirmed(
    orders: readonly OrderPlacedEvent[],
    confirmedAt: Date,
  ): Promise<OrderInsertResult> {
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      return Promise.reject(error);
    }
    const result: OrderInsertResult = { inserted: [], existing: [] };
    for (const order of orders) {
      if (this.stored.has(order.orderId)) {
        if (!result.existing.includes(order.orderId)) result.existing.push(order.orderId);
        continue;
      }
      this.stored.set(order.orderId, { order, confirmedAt });
      result.inserted.push(order.orderId);
    }
    return Promise.resolve(result);
  }
}

class FakePublisher implements OrderConfirmedPublisher {
  readonly sent: OutgoingMessage[] = [];
  refuse = new Set<string>();

  publishBatch(messages: readonly OutgoingMessage[]): Promise<PublishOutcome[]> {
    return Promise.resolve(
      messages.map((message): PublishOutcome => {
        const id = (message.body as OrderConfirmedEvent).orderId;
        if (this.refuse.has(id)) return { message, confirmed: false, error: new Error('nack') };
        this.sent.push(message);
        return { message, confirmed: true };
      }),
    );
  }
}

/** The Redis copies: which orders were reported confirmed, and when (after which publish). */
class FakeCopies {
  readonly confirmed: string[][] = [];
  readonly confirmedAfter: number[] = [];
  failNext: Error | undefined;

  constructor(private readonly publisher: FakePublisher) {}

  readonly port = {
    confirmed: (orderIds: readonly string[]): Promise<void> => {
      const failure = this.failNext;
      this.failNext = undefined;
      if (failure) return Promise.reject(failure);
      this.confirmed.push([...orderIds]);
      this.confirmedAfter.push(this.publisher.sent.length);
      return Promise.resolve();
    },
  };
}

interface Setup {
  orders: FakeOrders;
  publisher: FakePublisher;
  copies: FakeCopies;
  warnings: string[];
  sync: OrdersMysqlSync;
}

function setup(): Setup {
  const orders = new FakeOrders();
  const publisher = new FakePublisher();
  const copies = new FakeCopies(publisher);
  const warnings: string[] = [];
  const logger = {
    log: () => undefined,
    warn: (line: string) => warnings.push(line),
    error: () => undefined,
  };
  const sync = new OrdersMysqlSync(orders, publisher, copies.port, logger, () => NOW);
  return { orders, publisher, copies, warnings, sync };
}

describe('OrdersMysqlSync', () => {
  it('writes each order once, as confirmed, then publishes order.confirmed for it', async () => {
    const { orders, publisher, sync } = setup();
    const result = await sync.handle([placed(1), placed(2)]);
    expect(result).toEqual({ inserted: 2, existing: 0, published: 2 });
    expect([...orders.stored.keys()]).toEqual([placed(1).orderId, placed(2).orderId]);
    expect(orders.stored.get(placed(1).orderId)?.confirmedAt).toEqual(NOW);
    expect(publisher.sent.map((message) => [message.exchange, message.routingKey])).toEqual([
      [ORDERS_EXCHANGE, OrderRoutingKey.Confirmed],
      [ORDERS_EXCHANGE, OrderRoutingKey.Confirmed],
    ]);
    expect(publisher.sent[0].options.messageId).toBe(`${placed(1).orderId}:confirmed`);
    expect(publisher.sent[0].body).toEqual({
      orderId: placed(1).orderId,
      status: 'confirmed',
      email: 'shopper1@example.com',
      totals: placed(1).totals,
      placedAt: placed(1).placedAt,
      confirmedAt: NOW.toISOString(),
    });
  });

  it('leaves a redelivered order as it is and confirms it again (at least once)', async () => {
    const { orders, publisher, sync } = setup();
    await sync.handle([placed(1)]);
    const result = await sync.handle([placed(1), placed(1), placed(3)]);
    expect(result).toEqual({ inserted: 1, existing: 1, published: 2 });
    expect(orders.stored.size).toBe(2);
    expect(publisher.sent).toHaveLength(3);
  });

  it('shortens the Redis copies of every order of the batch once they are confirmed', async () => {
    const { copies, sync } = setup();
    await sync.handle([placed(1)]);
    await sync.handle([placed(1), placed(2), placed(2)]);
    expect(copies.confirmed).toEqual([[placed(1).orderId], [placed(1).orderId, placed(2).orderId]]);
    // After their order.confirmed: 1 published before the first call, 3 before the second.
    expect(copies.confirmedAfter).toEqual([1, 3]);
  });

  it('succeeds with a warning when Redis refuses to shorten the copies (they keep their TTL)', async () => {
    const { orders, copies, warnings, sync } = setup();
    copies.failNext = new Error('redis is unavailable');
    await expect(sync.handle([placed(1)])).resolves.toEqual({
      inserted: 1,
      existing: 0,
      published: 1,
    });
    expect(orders.stored.size).toBe(1);
    expect(warnings).toEqual([expect.stringContaining('redis is unavailable')]);
  });

  it('fails the batch when MySQL fails, before anything is published', async () => {
    const { orders, publisher, copies, sync } = setup();
    orders.failNext = new Error('connection lost');
    await expect(sync.handle([placed(1)])).rejects.toThrow('connection lost');
    expect(publisher.sent).toHaveLength(0);
    expect(copies.confirmed).toEqual([]);
    // The retry (redelivery) writes it.
    await sync.handle([placed(1)]);
    expect(orders.stored.size).toBe(1);
  });

  it('fails the batch when the broker does not confirm order.confirmed, so it is retried', async () => {
    const { orders, publisher, copies, sync } = setup();
    publisher.refuse.add(placed(2).orderId);
    await expect(sync.handle([placed(1), placed(2)])).rejects.toThrow(
      /not confirmed by the broker for 1 order/,
    );
    expect(copies.confirmed).toEqual([]);
    publisher.refuse.clear();
    const retry = await sync.handle([placed(1), placed(2)]);
    expect(retry).toEqual({ inserted: 0, existing: 2, published: 2 });
    expect(orders.stored.size).toBe(2);
  });
});

describe('parseOrderPlacedMessage', () => {
  it('accepts the checkout contract', () => {
    expect(parseOrderPlacedMessage(placed(5))).toEqual(placed(5));
  });

  it.each([
    ['no lines', { ...placed(1), lines: [] }],
    ['a bad order id', { ...placed(1), orderId: 'ORDER-1' }],
    ['no email', { ...placed(1), email: undefined }],
    ['not an object', 'order'],
  ])('makes %s poison (dead-lettered, never retried)', (_what, body) => {
    expect(() => parseOrderPlacedMessage(body)).toThrow(PoisonMessageError);
  });
});
