import { BadRequestException } from '@nestjs/common';
import { shopValidationPipe } from '@shop/http';
import { CartItemDto, CheckoutDto } from './cart.dto';

function validate(body: unknown, metatype: new () => object): Promise<unknown> {
  return shopValidationPipe().transform(body, { type: 'body', metatype });
}

async function refusal(body: unknown, metatype: new () => object): Promise<string> {
  try {
    await validate(body, metatype);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    const response = (error as BadRequestException).getResponse() as { message: string[] };
    return response.message.join('; ');
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

describe('CartItemDto', () => {
  it.each([0, 1, 100])('accepts quantity %p', async (quantity) => {
    await expect(validate({ quantity }, CartItemDto)).resolves.toEqual({ quantity });
  });

  it.each([
    [{}, 'quantity is required'],
    [{ quantity: 101 }, 'quantity must be an integer from 0 to 100 (0 removes the line)'],
    [{ quantity: -1 }, 'quantity must be an integer from 0 to 100 (0 removes the line)'],
    [{ quantity: 1.5 }, 'quantity must be an integer from 0 to 100 (0 removes the line)'],
    [{ quantity: '2' }, 'quantity must be an integer from 0 to 100 (0 removes the line)'],
    [{ quantity: 1, qty: 1 }, 'property qty should not exist'],
  ])('refuses %j: %s', async (body, message) => {
    expect(await refusal(body, CartItemDto)).toBe(message);
  });
});

describe('CheckoutDto', () => {
  it('accepts the issue body, line2 optional', async () => {
    const body = { email: 'ada@example.com', shippingAddress: address };
    await expect(validate(body, CheckoutDto)).resolves.toMatchObject(body);
    const withLine2 = { ...body, shippingAddress: { ...address, line2: 'Flat 2' } };
    await expect(validate(withLine2, CheckoutDto)).resolves.toMatchObject(withLine2);
  });

  it.each([
    [{ shippingAddress: address }, 'email is required'],
    [{ email: 'not-an-email', shippingAddress: address }, 'email must be an email address'],
    [{ email: 'ada@example.com' }, 'shippingAddress is required'],
    [{ email: 'ada@example.com', shippingAddress: 'London' }, 'shippingAddress must be an object'],
    [
      { email: 'ada@example.com', shippingAddress: { ...address, country: 'XX' } },
      'shippingAddress.country must be an ISO 3166-1 alpha-2 code such as GB',
    ],
    [
      { email: 'ada@example.com', shippingAddress: { ...address, country: 'gb' } },
      'shippingAddress.country must be an ISO 3166-1 alpha-2 code such as GB',
    ],
    [
      { email: 'ada@example.com', shippingAddress: { ...address, country: 'GBR' } },
      'shippingAddress.country must be an ISO 3166-1 alpha-2 code such as GB',
    ],
    [
      { email: 'ada@example.com', shippingAddress: { ...address, city: undefined } },
      'shippingAddress.city is required',
    ],
    [
      { email: 'ada@example.com', shippingAddress: { ...address, postcode: '   ' } },
      'shippingAddress.postcode must not be blank',
    ],
    [
      { email: 'ada@example.com', shippingAddress: { ...address, zip: 'x' } },
      'shippingAddress.property zip should not exist',
    ],
    [
      { email: 'ada@example.com', shippingAddress: address, coupon: 'FREE' },
      'property coupon should not exist',
    ],
  ])('refuses %j: %s', async (body, message) => {
    expect(await refusal(body, CheckoutDto)).toBe(message);
  });
});
