import { createHash } from 'node:crypto';
import type { OrderLine, OrderPlacedEvent, OrderTotals, ShippingAddress } from '@shop/contracts';
import { InvalidCartRequestError } from './cart-errors';

/** Line quantities are 1..MAX_LINE_QUANTITY (0 in a PUT removes the line). */
export const MAX_LINE_QUANTITY = 100;
export const MAX_CART_LINES = 50;

export const CART_STATUSES = ['open', 'expired', 'ordered'] as const;
/** open: its lines are held; expired: lines kept, nothing held; ordered: checked out, closed. */
export type CartStatus = (typeof CART_STATUSES)[number];

/** What a line keeps of its product from the moment it was added. */
export interface LineInfo {
  name: string;
  unitPriceCents: number;
}

export interface CartLineView {
  productId: number;
  name: string;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
}

/** `GET /carts/:id` and every cart answer. */
export interface CartView {
  id: string;
  status: CartStatus;
  items: CartLineView[];
  totals: OrderTotals;
  /** When the holds end unless the cart is touched again (ISO-8601). */
  expiresAt: string;
  /** Set once the cart was checked out. */
  orderId?: string;
}

/** A cart as read from Redis (see cart-keys.ts), before it is shaped for a client. */
export interface StoredCart {
  id: string;
  status: CartStatus;
  expiresAtMs: number;
  orderId?: string;
  /** product id → quantity */
  quantities: Record<string, string>;
  /** product id → LineInfo JSON, exactly as stored */
  infos: Record<string, string>;
}

/** Major units with two decimals (19.99) to integer cents (1999), refusing anything else. */
export function toCents(price: number): number {
  const cents = Math.round(price * 100);
  if (!Number.isFinite(price) || price < 0 || Math.abs(cents - price * 100) > 1e-6) {
    throw new RangeError(`Not a price in major units with two decimals: ${price}`);
  }
  return cents;
}

export function fromCents(cents: number): number {
  return cents / 100;
}

export function encodeLineInfo(info: LineInfo): string {
  return JSON.stringify({ name: info.name, unitPriceCents: info.unitPriceCents });
}

function decodeLineInfo(raw: string | undefined, productId: number): LineInfo {
  const parsed: unknown = raw === undefined ? undefined : JSON.parse(raw);
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'name' in parsed &&
    'unitPriceCents' in parsed &&
    typeof parsed.name === 'string' &&
    typeof parsed.unitPriceCents === 'number'
  ) {
    return { name: parsed.name, unitPriceCents: parsed.unitPriceCents };
  }
  throw new Error(`Cart line of product ${productId} has no readable product info`);
}

/** The cart's lines in product id order, with their totals in cents. */
export function cartLines(cart: StoredCart): (CartLineView & { lineTotalCents: number })[] {
  return Object.entries(cart.quantities)
    .map(([id, quantity]) => {
      const productId = Number(id);
      const info = decodeLineInfo(cart.infos[id], productId);
      const lineTotalCents = info.unitPriceCents * Number(quantity);
      return {
        productId,
        name: info.name,
        unitPrice: fromCents(info.unitPriceCents),
        quantity: Number(quantity),
        lineTotal: fromCents(lineTotalCents),
        lineTotalCents,
      };
    })
    .sort((a, b) => a.productId - b.productId);
}

function totalsOf(lines: readonly { quantity: number; lineTotalCents: number }[]): OrderTotals {
  const cents = lines.reduce((sum, line) => sum + line.lineTotalCents, 0);
  return {
    quantity: lines.reduce((sum, line) => sum + line.quantity, 0),
    subtotal: fromCents(cents),
    total: fromCents(cents),
  };
}

export function toCartView(cart: StoredCart): CartView {
  const lines = cartLines(cart);
  return {
    id: cart.id,
    status: cart.status,
    items: lines.map(({ lineTotalCents: _cents, ...line }) => line),
    totals: totalsOf(lines),
    expiresAt: new Date(cart.expiresAtMs).toISOString(),
    ...(cart.orderId ? { orderId: cart.orderId } : {}),
  };
}

/**
 * What the checkout script compares with the cart it finds, so the order it stores is built from
 * exactly those lines: the same text, hashed the same way, as in CHECKOUT_CART_LUA.
 */
export function cartDigest(cart: Pick<StoredCart, 'quantities' | 'infos'>): string {
  const text = Object.keys(cart.quantities)
    .sort((a, b) => Number(a) - Number(b))
    .map((id) => `${id}=${cart.quantities[id]}=${cart.infos[id] ?? ''}`)
    .join('\n');
  return createHash('sha1').update(text).digest('hex');
}

export interface CheckoutInput {
  email: string;
  shippingAddress: ShippingAddress;
}

/** The `order.placed` body of checking out `cart` now. */
export function buildOrderPlaced(
  cart: StoredCart,
  orderId: string,
  input: CheckoutInput,
  placedAt: Date,
): OrderPlacedEvent {
  const lines = cartLines(cart);
  const address = input.shippingAddress;
  return {
    orderId,
    cartId: cart.id,
    email: input.email,
    shippingAddress: {
      name: address.name,
      line1: address.line1,
      ...(address.line2 === undefined ? {} : { line2: address.line2 }),
      city: address.city,
      postcode: address.postcode,
      country: address.country,
    },
    lines: lines.map((line): OrderLine => ({
      productId: line.productId,
      name: line.name,
      unitPrice: line.unitPrice,
      quantity: line.quantity,
      lineTotal: line.lineTotal,
    })),
    totals: totalsOf(lines),
    placedAt: placedAt.toISOString(),
  };
}

/**
 * What an Idempotency-Key is bound to: the cart and the body. The same key with another cart or
 * another address is refused rather than answered with an order the caller did not ask for.
 */
export function checkoutFingerprint(cartId: string, input: CheckoutInput): string {
  const address = input.shippingAddress;
  const canonical = JSON.stringify([
    cartId,
    input.email,
    address.name,
    address.line1,
    address.line2 ?? null,
    address.city,
    address.postcode,
    address.country,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** What a quantity that is not one says, wherever it is checked. */
export const LINE_QUANTITY_MESSAGE = `quantity must be an integer from 0 to ${MAX_LINE_QUANTITY} (0 removes the line)`;

export const FIRST_LINE_QUANTITY_MESSAGE = `quantity must be an integer from 1 to ${MAX_LINE_QUANTITY}`;

/** A line a cart is created with (`POST /carts` with a body). */
export interface CartLineInput {
  productId: number;
  quantity: number;
}

/** A line quantity from a client: an integer 0..MAX_LINE_QUANTITY. */
export function validateLineQuantity(raw: unknown): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > MAX_LINE_QUANTITY) {
    throw new InvalidCartRequestError(LINE_QUANTITY_MESSAGE);
  }
  return raw;
}
