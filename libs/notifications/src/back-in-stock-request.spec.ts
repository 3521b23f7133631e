import { InvalidBackInStockRequestError } from './back-in-stock-errors';
import { parseBackInStockRequest } from './back-in-stock-request';

describe('parseBackInStockRequest', () => {
  const refusal = (body: unknown): string => {
    try {
      parseBackInStockRequest(body);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidBackInStockRequestError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('takes { productId, email }, the address trimmed', () => {
    expect(parseBackInStockRequest({ productId: 7, email: ' ada@example.com ' })).toEqual({
      productId: 7,
      email: 'ada@example.com',
    });
    expect(parseBackInStockRequest({ productId: 4_294_967_295, email: 'a@b.co' }).productId).toBe(
      4_294_967_295,
    );
  });

  it.each([
    ['a missing productId', { email: 'a@b.co' }, /productId is required/],
    ['productId as text', { productId: '7', email: 'a@b.co' }, /productId must be a product id/],
    ['productId 0', { productId: 0, email: 'a@b.co' }, /productId must be a product id/],
    ['a fractional productId', { productId: 1.5, email: 'a@b.co' }, /productId must be/],
    ['productId past INT UNSIGNED', { productId: 2 ** 32, email: 'a@b.co' }, /productId must be/],
    ['a missing email', { productId: 7 }, /email is required/],
    ['an empty email', { productId: 7, email: '  ' }, /email is required/],
    ['an email that is no address', { productId: 7, email: 'ada' }, /email must be an email/],
    ['a display name', { productId: 7, email: 'Ada <a@b.co>' }, /email must be an email/],
    ['two addresses', { productId: 7, email: 'a@b.co,c@d.co' }, /email must be an email/],
    ['a too long email', { productId: 7, email: `${'x'.repeat(250)}@b.co` }, /at most 254/],
    ['an email that is a number', { productId: 7, email: 7 }, /email must be a string/],
    ['an extra field', { productId: 7, email: 'a@b.co', x: 1 }, /unknown field\(s\): x/],
    ['null', null, /JSON object/],
    ['an array', [7, 'a@b.co'], /JSON object/],
    ['a string', 'a@b.co', /JSON object/],
  ])('refuses %s', (_what, body, message) => {
    expect(refusal(body)).toMatch(message);
  });

  it('names every wrong field at once', () => {
    expect(refusal({ productId: -1, email: 'nope' })).toBe(
      'productId must be a product id (an integer from 1 to 4294967295); ' +
        'email must be an email address',
    );
  });
});
