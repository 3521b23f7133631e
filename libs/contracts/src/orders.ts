import { z } from 'zod';
import { MAX_PRODUCT_ID } from './product-id';

/*
 * Orders on the wire. A checkout appends `order.placed` to the Redis outbox in the same atomic
 * step that turns the cart's holds into a sale; the stock-api's relay publishes it to the
 * `orders` exchange (topic, durable), persistent and confirmed, as plain JSON with
 * `messageId` = the order id and `type` = `order.placed`. The order worker writes it to MySQL
 * exactly once (tables `orders` and `order_lines`) and then publishes `order.confirmed`.
 */
export const ORDERS_EXCHANGE = 'orders'; // topic, durable

export const OrderRoutingKey = {
  Placed: 'order.placed',
  Confirmed: 'order.confirmed',
} as const;
export type OrderRoutingKey = (typeof OrderRoutingKey)[keyof typeof OrderRoutingKey];

/** Consuming queues of the order worker. */
export const OrderQueue = {
  /** `order.placed` into MySQL. */
  ToMysql: 'orders.mysql',
} as const;
export type OrderQueue = (typeof OrderQueue)[keyof typeof OrderQueue];

/**
 * What each order queue is bound to. The stock-api (the publisher) declares them too, so an order
 * placed before the worker ever ran is queued for it.
 */
export const ORDER_QUEUE_BINDINGS: Readonly<
  Record<
    OrderQueue,
    readonly { readonly exchange: typeof ORDERS_EXCHANGE; readonly routingKey: string }[]
  >
> = {
  [OrderQueue.ToMysql]: [{ exchange: ORDERS_EXCHANGE, routingKey: OrderRoutingKey.Placed }],
};

/** pending (placed, in Redis) → confirmed (in MySQL) → paid | cancelled. */
export const ORDER_STATUSES = ['pending', 'confirmed', 'paid', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Order and cart ids: 128 random bits as 32 lowercase hex digits. */
export const OPAQUE_ID_PATTERN = /^[0-9a-f]{32}$/;

const opaqueId = z.string().regex(OPAQUE_ID_PATTERN, 'must be 32 lowercase hex digits');
/** Major currency units with at most two decimals, as `Product.price`. */
const money = z
  .number()
  .min(0)
  .refine((value) => Math.round(value * 100) === Number((value * 100).toFixed(6)), {
    message: 'must have at most two decimals',
  });
const isoInstant = z.string().refine((value) => !Number.isNaN(Date.parse(value)), {
  message: 'not an ISO-8601 instant',
});

export const shippingAddressSchema = z.object({
  name: z.string().min(1).max(200),
  line1: z.string().min(1).max(200),
  line2: z.string().max(200).optional(),
  city: z.string().min(1).max(100),
  postcode: z.string().min(1).max(20),
  /** ISO 3166-1 alpha-2, upper case. */
  country: z.string().regex(/^[A-Z]{2}$/),
});
export type ShippingAddress = z.infer<typeof shippingAddressSchema>;

export const orderLineSchema = z.object({
  productId: z.number().int().min(1).max(MAX_PRODUCT_ID),
  name: z.string().min(1),
  unitPrice: money,
  quantity: z.number().int().min(1),
  lineTotal: money,
});
export type OrderLine = z.infer<typeof orderLineSchema>;

export const orderTotalsSchema = z.object({
  /** Units over all lines. */
  quantity: z.number().int().min(0),
  subtotal: money,
  /** What the customer pays: the subtotal (no shipping, tax or discounts yet). */
  total: money,
});
export type OrderTotals = z.infer<typeof orderTotalsSchema>;

/** Body of `order.placed` on the `orders` exchange (also what Redis keeps of a pending order). */
export const orderPlacedEventSchema = z.object({
  orderId: opaqueId,
  cartId: opaqueId,
  email: z.string().email().max(254),
  shippingAddress: shippingAddressSchema,
  lines: z.array(orderLineSchema).min(1),
  totals: orderTotalsSchema,
  placedAt: isoInstant,
});
export type OrderPlacedEvent = z.infer<typeof orderPlacedEventSchema>;

/** `GET /orders/:id`. */
export interface OrderView {
  id: string;
  status: OrderStatus;
  email: string;
  shippingAddress: ShippingAddress;
  lines: OrderLine[];
  totals: OrderTotals;
  placedAt: string;
}

/**
 * Body of `order.confirmed` on the `orders` exchange, published by the order worker once the order
 * is in MySQL (`messageId` = `<orderId>:confirmed`). A redelivered `order.placed` publishes it
 * again, so a consumer must take it at least once, never exactly once.
 */
export interface OrderConfirmedEvent {
  orderId: string;
  status: 'confirmed';
  email: string;
  totals: OrderTotals;
  placedAt: string;
  confirmedAt: string;
}
