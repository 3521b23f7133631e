import { Injectable } from '@nestjs/common';
import type { OrderPlacedEvent, OrderStatus, OrderView } from '@shop/contracts';
import { Kysely, sql, type Insertable } from 'kysely';
import { InjectDatabase } from '../database.tokens';
import { orDatabaseUnavailable } from '../errors';
import type { Database, OrderLinesTable, OrdersTable } from '../schema';
import { inTransaction } from '../transaction';

/** An order as MySQL has it: what `GET /orders/:id` shows, and when it was cancelled. */
export interface StoredOrder extends OrderView {
  cancelledAt: Date | null;
}

export interface OrderInsertResult {
  /** Orders this call wrote. */
  inserted: string[];
  /** Orders MySQL already had (a redelivery): left exactly as they were. */
  existing: string[];
}

/** Which timestamp column records reaching a status. */
const STATUS_TIMESTAMP = {
  confirmed: 'confirmed_at',
  paid: 'paid_at',
  cancelled: 'cancelled_at',
} as const;

function orderRow(order: OrderPlacedEvent, confirmedAt: Date): Insertable<OrdersTable> {
  const address = order.shippingAddress;
  return {
    id: order.orderId,
    cart_id: order.cartId,
    status: 'confirmed',
    email: order.email,
    ship_name: address.name,
    ship_line1: address.line1,
    ship_line2: address.line2 ?? null,
    ship_city: address.city,
    ship_postcode: address.postcode,
    ship_country: address.country,
    total_quantity: order.totals.quantity,
    subtotal: order.totals.subtotal,
    total: order.totals.total,
    placed_at: new Date(order.placedAt),
    confirmed_at: confirmedAt,
  };
}

function lineRows(order: OrderPlacedEvent): Insertable<OrderLinesTable>[] {
  return order.lines.map((line, index) => ({
    order_id: order.orderId,
    line_no: index + 1,
    product_id: line.productId,
    name: line.name,
    unit_price: line.unitPrice,
    quantity: line.quantity,
    line_total: line.lineTotal,
  }));
}

/**
 * Orders in MySQL, written by the order worker from `order.placed`. The order id is the primary
 * key, so writing an order twice (a redelivery after a crash between the commit and the ack)
 * changes nothing: that is the "exactly once in MySQL" of the order worker.
 */
@Injectable()
export class OrderRepository {
  constructor(@InjectDatabase() private readonly db: Kysely<Database>) {}

  /**
   * Writes the orders and their lines as `confirmed`, in one transaction and two multi-row
   * statements. An order already stored is left alone (`ON DUPLICATE KEY UPDATE id = id` rather
   * than INSERT IGNORE, which would also swallow real errors such as a truncated value), and so
   * are its lines: a redelivered order never overwrites a later status such as `cancelled`.
   *
   * No locking read first: `SELECT ... FOR UPDATE` on ids that do not exist yet takes gap locks,
   * and two workers' batches would deadlock on them. Two writers of the same new order (only a
   * redelivery racing its first delivery) both see it as new; the unique key on id makes the second
   * insert a no-op, so only `inserted` may count it twice, never the table. Rows go in id order
   * so concurrent batches take their locks in the same order.
   */
  async insertConfirmed(
    orders: readonly OrderPlacedEvent[],
    confirmedAt: Date,
  ): Promise<OrderInsertResult> {
    const unique = [...new Map(orders.map((order) => [order.orderId, order])).values()].sort(
      (a, b) => (a.orderId < b.orderId ? -1 : 1),
    );
    if (unique.length === 0) return { inserted: [], existing: [] };
    return orDatabaseUnavailable(() =>
      inTransaction(this.db, async (trx) => {
        const ids = unique.map((order) => order.orderId);
        const found = await trx.selectFrom('orders').select('id').where('id', 'in', ids).execute();
        const existing = new Set(found.map((row) => row.id));
        const fresh = unique.filter((order) => !existing.has(order.orderId));
        if (fresh.length > 0) {
          await trx
            .insertInto('orders')
            .values(fresh.map((order) => orderRow(order, confirmedAt)))
            .onDuplicateKeyUpdate({ id: sql<string>`id` })
            .execute();
          await trx
            .insertInto('order_lines')
            .values(fresh.flatMap(lineRows))
            .onDuplicateKeyUpdate({ order_id: sql<string>`order_id` })
            .execute();
        }
        return {
          inserted: fresh.map((order) => order.orderId),
          existing: ids.filter((id) => existing.has(id)),
        };
      }),
    );
  }

  /** The order with its lines, or null when MySQL has none. */
  async findById(id: string): Promise<StoredOrder | null> {
    return orDatabaseUnavailable(async () => {
      const row = await this.db
        .selectFrom('orders')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return null;
      const lines = await this.db
        .selectFrom('order_lines')
        .selectAll()
        .where('order_id', '=', id)
        .orderBy('line_no')
        .execute();
      return {
        id: row.id,
        status: row.status,
        email: row.email,
        shippingAddress: {
          name: row.ship_name,
          line1: row.ship_line1,
          ...(row.ship_line2 === null ? {} : { line2: row.ship_line2 }),
          city: row.ship_city,
          postcode: row.ship_postcode,
          country: row.ship_country,
        },
        lines: lines.map((line) => ({
          productId: line.product_id,
          name: line.name,
          unitPrice: Number(line.unit_price),
          quantity: line.quantity,
          lineTotal: Number(line.line_total),
        })),
        totals: {
          quantity: row.total_quantity,
          subtotal: Number(row.subtotal),
          total: Number(row.total),
        },
        placedAt: new Date(row.placed_at).toISOString(),
        cancelledAt: row.cancelled_at === null ? null : new Date(row.cancelled_at),
      };
    });
  }

  /** How many of `ids` MySQL has (the e2e tests and the checkout benchmark wait on it). */
  async countExisting(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    let count = 0;
    // In slices: one statement with tens of thousands of placeholders is refused.
    for (let start = 0; start < ids.length; start += 1000) {
      const slice = ids.slice(start, start + 1000);
      const row = await orDatabaseUnavailable(() =>
        this.db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('id', 'in', slice)
          .executeTakeFirstOrThrow(),
      );
      count += Number(row.n);
    }
    return count;
  }

  /**
   * Moves the order to `to` only if it is in one of `from` (a compare-and-set: of two concurrent
   * callers, one wins). Returns whether this call moved it.
   */
  async transition(
    id: string,
    from: readonly OrderStatus[],
    to: Exclude<OrderStatus, 'pending'>,
    at: Date,
  ): Promise<boolean> {
    const result = await orDatabaseUnavailable(() =>
      this.db
        .updateTable('orders')
        .set({ status: to, [STATUS_TIMESTAMP[to]]: at, updated_at: at })
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows) === 1;
  }
}
