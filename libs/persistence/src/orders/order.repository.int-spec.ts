import type { OrderPlacedEvent } from '@shop/contracts';
import { createTestDatabase, TestDatabase } from '../testing/test-database';
import { OrderRepository } from './order.repository';

function placed(n: number, quantity = 2): OrderPlacedEvent {
  const hex = n.toString(16).padStart(32, '0');
  return {
    orderId: hex,
    cartId: `c${hex.slice(1)}`,
    email: `shopper${n}@example.com`,
    shippingAddress: { name: 'A', line1: '1 Road', city: 'Town', postcode: 'AB1', country: 'GB' },
    lines: [
      { productId: 7, name: 'Kettle', unitPrice: 19.99, quantity, lineTotal: 19.99 * quantity },
      { productId: 8, name: 'Mug', unitPrice: 4.5, quantity: 1, lineTotal: 4.5 },
    ],
    totals: {
      quantity: quantity + 1,
      subtotal: 19.99 * quantity + 4.5,
      total: 19.99 * quantity + 4.5,
    },
    placedAt: '2026-01-02T03:04:05.678Z',
  };
}

describe('OrderRepository (MySQL)', () => {
  let test: TestDatabase;
  let orders: OrderRepository;
  const confirmedAt = new Date('2026-01-02T03:04:06.000Z');

  beforeAll(async () => {
    test = await createTestDatabase();
    orders = new OrderRepository(test.db);
  });

  afterAll(async () => {
    await test?.drop();
  });

  it('writes orders and their lines as confirmed, and reads them back as GET /orders/:id shows them', async () => {
    expect(await orders.insertConfirmed([placed(1), placed(2)], confirmedAt)).toEqual({
      inserted: [placed(1).orderId, placed(2).orderId],
      existing: [],
    });
    const { cancelledAt, ...view } = (await orders.findById(placed(1).orderId))!;
    expect(cancelledAt).toBeNull();
    const source = placed(1);
    expect(view).toEqual({
      id: source.orderId,
      status: 'confirmed',
      email: source.email,
      shippingAddress: source.shippingAddress,
      lines: source.lines,
      totals: source.totals,
      placedAt: source.placedAt,
    });
    expect(await orders.findById('f'.repeat(32))).toBeNull();
  });

  it('writes a redelivered order once and leaves a later status alone', async () => {
    await orders.insertConfirmed([placed(3)], confirmedAt);
    expect(await orders.transition(placed(3).orderId, ['confirmed'], 'cancelled', new Date())).toBe(
      true,
    );
    const again = await orders.insertConfirmed([placed(3, 5), placed(3), placed(4)], confirmedAt);
    expect(again).toEqual({ inserted: [placed(4).orderId], existing: [placed(3).orderId] });
    const stored = await orders.findById(placed(3).orderId);
    expect(stored?.status).toBe('cancelled');
    expect(stored?.lines[0].quantity).toBe(2);
    expect(await orders.countExisting([placed(3).orderId, placed(4).orderId, 'e'.repeat(32)])).toBe(
      2,
    );
  });

  it('writes each order once when two workers write the same batch at once', async () => {
    const batch = [placed(10), placed(11), placed(12)];
    await Promise.all([
      orders.insertConfirmed(batch, confirmedAt),
      orders.insertConfirmed(batch, confirmedAt),
    ]);
    expect(await orders.countExisting(batch.map((order) => order.orderId))).toBe(3);
    const rows = await test.db
      .selectFrom('order_lines')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(
        'order_id',
        'in',
        batch.map((order) => order.orderId),
      )
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(6);
  });

  it('moves a status only from the allowed ones (compare-and-set)', async () => {
    await orders.insertConfirmed([placed(20)], confirmedAt);
    const id = placed(20).orderId;
    const at = new Date('2026-01-03T00:00:00.000Z');
    const moves = await Promise.all([
      orders.transition(id, ['confirmed'], 'cancelled', at),
      orders.transition(id, ['confirmed'], 'paid', at),
    ]);
    expect(moves.filter(Boolean)).toHaveLength(1);
    expect(await orders.transition(id, ['confirmed'], 'cancelled', at)).toBe(false);
  });
});
