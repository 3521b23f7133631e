import type { OrderStatus, OrderView } from '@shop/contracts';
import { OrderNotFoundError } from '@shop/cart';
import type { StoredOrder } from '@shop/persistence';
import { StockNotFoundError } from '@shop/stock';
import {
  CANCEL_REPLAY_WINDOW_MS,
  cancelReturnKey,
  OrderDesk,
  type PendingOrders,
  type StockReturns,
  type StoredOrders,
} from './order-desk';

type StockChange = Parameters<StockReturns['apply']>[1];
type StockChangeResult = Awaited<ReturnType<StockReturns['apply']>>;
import { canTransition, OrderStatusConflictError, statusesLeadingTo } from './order-status';

const ID = 'a'.repeat(32);
const NOW = new Date('2026-03-01T12:00:00.000Z');

function view(status: OrderStatus): OrderView {
  return {
    id: ID,
    status,
    email: 'a@example.com',
    shippingAddress: { name: 'A', line1: '1 Road', city: 'Town', postcode: 'AB1', country: 'GB' },
    lines: [
      { productId: 3, name: 'Mug', unitPrice: 5, quantity: 2, lineTotal: 10 },
      { productId: 9, name: 'Pot', unitPrice: 7.5, quantity: 1, lineTotal: 7.5 },
    ],
    totals: { quantity: 3, subtotal: 17.5, total: 17.5 },
    placedAt: '2026-03-01T11:59:00.000Z',
  };
}

class FakeStored implements StoredOrders {
  order: StoredOrder | null = null;
  /** Makes the next compare-and-set lose to a concurrent move to this status. */
  raceTo: OrderStatus | undefined;

  findById(): Promise<StoredOrder | null> {
    return Promise.resolve(this.order && { ...this.order });
  }

  transition(
    _id: string,
    from: readonly OrderStatus[],
    to: OrderStatus,
    at: Date,
  ): Promise<boolean> {
    if (!this.order) return Promise.resolve(false);
    if (this.raceTo) {
      this.order = {
        ...this.order,
        status: this.raceTo,
        cancelledAt: this.raceTo === 'cancelled' ? at : null,
      };
      this.raceTo = undefined;
    }
    if (!from.includes(this.order.status)) return Promise.resolve(false);
    this.order = { ...this.order, status: to, cancelledAt: to === 'cancelled' ? at : null };
    return Promise.resolve(true);
  }
}

/** The ledger's Idempotency-Key memory: a key applies its change once. */
class FakeLedger implements StockReturns {
  readonly onHand = new Map<number, number>([
    [3, 0],
    [9, 0],
  ]);
  readonly keys = new Set<string>();
  changes = 0;

  apply(
    productId: number,
    change: StockChange,
    options: { idempotencyKey?: string } = {},
  ): Promise<StockChangeResult> {
    const level = this.onHand.get(productId);
    if (level === undefined) return Promise.reject(new StockNotFoundError(productId));
    const replayed = options.idempotencyKey !== undefined && this.keys.has(options.idempotencyKey);
    if (!replayed) {
      if (options.idempotencyKey) this.keys.add(options.idempotencyKey);
      this.onHand.set(productId, level + change.amount);
      this.changes += 1;
    }
    const onHand = this.onHand.get(productId) ?? 0;
    return Promise.resolve({ id: productId, stock: onHand, onHand, held: 0, version: 1, replayed });
  }
}

function setup(redisStatus: OrderStatus | null = 'pending'): {
  stored: FakeStored;
  ledger: FakeLedger;
  desk: OrderDesk;
  clock: { now: Date };
} {
  const stored = new FakeStored();
  const ledger = new FakeLedger();
  const pending: PendingOrders = {
    getOrder: () =>
      redisStatus ? Promise.resolve(view(redisStatus)) : Promise.reject(new OrderNotFoundError()),
  };
  const clock = { now: NOW };
  const desk = new OrderDesk(stored, pending, ledger, undefined, () => clock.now);
  return { stored, ledger, desk, clock };
}

describe('the order status machine', () => {
  it('is pending → confirmed → paid | cancelled, with paid and cancelled final', () => {
    expect(canTransition('pending', 'confirmed')).toBe(true);
    expect(canTransition('confirmed', 'paid')).toBe(true);
    expect(canTransition('confirmed', 'cancelled')).toBe(true);
    expect(canTransition('pending', 'cancelled')).toBe(false);
    expect(canTransition('paid', 'cancelled')).toBe(false);
    expect(canTransition('cancelled', 'confirmed')).toBe(false);
    expect(statusesLeadingTo('cancelled')).toEqual(['confirmed']);
  });
});

describe('OrderDesk.get', () => {
  it('answers from MySQL once the order is there, else the pending copy in Redis', async () => {
    const { stored, desk } = setup();
    expect((await desk.get(ID)).status).toBe('pending');
    stored.order = { ...view('confirmed'), cancelledAt: null };
    const confirmed = await desk.get(ID);
    expect(confirmed).toEqual(view('confirmed'));
  });

  it('is OrderNotFoundError for an unknown or malformed id', async () => {
    const { desk } = setup(null);
    await expect(desk.get(ID)).rejects.toThrow(OrderNotFoundError);
    await expect(desk.get('../etc')).rejects.toThrow(OrderNotFoundError);
  });
});

describe('OrderDesk.cancel', () => {
  it('cancels a confirmed order and puts each line back on hand once', async () => {
    const { stored, ledger, desk } = setup();
    stored.order = { ...view('confirmed'), cancelledAt: null };
    const cancelled = await desk.cancel(ID);
    expect(cancelled.status).toBe('cancelled');
    expect(stored.order.status).toBe('cancelled');
    expect([...ledger.onHand]).toEqual([
      [3, 2],
      [9, 1],
    ]);
    expect([...ledger.keys]).toEqual([cancelReturnKey(ID, 3), cancelReturnKey(ID, 9)]);
  });

  it('answers a second cancel 200 without returning the units twice', async () => {
    const { stored, ledger, desk, clock } = setup();
    stored.order = { ...view('confirmed'), cancelledAt: null };
    await desk.cancel(ID);
    expect((await desk.cancel(ID)).status).toBe('cancelled');
    clock.now = new Date(NOW.getTime() + CANCEL_REPLAY_WINDOW_MS + 1);
    expect((await desk.cancel(ID)).status).toBe('cancelled');
    expect(ledger.changes).toBe(2);
    expect(ledger.onHand.get(3)).toBe(2);
  });

  it('finishes a cancel that a crash interrupted after the status moved', async () => {
    const { stored, ledger, desk } = setup();
    stored.order = { ...view('cancelled'), cancelledAt: new Date(NOW.getTime() - 60_000) };
    ledger.keys.add(cancelReturnKey(ID, 3));
    await desk.cancel(ID);
    expect(ledger.onHand.get(3)).toBe(0);
    expect(ledger.onHand.get(9)).toBe(1);
  });

  it('takes a concurrent cancel as success, but not a concurrent payment', async () => {
    const { stored, ledger, desk } = setup();
    stored.order = { ...view('confirmed'), cancelledAt: null };
    stored.raceTo = 'cancelled';
    await expect(desk.cancel(ID)).resolves.toMatchObject({ status: 'cancelled' });
    expect(ledger.onHand.get(3)).toBe(2);

    const other = setup();
    other.stored.order = { ...view('confirmed'), cancelledAt: null };
    other.stored.raceTo = 'paid';
    await expect(other.desk.cancel(ID)).rejects.toThrow(OrderStatusConflictError);
    expect(other.ledger.changes).toBe(0);
  });

  it('refuses a paid order, and a pending one (not yet in MySQL), changing nothing', async () => {
    const { stored, ledger, desk } = setup('pending');
    await expect(desk.cancel(ID)).rejects.toThrow(/pending/);
    stored.order = { ...view('paid'), cancelledAt: null };
    await expect(desk.cancel(ID)).rejects.toThrow(OrderStatusConflictError);
    expect(ledger.changes).toBe(0);
    expect(stored.order.status).toBe('paid');
  });

  it('is OrderNotFoundError for an unknown order', async () => {
    await expect(setup(null).desk.cancel(ID)).rejects.toThrow(OrderNotFoundError);
  });

  it('skips the lines of products deleted since', async () => {
    const { stored, ledger, desk } = setup();
    ledger.onHand.delete(9);
    stored.order = { ...view('confirmed'), cancelledAt: null };
    await desk.cancel(ID);
    expect(ledger.onHand.get(3)).toBe(2);
  });
});
