import { InvalidCartRequestError } from './cart-errors';
import { parseCartItem, parseCheckoutInput, parseNewCart } from './cart-input';

function refusal(parse: (raw: unknown) => unknown, body: unknown): string {
  try {
    parse(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCartRequestError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(body)}`);
}

const address = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  city: 'London',
  postcode: 'N1 9GU',
  country: 'GB',
};
const withAddress = (change: Record<string, unknown>): unknown => ({
  email: 'ada@example.com',
  shippingAddress: { ...address, ...change },
});

describe('parseCartItem', () => {
  it.each([0, 1, 100])('accepts quantity %p', (quantity) => {
    expect(parseCartItem({ quantity })).toBe(quantity);
  });

  it.each([
    [{}, 'quantity is required'],
    [{ quantity: 101 }, 'quantity must be an integer from 0 to 100 (0 removes the line)'],
    [{ quantity: -1 }, 'quantity must be an integer from 0 to 100 (0 removes the line)'],
    [{ quantity: 1.5 }, 'quantity must be an integer from 0 to 100 (0 removes the line)'],
    [{ quantity: '2' }, 'quantity must be an integer from 0 to 100 (0 removes the line)'],
    [{ quantity: null }, 'quantity must be an integer from 0 to 100 (0 removes the line)'],
    [{ quantity: 1, qty: 1 }, 'property qty should not exist'],
    [[1], 'the body must be a JSON object'],
    [undefined, 'the body must be a JSON object'],
    ['1', 'the body must be a JSON object'],
  ])('refuses %j: %s', (body, message) => {
    expect(refusal(parseCartItem, body)).toBe(message);
  });
});

describe('parseNewCart', () => {
  it('makes an empty cart without a body, or one with its first line', () => {
    expect(parseNewCart(undefined)).toBeNull();
    expect(parseNewCart({ productId: 3, quantity: 1 })).toEqual({ productId: 3, quantity: 1 });
    expect(parseNewCart({ productId: 4_294_967_295, quantity: 100 })).toEqual({
      productId: 4_294_967_295,
      quantity: 100,
    });
  });

  const productIdMessage = 'productId must be a product id (an integer from 1 to 4294967295)';
  const quantityMessage = 'quantity must be an integer from 1 to 100';
  it.each([
    [{}, 'productId is required; quantity is required'],
    [{ productId: 3 }, 'quantity is required'],
    [{ quantity: 1 }, 'productId is required'],
    [{ productId: 0, quantity: 1 }, productIdMessage],
    [{ productId: 1.5, quantity: 1 }, productIdMessage],
    [{ productId: '3', quantity: 1 }, productIdMessage],
    [{ productId: 4_294_967_296, quantity: 1 }, productIdMessage],
    [{ productId: 3, quantity: 0 }, quantityMessage],
    [{ productId: 3, quantity: 101 }, quantityMessage],
    [{ productId: 3, quantity: '1' }, quantityMessage],
    [{ productId: 'x', quantity: -1 }, `${productIdMessage}; ${quantityMessage}`],
    [{ productId: 3, quantity: 1, items: [] }, 'property items should not exist'],
    [null, 'the body must be a JSON object'],
    [[{ productId: 3, quantity: 1 }], 'the body must be a JSON object'],
  ])('refuses %j: %s', (body, message) => {
    expect(refusal(parseNewCart, body)).toBe(message);
  });
});

describe('parseCheckoutInput', () => {
  it('accepts the issue body, line2 optional, and keeps only its fields', () => {
    const body = { email: 'ada@example.com', shippingAddress: address };
    expect(parseCheckoutInput(body)).toEqual(body);
    const withLine2 = { ...body, shippingAddress: { ...address, line2: 'Flat 2' } };
    expect(parseCheckoutInput(withLine2)).toEqual(withLine2);
  });

  it.each([
    [{ shippingAddress: address }, 'email is required'],
    [{ email: 7, shippingAddress: address }, 'email must be a string'],
    [{ email: 'not-an-email', shippingAddress: address }, 'email must be an email address'],
    [
      { email: `${'a'.repeat(250)}@example.com`, shippingAddress: address },
      'email must be at most 254 characters',
    ],
    [{ email: 'ada@example.com' }, 'shippingAddress is required'],
    [{ email: 'ada@example.com', shippingAddress: 'London' }, 'shippingAddress must be an object'],
    [
      withAddress({ country: 'XX' }),
      'shippingAddress.country must be an ISO 3166-1 alpha-2 code such as GB',
    ],
    [
      withAddress({ country: 'gb' }),
      'shippingAddress.country must be an ISO 3166-1 alpha-2 code such as GB',
    ],
    [
      withAddress({ country: 'GBR' }),
      'shippingAddress.country must be an ISO 3166-1 alpha-2 code such as GB',
    ],
    [withAddress({ country: undefined }), 'shippingAddress.country is required'],
    [withAddress({ city: undefined }), 'shippingAddress.city is required'],
    [withAddress({ city: '' }), 'shippingAddress.city is required'],
    [withAddress({ postcode: '   ' }), 'shippingAddress.postcode must not be blank'],
    [withAddress({ postcode: 7 }), 'shippingAddress.postcode must be a string'],
    [withAddress({ name: 'n'.repeat(201) }), 'shippingAddress.name must be at most 200 characters'],
    [withAddress({ line2: 2 }), 'shippingAddress.line2 must be a string'],
    [withAddress({ zip: 'x' }), 'shippingAddress.property zip should not exist'],
    [
      { email: 'ada@example.com', shippingAddress: address, coupon: 'FREE' },
      'property coupon should not exist',
    ],
    [null, 'the body must be a JSON object'],
  ])('refuses %j: %s', (body, message) => {
    expect(refusal(parseCheckoutInput, body)).toBe(message);
  });

  it('names every wrong field, one message each', () => {
    expect(
      refusal(parseCheckoutInput, { email: 'x', shippingAddress: { ...address, city: '' } }),
    ).toBe('email must be an email address; shippingAddress.city is required');
  });
});
