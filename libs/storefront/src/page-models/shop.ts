import {
  InvalidProductIdError,
  type OrderStatus,
  type OrderView,
  parseProductId,
  type ShippingAddress,
} from '@shop/contracts';
import { notifyResultText } from '../live/live-badge';
import { BadPageRequest } from './page-errors';
import { parseProductIdParam } from './page-params';

/*
 * The shopping pages (cart, checkout, order confirmation, the back-in-stock sign-up): what their
 * forms accept and what they show. Pure: the storefront app fetches the cart and order through
 * the cart API (and signs up through stock-api) and renders.
 */

/** A form body as Fastify parses `application/x-www-form-urlencoded` (see form-body.ts). */
export type RawForm = Record<string, string | string[] | undefined>;

/** The cart as the cart API answers it (`GET /carts/:id`), the parts the pages read. */
export interface ShopCart {
  id: string;
  /** open: held; expired: lines kept, nothing held; ordered: checked out, closed. */
  status: 'open' | 'expired' | 'ordered';
  items: {
    productId: number;
    name: string;
    unitPrice: number;
    quantity: number;
    lineTotal: number;
  }[];
  totals: { quantity: number; subtotal: number; total: number };
  expiresAt: string;
  orderId?: string;
}

/** Per line, as the cart API enforces it. */
export const MAX_LINE_QUANTITY = 100;

/** A page of the shop: never cached anywhere, rendered with the layout and its fragments. */
export interface ShopPageModel<View> {
  template: string;
  title: string;
  /** Seconds after which the browser reloads the page (a pending order), if set. */
  refreshSeconds?: number;
  view: View;
  /** Products whose stock badge the page shows (the cart's lines: live while the page is open). */
  stockBadges?: number[];
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Units in the cart for the header: a closed (checked out) cart or none at all shows 0. */
export function cartItemCount(cart: ShopCart | null): number {
  if (!cart || cart.status === 'ordered') return 0;
  return cart.totals.quantity;
}

/** A cart that can still take items and be checked out. */
export function isShoppable(cart: ShopCart | null): cart is ShopCart {
  return cart !== null && cart.status !== 'ordered';
}

function parseQuantity(raw: string | undefined, min: number): number {
  const text = (raw ?? '').trim();
  const quantity = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(quantity >= min && quantity <= MAX_LINE_QUANTITY)) {
    throw new BadPageRequest(`quantity must be a whole number from ${min} to ${MAX_LINE_QUANTITY}`);
  }
  return quantity;
}

export interface AddToCart {
  productId: number;
  quantity: number;
}

/** `POST /cart/items`: `productId` and `quantity` (1 when absent, as the tiles send it). */
export function parseAddToCartForm(form: RawForm): AddToCart {
  const productId = parseProductIdParam(single(form.productId) ?? '', 'productId');
  const rawQuantity = single(form.quantity);
  return {
    productId,
    quantity: rawQuantity === undefined ? 1 : parseQuantity(rawQuantity, 1),
  };
}

/** `POST /cart/items/:productId`: the line's new quantity, 0 removing it. */
export function parseQuantityForm(form: RawForm): number {
  return parseQuantity(single(form.quantity), 0);
}

/**
 * The quantity a line gets when `adding` more units: add-to-cart adds to what is there, and a
 * line cannot go past the per-line limit.
 */
export function quantityAfterAdding(cart: ShopCart | null, add: AddToCart): number {
  const current = cart?.items.find((line) => line.productId === add.productId)?.quantity ?? 0;
  const quantity = current + add.quantity;
  if (quantity > MAX_LINE_QUANTITY) {
    throw new BadPageRequest(
      `A cart line holds at most ${MAX_LINE_QUANTITY} units; this one has ${current} already`,
    );
  }
  return quantity;
}

export interface CartLineRow {
  productId: number;
  name: string;
  href: string;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
}

export interface CartView {
  lines: CartLineRow[];
  totals: ShopCart['totals'];
  /** ISO-8601 instant the holds end, and how a shopper reads it. */
  holdEndsAt?: string;
  holdEndsText?: string;
  /** The holds ended: the lines are kept but must be had again at checkout. */
  expired: boolean;
  /** Set when this cart was checked out already. */
  orderHref?: string;
  /** What went wrong with the shopper's last action (not enough stock...). */
  error?: string;
  maxQuantity: number;
}

/** `05:31 UTC`: when the holds end, in a form that does not depend on the server's zone. */
export function formatHoldEnd(expiresAt: string): string {
  const date = new Date(expiresAt);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.toISOString().slice(11, 16)} UTC`;
}

export function cartPage(cart: ShopCart | null, error?: string): ShopPageModel<CartView> {
  const open = isShoppable(cart);
  const lines = open
    ? cart.items.map((line) => ({
        productId: line.productId,
        name: line.name,
        href: `/p/${line.productId}`,
        unitPrice: line.unitPrice,
        quantity: line.quantity,
        lineTotal: line.lineTotal,
      }))
    : [];
  return {
    template: 'pages/cart.njk',
    title: 'Your cart',
    stockBadges: lines.map((line) => line.productId),
    view: {
      lines,
      totals: open ? cart.totals : { quantity: 0, subtotal: 0, total: 0 },
      ...(open && lines.length > 0
        ? { holdEndsAt: cart.expiresAt, holdEndsText: formatHoldEnd(cart.expiresAt) }
        : {}),
      expired: open && cart.status === 'expired',
      ...(cart?.status === 'ordered' && cart.orderId
        ? { orderHref: `/orders/${cart.orderId}` }
        : {}),
      ...(error === undefined ? {} : { error }),
      maxQuantity: MAX_LINE_QUANTITY,
    },
  };
}

// --- checkout ---------------------------------------------------------------------------------

export const CHECKOUT_FIELDS = [
  'email',
  'name',
  'line1',
  'line2',
  'city',
  'postcode',
  'country',
] as const;
export type CheckoutField = (typeof CHECKOUT_FIELDS)[number];
export type CheckoutFormValues = Record<CheckoutField, string>;
export type CheckoutFieldErrors = Partial<Record<CheckoutField, string>>;

export interface CheckoutInput {
  email: string;
  shippingAddress: ShippingAddress;
}

const MAX_LENGTHS: Record<CheckoutField, number> = {
  email: 254,
  name: 200,
  line1: 200,
  line2: 200,
  city: 100,
  postcode: 20,
  country: 2,
};

const LABELS: Record<CheckoutField, string> = {
  email: 'Email',
  name: 'Full name',
  line1: 'Address line 1',
  line2: 'Address line 2 (optional)',
  city: 'City',
  postcode: 'Postcode',
  country: 'Country code (e.g. GB)',
};

/** Something@something.tld: the API checks the address more strictly and names the field too. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The Idempotency-Key a checkout form carries: a UUID made when the form was rendered. */
const IDEMPOTENCY_KEY_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isCheckoutKey(raw: string | undefined): raw is string {
  return raw !== undefined && IDEMPOTENCY_KEY_PATTERN.test(raw);
}

export interface ParsedCheckoutForm {
  /** What the shopper typed (trimmed, country upper-cased), to fill the form again. */
  values: CheckoutFormValues;
  errors: CheckoutFieldErrors;
  /** The checkout body, when there are no errors. */
  input?: CheckoutInput;
  /** The form's Idempotency-Key, when it carried a valid one. */
  idempotencyKey?: string;
}

/** `POST /checkout`: the same rules as the cart API, each failure next to its field. */
export function parseCheckoutForm(form: RawForm): ParsedCheckoutForm {
  const values = {} as CheckoutFormValues;
  for (const field of CHECKOUT_FIELDS) values[field] = (single(form[field]) ?? '').trim();
  values.country = values.country.toUpperCase();

  const errors: CheckoutFieldErrors = {};
  for (const field of CHECKOUT_FIELDS) {
    if (field !== 'line2' && values[field] === '') {
      errors[field] = `${LABELS[field].replace(/ \(.*\)$/, '')} is required`;
    } else if (values[field].length > MAX_LENGTHS[field]) {
      errors[field] = `At most ${MAX_LENGTHS[field]} characters`;
    }
  }
  if (!errors.email && !EMAIL_PATTERN.test(values.email)) {
    errors.email = 'Enter an email address such as ada@example.com';
  }
  if (!errors.country && !/^[A-Z]{2}$/.test(values.country)) {
    errors.country = 'Enter a two-letter country code such as GB';
  }

  const rawKey = single(form.idempotencyKey);
  const parsed: ParsedCheckoutForm = {
    values,
    errors,
    ...(isCheckoutKey(rawKey) ? { idempotencyKey: rawKey } : {}),
  };
  if (Object.keys(errors).length > 0) return parsed;
  return {
    ...parsed,
    input: {
      email: values.email,
      shippingAddress: {
        name: values.name,
        line1: values.line1,
        ...(values.line2 === '' ? {} : { line2: values.line2 }),
        city: values.city,
        postcode: values.postcode,
        country: values.country,
      },
    },
  };
}

/**
 * The form field a cart API 400 names (`email must be...`, `shippingAddress.country must...`),
 * or undefined when the message names none of them.
 */
export function checkoutFieldOf(message: string): CheckoutField | undefined {
  const subject = /^(?:shippingAddress\.)?([A-Za-z0-9]+)\b/.exec(message)?.[1];
  return CHECKOUT_FIELDS.find((field) => field === subject);
}

export interface CheckoutFieldView {
  name: CheckoutField;
  label: string;
  value: string;
  error?: string;
  type: 'email' | 'text';
  required: boolean;
  autocomplete: string;
  maxLength: number;
}

export interface CheckoutView {
  fields: CheckoutFieldView[];
  idempotencyKey: string;
  lines: CartLineRow[];
  totals: ShopCart['totals'];
  /** A failure that is no one field's (stock gone at checkout...). */
  error?: string;
}

const AUTOCOMPLETE: Record<CheckoutField, string> = {
  email: 'email',
  name: 'name',
  line1: 'address-line1',
  line2: 'address-line2',
  city: 'address-level2',
  postcode: 'postal-code',
  country: 'country',
};

export const EMPTY_CHECKOUT_FORM: CheckoutFormValues = {
  email: '',
  name: '',
  line1: '',
  line2: '',
  city: '',
  postcode: '',
  country: '',
};

export function checkoutPage(
  cart: ShopCart,
  form: {
    values: CheckoutFormValues;
    errors: CheckoutFieldErrors;
    idempotencyKey: string;
    error?: string;
  },
): ShopPageModel<CheckoutView> {
  return {
    template: 'pages/checkout.njk',
    title: 'Checkout',
    view: {
      fields: CHECKOUT_FIELDS.map((name) => ({
        name,
        label: LABELS[name],
        value: form.values[name],
        ...(form.errors[name] === undefined ? {} : { error: form.errors[name] }),
        type: name === 'email' ? 'email' : 'text',
        required: name !== 'line2',
        autocomplete: AUTOCOMPLETE[name],
        maxLength: MAX_LENGTHS[name],
      })),
      idempotencyKey: form.idempotencyKey,
      lines: cartPage(cart).view.lines,
      totals: cart.totals,
      ...(form.error === undefined ? {} : { error: form.error }),
    },
  };
}

// --- order confirmation -----------------------------------------------------------------------

/** While an order is pending (not yet in MySQL), its page reloads this often. */
export const PENDING_REFRESH_SECONDS = 2;

export interface OrderPageView {
  id: string;
  status: OrderStatus;
  pending: boolean;
  email: string;
  shippingAddress: ShippingAddress;
  lines: CartLineRow[];
  totals: OrderView['totals'];
  placedAt: string;
}

export function orderPage(order: OrderView): ShopPageModel<OrderPageView> {
  const pending = order.status === 'pending';
  return {
    template: 'pages/order.njk',
    title: `Order ${order.id}`,
    ...(pending ? { refreshSeconds: PENDING_REFRESH_SECONDS } : {}),
    view: {
      id: order.id,
      status: order.status,
      pending,
      email: order.email,
      shippingAddress: order.shippingAddress,
      lines: order.lines.map((line) => ({
        productId: line.productId,
        name: line.name,
        href: `/p/${line.productId}`,
        unitPrice: line.unitPrice,
        quantity: line.quantity,
        lineTotal: line.lineTotal,
      })),
      totals: order.totals,
      placedAt: order.placedAt,
    },
  };
}

// --- back-in-stock sign-up (the stock badge's notify form, posted without JavaScript) --------

/** The body the storefront sends on to stock-api's `POST /notifications/back-in-stock`. */
export interface NotifyRequest {
  /** A number when the form's text is a product id; else as posted, for stock-api to refuse. */
  productId: number | string | undefined;
  email: string | undefined;
}

/**
 * The notify form as stock-api's JSON body. Nothing is judged here: stock-api is the authority on
 * both fields, and its 400 names the one that is wrong. Only the product id is spelled as the JSON
 * API takes it, a number (a form sends every field as text); other fields are not passed on.
 */
export function notifyRequestOf(form: RawForm): NotifyRequest {
  const rawId = single(form.productId);
  let productId: number | string | undefined = rawId;
  try {
    productId = parseProductId(rawId, 'productId');
  } catch (error) {
    if (!(error instanceof InvalidProductIdError)) throw error;
  }
  return { productId, email: single(form.email) };
}

export interface NotifyResultView {
  /** Signed up (or already waiting): the page says thanks; otherwise it says what went wrong. */
  signedUp: boolean;
  /** What happened, in the words the badge script shows next to the button. */
  message: string;
  /** The product page to go back to; absent when there is no such product to go back to. */
  productHref?: string;
}

/**
 * The page that answers the notify form: stock-api's answer (`status`, and its `message` for a
 * 400) in the words of `notifyResultText`, the same the script shows without leaving the page.
 */
export function notifyResultPage(
  request: NotifyRequest,
  status: number,
  message?: string,
): ShopPageModel<NotifyResultView> {
  const signedUp = status === 200 || status === 201;
  const known = typeof request.productId === 'number' && status !== 404;
  return {
    template: 'pages/notify.njk',
    title: signedUp ? 'We will let you know' : 'Back-in-stock email',
    view: {
      signedUp,
      message: notifyResultText(status, message),
      ...(known ? { productHref: `/p/${request.productId}` } : {}),
    },
  };
}
