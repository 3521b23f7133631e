import { orderPlacedEventSchema } from '@shop/contracts';
import { InvalidCartRequestError } from './cart-errors';
import {
  buildOrderPlaced,
  cartDigest,
  checkoutFingerprint,
  encodeLineInfo,
  toCartView,
  toCents,
  validateLineQuantity,
  type StoredCart,
} from './cart-model';

const cart: StoredCart = {
  id: 'a'.repeat(32),
  status: 'open',
  expiresAtMs: Date.parse('2026-01-01T00:15:00.000Z'),
  quantities: { '10': '2', '2': '3' },
  infos: {
    '10': encodeLineInfo({ name: 'Blazer', unitPriceCents: 1999 }),
    '2': encodeLineInfo({ name: 'Socks', unitPriceCents: 10 }),
  },
};

const input = {
  email: 'ada@example.com',
  shippingAddress: {
    name: 'Ada',
    line1: '1 Row',
    city: 'London',
    postcode: 'N1',
    country: 'GB',
  },
};

describe('cart model', () => {
  it('converts prices to cents exactly and refuses fractions of a cent', () => {
    expect(toCents(19.99)).toBe(1999);
    expect(toCents(0.1)).toBe(10);
    expect(toCents(1234567.89)).toBe(123456789);
    expect(() => toCents(1.005)).toThrow(RangeError);
    expect(() => toCents(-1)).toThrow(RangeError);
  });

  it('shapes a cart: lines in product id order, totals summed in cents', () => {
    expect(toCartView(cart)).toEqual({
      id: cart.id,
      status: 'open',
      items: [
        { productId: 2, name: 'Socks', unitPrice: 0.1, quantity: 3, lineTotal: 0.3 },
        { productId: 10, name: 'Blazer', unitPrice: 19.99, quantity: 2, lineTotal: 39.98 },
      ],
      totals: { quantity: 5, subtotal: 40.28, total: 40.28 },
      expiresAt: '2026-01-01T00:15:00.000Z',
    });
  });

  it('builds an order.placed the relay accepts', () => {
    const order = buildOrderPlaced(cart, 'b'.repeat(32), input, new Date(0));
    expect(orderPlacedEventSchema.parse(order)).toEqual(order);
    expect(order.lines.map((line) => line.productId)).toEqual([2, 10]);
    expect(order.totals.total).toBe(40.28);
    expect(order.shippingAddress).not.toHaveProperty('line2');
  });

  it('digests the lines in the order and text the checkout script uses', () => {
    const same = { ...cart, quantities: { '2': '3', '10': '2' } };
    expect(cartDigest(same)).toBe(cartDigest(cart));
    expect(cartDigest({ ...cart, quantities: { '10': '1', '2': '3' } })).not.toBe(cartDigest(cart));
    expect(cartDigest(cart)).toMatch(/^[0-9a-f]{40}$/);
  });

  it('binds an Idempotency-Key to the cart and the body', () => {
    const base = checkoutFingerprint(cart.id, input);
    expect(checkoutFingerprint(cart.id, { ...input })).toBe(base);
    expect(checkoutFingerprint('c'.repeat(32), input)).not.toBe(base);
    expect(
      checkoutFingerprint(cart.id, {
        ...input,
        shippingAddress: { ...input.shippingAddress, line2: 'Flat 2' },
      }),
    ).not.toBe(base);
  });

  it.each([0, 1, 100])('accepts the quantity %p', (quantity) => {
    expect(validateLineQuantity(quantity)).toBe(quantity);
  });

  it.each([101, -1, 1.5, '2', null, undefined, NaN])('refuses the quantity %p', (quantity) => {
    expect(() => validateLineQuantity(quantity)).toThrow(InvalidCartRequestError);
    expect(() => validateLineQuantity(quantity)).toThrow(/^quantity must be an integer/);
  });
});
