import type { OrderView } from '@shop/contracts';
import { BadPageRequest } from './page-errors';
import {
  cartItemCount,
  cartPage,
  checkoutFieldOf,
  checkoutPage,
  EMPTY_CHECKOUT_FORM,
  formatHoldEnd,
  notifyRequestOf,
  notifyResultPage,
  orderPage,
  parseAddToCartForm,
  parseCheckoutForm,
  parseQuantityForm,
  quantityAfterAdding,
  type ShopCart,
} from './shop';

const cart = (overrides: Partial<ShopCart> = {}): ShopCart => ({
  id: 'a'.repeat(32),
  status: 'open',
  items: [{ productId: 7, name: 'Boot', unitPrice: 10, quantity: 3, lineTotal: 30 }],
  totals: { quantity: 3, subtotal: 30, total: 30 },
  expiresAt: '2030-01-01T10:15:42.000Z',
  ...overrides,
});

const validForm = {
  email: ' ada@example.com ',
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  line2: '',
  city: 'London',
  postcode: 'N1 9GU',
  country: 'gb',
  idempotencyKey: '7d444840-9dc0-11d1-b245-5ffdce74fad2',
};

describe('add to cart and quantity forms', () => {
  it('reads the product and the quantity, 1 when the form has none (listing tiles)', () => {
    expect(parseAddToCartForm({ productId: '7', quantity: '2' })).toEqual({
      productId: 7,
      quantity: 2,
    });
    expect(parseAddToCartForm({ productId: '7' })).toEqual({ productId: 7, quantity: 1 });
    expect(parseAddToCartForm({ productId: ['7', '8'], quantity: ['2'] })).toEqual({
      productId: 7,
      quantity: 2,
    });
  });

  it('refuses what is not a product id or a quantity of 1 to 100, naming the field', () => {
    for (const form of [{}, { productId: 'x' }, { productId: '0x7' }, { productId: '-1' }]) {
      expect(() => parseAddToCartForm(form)).toThrow(/productId/);
    }
    for (const quantity of ['0', '101', '1.5', '1e2', '', ' ', 'two', '-1']) {
      expect(() => parseAddToCartForm({ productId: '7', quantity })).toThrow(
        new BadPageRequest('quantity must be a whole number from 1 to 100'),
      );
    }
    expect(parseQuantityForm({ quantity: '0' })).toBe(0);
    expect(() => parseQuantityForm({ quantity: '101' })).toThrow(/from 0 to 100/);
  });

  it('adds to what the line has, up to 100', () => {
    expect(quantityAfterAdding(cart(), { productId: 7, quantity: 2 })).toBe(5);
    expect(quantityAfterAdding(cart(), { productId: 8, quantity: 2 })).toBe(2);
    expect(quantityAfterAdding(null, { productId: 7, quantity: 1 })).toBe(1);
    expect(() => quantityAfterAdding(cart(), { productId: 7, quantity: 98 })).toThrow(
      /at most 100 units; this one has 3 already/,
    );
  });
});

describe('cart page and header count', () => {
  it('counts units of an open or expired cart, none of a checked-out one', () => {
    expect(cartItemCount(cart())).toBe(3);
    expect(cartItemCount(cart({ status: 'expired' }))).toBe(3);
    expect(cartItemCount(cart({ status: 'ordered' }))).toBe(0);
    expect(cartItemCount(null)).toBe(0);
  });

  it('shows lines with links, totals and when the hold ends', () => {
    const { view, stockBadges } = cartPage(cart());
    // Each line shows its product's stock badge (live while the page is open).
    expect(stockBadges).toEqual([7]);
    expect(view.lines).toEqual([
      { productId: 7, name: 'Boot', href: '/p/7', unitPrice: 10, quantity: 3, lineTotal: 30 },
    ]);
    expect(view.totals.total).toBe(30);
    expect(view).toMatchObject({
      holdEndsAt: '2030-01-01T10:15:42.000Z',
      holdEndsText: '10:15 UTC',
      expired: false,
    });
    expect(formatHoldEnd('garbage')).toBe('');
  });

  it('says when the holds expired, links a checked-out cart to its order, and carries the error', () => {
    expect(cartPage(cart({ status: 'expired' })).view.expired).toBe(true);
    const ordered = cartPage(cart({ status: 'ordered', orderId: 'b'.repeat(32) }), 'oops').view;
    expect(ordered.lines).toEqual([]);
    expect(ordered.orderHref).toBe(`/orders/${'b'.repeat(32)}`);
    expect(ordered.error).toBe('oops');
    expect(cartPage(null).view).toMatchObject({ lines: [], expired: false });
  });
});

describe('checkout form', () => {
  it('turns a valid form into the checkout body (trimmed, country upper-cased, no empty line2)', () => {
    const parsed = parseCheckoutForm(validForm);
    expect(parsed.errors).toEqual({});
    expect(parsed.idempotencyKey).toBe(validForm.idempotencyKey);
    expect(parsed.input).toEqual({
      email: 'ada@example.com',
      shippingAddress: {
        name: 'Ada Lovelace',
        line1: '12 Analytical Row',
        city: 'London',
        postcode: 'N1 9GU',
        country: 'GB',
      },
    });
    expect(parseCheckoutForm({ ...validForm, line2: 'Flat 2' }).input?.shippingAddress.line2).toBe(
      'Flat 2',
    );
  });

  it('names every wrong field and builds no body', () => {
    const parsed = parseCheckoutForm({
      ...validForm,
      email: 'ada@',
      name: '  ',
      postcode: 'x'.repeat(21),
      country: 'GBR',
      idempotencyKey: 'not-a-uuid',
    });
    expect(parsed.input).toBeUndefined();
    expect(parsed.idempotencyKey).toBeUndefined();
    expect(parsed.errors).toEqual({
      email: 'Enter an email address such as ada@example.com',
      name: 'Full name is required',
      postcode: 'At most 20 characters',
      country: 'At most 2 characters',
    });
    expect(parseCheckoutForm({}).errors).toEqual({
      email: 'Email is required',
      name: 'Full name is required',
      line1: 'Address line 1 is required',
      city: 'City is required',
      postcode: 'Postcode is required',
      country: 'Country code is required',
    });
    expect(parseCheckoutForm({ ...validForm, country: '1x' }).errors).toEqual({
      country: 'Enter a two-letter country code such as GB',
    });
  });

  it('finds the field a cart API 400 names', () => {
    expect(checkoutFieldOf('email must be an email address')).toBe('email');
    expect(checkoutFieldOf('shippingAddress.country must be an ISO 3166-1 alpha-2 code')).toBe(
      'country',
    );
    expect(checkoutFieldOf('shippingAddress.line2 must be a string')).toBe('line2');
    expect(checkoutFieldOf('Idempotency-Key header is required')).toBeUndefined();
    expect(checkoutFieldOf('shippingAddress must be an object')).toBeUndefined();
  });

  it('renders every field with its value and error, and the key in the form', () => {
    const { view } = checkoutPage(cart(), {
      values: { ...EMPTY_CHECKOUT_FORM, email: 'x' },
      errors: { email: 'bad' },
      idempotencyKey: 'k',
    });
    expect(view.fields.map((field) => field.name)).toEqual([
      'email',
      'name',
      'line1',
      'line2',
      'city',
      'postcode',
      'country',
    ]);
    expect(view.fields[0]).toMatchObject({
      value: 'x',
      error: 'bad',
      type: 'email',
      required: true,
    });
    expect(view.fields[3]).toMatchObject({ name: 'line2', required: false });
    expect(view.fields[3].error).toBeUndefined();
    expect(view.idempotencyKey).toBe('k');
    expect(view.lines).toHaveLength(1);
  });
});

describe('order page', () => {
  const order: OrderView = {
    id: 'c'.repeat(32),
    status: 'pending',
    email: 'ada@example.com',
    shippingAddress: { name: 'Ada', line1: '1 Row', city: 'London', postcode: 'N1', country: 'GB' },
    lines: [{ productId: 7, name: 'Boot', unitPrice: 10, quantity: 1, lineTotal: 10 }],
    totals: { quantity: 1, subtotal: 10, total: 10 },
    placedAt: '2030-01-01T10:00:00.000Z',
  };

  it('reloads itself while the order is pending, and stops once it is confirmed', () => {
    expect(orderPage(order)).toMatchObject({ refreshSeconds: 2, view: { pending: true } });
    const confirmed = orderPage({ ...order, status: 'confirmed' });
    expect(confirmed.refreshSeconds).toBeUndefined();
    expect(confirmed.view).toMatchObject({ status: 'confirmed', pending: false });
    expect(confirmed.view.lines[0].href).toBe('/p/7');
  });
});

describe('back-in-stock notify form', () => {
  it('passes productId (a number when it is an id, else as posted) and email on, nothing else', () => {
    expect(notifyRequestOf({ productId: '42', email: ' ada@example.com ', admin: 'yes' })).toEqual({
      productId: 42,
      email: ' ada@example.com ',
    });
    expect(notifyRequestOf({ productId: ['42', '43'], email: ['a@example.com'] })).toEqual({
      productId: 42,
      email: 'a@example.com',
    });
    for (const productId of ['abc', '0', '042', '1e3', '4294967296', '']) {
      expect(notifyRequestOf({ productId, email: 'a@example.com' }).productId).toBe(productId);
    }
    expect(notifyRequestOf({})).toEqual({ productId: undefined, email: undefined });
  });

  it('words the page like the badge script and links back to the product when there is one', () => {
    const request = { productId: 42, email: 'ada@example.com' };
    const signedUp = notifyResultPage(request, 201);
    expect(signedUp.template).toBe('pages/notify.njk');
    expect(signedUp.view).toEqual({
      signedUp: true,
      message: 'Thanks! We will email you when it is back.',
      productHref: '/p/42',
    });
    expect(notifyResultPage(request, 200).view).toEqual(signedUp.view);
    expect(notifyResultPage(request, 400, 'email must be an email address').view).toEqual({
      signedUp: false,
      message: 'email must be an email address',
      productHref: '/p/42',
    });
    expect(notifyResultPage(request, 409, 'in stock (3 left)').view.message).toBe(
      'Good news: it is back in stock.',
    );
    // No such product, or no product id at all: back to the shop instead.
    expect(notifyResultPage(request, 404, 'Product 42 not found').view.productHref).toBeUndefined();
    const notAnId = { productId: 'abc', email: 'a@example.com' };
    expect(notifyResultPage(notAnId, 400, 'productId must be a product id').view).toEqual({
      signedUp: false,
      message: 'productId must be a product id',
    });
  });
});
